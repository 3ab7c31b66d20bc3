from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import ConfigError
from assistant.settings import get_settings


def test_defaults_choose_offline_engine_without_key() -> None:
    s = get_settings()
    assert s.resolved_engine == "offline"
    assert s.openai_api_key is None


def test_env_overrides_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "ra.toml"
    cfg.write_text('model = "deepseek-chat"\nmax_concurrency = 2\nopenai_base_url = "http://127.0.0.1:9/v1"\n',
                   encoding="utf-8")
    monkeypatch.setenv("RA_CONFIG", str(cfg))
    monkeypatch.setenv("RA_MAX_CONCURRENCY", "6")
    s = get_settings()
    assert s.model == "deepseek-chat"  # from the file
    assert s.max_concurrency == 6  # env wins over the file
    assert s.openai_base_url == "http://127.0.0.1:9/v1"


def test_api_key_is_secret_and_selects_openai(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RA_OPENAI_API_KEY", "sk-test-123")
    s = get_settings()
    assert s.resolved_engine == "openai"
    assert "sk-test-123" not in repr(s)
    assert s.openai_api_key is not None and s.openai_api_key.get_secret_value() == "sk-test-123"


def test_yaml_config_and_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "ra.yaml"
    cfg.write_text("temperature: 0.7\n", encoding="utf-8")
    monkeypatch.setenv("RA_CONFIG", str(cfg))
    assert get_settings().temperature == 0.7

    cfg.write_text("temperature: [not, a, number\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="无法解析"):
        get_settings()

    monkeypatch.setenv("RA_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError, match="不存在"):
        get_settings()


def test_invalid_value_is_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RA_ENGINE", "gpt-magic")
    with pytest.raises(ConfigError):
        get_settings()
