"""A local SQLite cache beside the store: embeddings and BM25 tokens keyed by a hash of the text.

It is only a cache (Chroma holds the truth), so losing it costs time, never data. Re-ingesting unchanged text and
rebuilding the BM25 index after a small ingest therefore skip the expensive model and jieba work.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

__all__ = ["TextCache", "text_key"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (key TEXT PRIMARY KEY, vec BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (key TEXT PRIMARY KEY, toks TEXT NOT NULL);
"""


def text_key(text: str, namespace: str = "") -> str:
    return hashlib.blake2b(f"{namespace}\x1f{text}".encode(), digest_size=16).hexdigest()


def _chunks(seq: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    for i in range(0, len(seq), size):
        yield seq[i:i + size]


class TextCache:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=60)
        self._db.executescript(_SCHEMA)
        self.embed_hits = 0
        self.embed_misses = 0

    def close(self) -> None:
        self._db.close()

    def _get(self, table: str, column: str, keys: Sequence[str]) -> dict[str, bytes | str]:
        found: dict[str, bytes | str] = {}
        for part in _chunks(keys):
            marks = ",".join("?" * len(part))
            rows = self._db.execute(f"SELECT key, {column} FROM {table} WHERE key IN ({marks})", list(part))
            found.update(dict(rows.fetchall()))
        return found

    def embed(self, texts: Sequence[str], model_key: str, fn: Callable[[list[str]], list[np.ndarray]],
              batch: int = 256) -> np.ndarray:
        """Embeddings for ``texts``; only texts never embedded by this model reach ``fn`` (in batches)."""
        keys = [text_key(t, model_key) for t in texts]
        found = self._get("embeddings", "vec", keys)
        missing = list(dict.fromkeys(k for k in keys if k not in found))
        by_key = {k: t for k, t in zip(keys, texts, strict=True)}
        self.embed_hits += len(keys) - len(missing)
        self.embed_misses += len(missing)
        vectors: dict[str, np.ndarray] = {k: np.frombuffer(v, dtype=np.float32) for k, v in found.items()
                                          if isinstance(v, bytes)}
        for i in range(0, len(missing), batch):
            part = missing[i:i + batch]
            new = fn([by_key[k] for k in part])
            rows = [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in zip(part, new, strict=True)]
            self._db.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?)", rows)
            vectors.update({k: np.frombuffer(b, dtype=np.float32) for k, b in rows})
        self._db.commit()
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([vectors[k] for k in keys])

    def tokens(self, texts: Sequence[str], fn: Callable[[str], list[str]], namespace: str = "tok") -> list[list[str]]:
        """Tokenised texts; the tokenizer (named by ``namespace``) runs only on texts it has not seen before."""
        keys = [text_key(t, namespace) for t in texts]
        found = {k: str(v) for k, v in self._get("tokens", "toks", keys).items()}
        new_rows = []
        for k, t in zip(keys, texts, strict=True):
            if k not in found:
                found[k] = "\x1f".join(fn(t))
                new_rows.append((k, found[k]))
        if new_rows:
            self._db.executemany("INSERT OR REPLACE INTO tokens VALUES (?, ?)", new_rows)
            self._db.commit()
        return [found[k].split("\x1f") if found[k] else [] for k in keys]
