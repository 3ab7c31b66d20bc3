"""Compliance configuration: wording, publishers, disclosures and section roles, read from ``prompts/compliance``.

The lists are files so that a compliance officer can change them without touching code.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from assistant import PROJECT_DIR
from assistant.errors import ConfigError
from assistant.safety import ForbiddenRule, load_instruction_patterns

__all__ = ["DEFAULT_CONFIG_DIR", "CheckConfig", "DisclosureRule", "ForbiddenRule", "load_check_config"]

DEFAULT_CONFIG_DIR = PROJECT_DIR / "prompts" / "compliance"


class DisclosureRule(BaseModel):
    name: str
    heading: list[str]
    contains: list[str] = Field(default_factory=list)


class CheckConfig(BaseModel):
    """Every list the checks use. Defaults are empty so that a test can build exactly what it needs."""

    forbidden: list[ForbiddenRule] = Field(default_factory=list)
    required_hedges: dict[str, list[str]] = Field(default_factory=dict)
    tiers: dict[int, list[str]] = Field(default_factory=dict)
    blocklist: list[str] = Field(default_factory=list)
    required: list[DisclosureRule] = Field(default_factory=list)
    certificate_pattern: str = r"S\d{13}"
    news_sections: list[str] = Field(default_factory=list)
    market_sections: list[str] = Field(default_factory=list)
    exempt_sections: list[str] = Field(default_factory=list)
    advice_sections: list[str] = Field(default_factory=list)
    min_overlap: float = 0.12
    entity_stoplist: list[str] = Field(default_factory=list)
    instruction_patterns: list[str] = Field(default_factory=list)
    # ratings.yaml: the rating check's vocabulary
    ratings: list[str] = Field(default_factory=list)
    ratings_en: dict[str, str] = Field(default_factory=dict)
    rating_up: list[str] = Field(default_factory=list)
    rating_down: list[str] = Field(default_factory=list)

    @field_validator("entity_stoplist", mode="before")
    @classmethod
    def _split_words(cls, value: object) -> object:
        # YAML reads bare words such as "on" or "no" as booleans, so the file keeps them in one string.
        return value.split() if isinstance(value, str) else value

    def stopwords(self) -> frozenset[str]:
        return frozenset(w.lower() for w in self.entity_stoplist)

    def publisher_tier(self, publisher: str) -> int | None:
        key = _publisher_key(publisher)
        for tier, names in sorted(self.tiers.items()):
            if key in {_publisher_key(n) for n in names}:
                return tier
        return None

    def is_blocked(self, publisher: str) -> bool:
        key = _publisher_key(publisher)
        return any(_publisher_key(n) == key for n in self.blocklist)

    def instruction_regexes(self) -> list[re.Pattern[str]]:
        return [re.compile(p, re.IGNORECASE) for p in self.instruction_patterns]


def _publisher_key(name: str) -> str:
    return re.sub(r"\s+", "", name).lower()


_FILES = ("wording.yaml", "publishers.yaml", "disclosures.yaml", "checks.yaml", "ratings.yaml")


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"合规配置文件 {path} 无法读取: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"合规配置文件 {path} 顶层必须是键值表")
    return data


def load_check_config(config_dir: Path | None = None) -> CheckConfig:
    """Merge the YAML files of ``config_dir`` (default ``prompts/compliance``) into one CheckConfig."""
    folder = config_dir or DEFAULT_CONFIG_DIR
    merged: dict[str, Any] = {}
    for name in _FILES:
        path = folder / name
        if path.is_file():
            for key, value in _read_yaml(path).items():
                if key in merged:
                    raise ConfigError(f"合规配置文件 {path}: 键 {key} 在多个文件中重复")
                merged[key] = value
    if "instruction_patterns" not in merged:
        # One list for ingestion, drafting and checks; a config folder may carry its own copy.
        own = folder / "instruction_patterns.txt"
        patterns = load_instruction_patterns(own) if own.is_file() else load_instruction_patterns()
        merged["instruction_patterns"] = [p.pattern for p in patterns]
    try:
        config = CheckConfig.model_validate(merged)
        config.instruction_regexes()
        re.compile(config.certificate_pattern)
    except ValidationError as exc:
        raise ConfigError(f"合规配置 {folder} 无效: {exc}") from exc
    except re.error as exc:
        raise ConfigError(f"合规配置 {folder} 中的正则表达式无效: {exc}") from exc
    return config
