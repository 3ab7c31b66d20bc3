"""Chunk texts and their full metadata beside the vectors, in SQLite, for the embedded store.

Chroma indexes every document it is given for full-text search and writes one row per metadata key; we search
text with our own BM25 snapshot and filter in numpy, so that work was the larger part of an ingest (10k chunks:
1,650 chunks/s with documents and eight keys, 4,400/s with neither, measured 2026-12-06). Embedded stores
therefore give Chroma only what its ``where`` fallback filters on (``FILTER_KEYS``) and keep texts and metadata
here, in the items database. Server mode keeps them in Chroma, where every client sees them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = ["FILTER_KEYS", "SqliteChunkTexts"]

FILTER_KEYS = ("doc_id", "date", "category")


class SqliteChunkTexts:
    """(chunk id, doc id, text, metadata) rows of one collection, read back in insertion order."""

    _SCHEMA = """
    CREATE TABLE IF NOT EXISTS chunk_texts (collection TEXT NOT NULL, chunk_id TEXT NOT NULL, doc_id TEXT NOT NULL,
                                            text TEXT NOT NULL, meta TEXT NOT NULL,
                                            PRIMARY KEY (collection, chunk_id));
    CREATE INDEX IF NOT EXISTS chunk_texts_doc ON chunk_texts (collection, doc_id);
    """

    def __init__(self, path: Path, collection: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=60)
        self._db.executescript(self._SCHEMA)
        self._collection = collection

    def add(self, rows: Sequence[tuple[str, str, dict[str, Any]]]) -> None:
        """(chunk id, text, metadata) rows; a chunk id already present is replaced (a redone ingest)."""
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO chunk_texts VALUES (?, ?, ?, ?, ?)",
                [(self._collection, cid, str(meta["doc_id"]), text, json.dumps(meta, ensure_ascii=False))
                 for cid, text, meta in rows])

    def delete(self, doc_ids: Sequence[str]) -> None:
        with self._db:
            self._db.executemany("DELETE FROM chunk_texts WHERE collection = ? AND doc_id = ?",
                                 [(self._collection, d) for d in doc_ids])

    def count(self) -> int:
        row = self._db.execute("SELECT count(*) FROM chunk_texts WHERE collection = ?", (self._collection,)).fetchone()
        return int(row[0])

    def rows(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        cur = self._db.execute("SELECT chunk_id, text, meta FROM chunk_texts WHERE collection = ? ORDER BY rowid",
                               (self._collection,))
        for cid, text, meta in cur:
            yield str(cid), str(text), dict(json.loads(meta))
