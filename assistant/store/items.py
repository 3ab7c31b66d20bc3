"""Whole news items beside the chunk vectors, plus the store's change counter ("generation").

Embedded mode keeps them in SQLite in the store dir (a Chroma write costs ~1 ms a record; SQLite ~10 µs);
server mode keeps them in a side collection of the Chroma server so every client sees the same items.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from assistant.models import NewsItem

__all__ = ["ChromaItems", "ItemTable", "SqliteItems", "date_int", "iter_pages"]

GENERATION_ID = "__generation__"
PAGE = 5000


def iter_pages(collection: Any, include: list[str]) -> Iterator[tuple[list[str], list[Any], list[Any]]]:
    """A Chroma collection's (ids, documents, metadatas) in pages, so a large store is never read in one call."""
    offset = 0
    while True:
        got = collection.get(include=include, limit=PAGE, offset=offset)
        ids = list(got["ids"])
        if not ids:
            return
        docs = got.get("documents") or [None] * len(ids)
        metas = got.get("metadatas") or [{}] * len(ids)
        yield ids, list(docs), [dict(m or {}) for m in metas]
        offset += len(ids)


def date_int(d: Any) -> int:
    return int(d.strftime("%Y%m%d"))


class ItemTable(Protocol):
    def hashes(self) -> dict[str, str]: ...
    def all(self) -> list[NewsItem]: ...
    def get(self, doc_ids: Sequence[str]) -> dict[str, NewsItem]: ...
    def upsert(self, items: Sequence[NewsItem], hashes: dict[str, str]) -> None: ...
    def delete(self, doc_ids: Sequence[str]) -> None: ...
    def generation(self) -> str: ...
    def bump_generation(self) -> str: ...


class SqliteItems:
    _SCHEMA = """
    CREATE TABLE IF NOT EXISTS items (doc_id TEXT PRIMARY KEY, content_hash TEXT NOT NULL, date INTEGER NOT NULL,
                                      duplicate_of TEXT, item TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """

    def __init__(self, path: Path, collection: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=60)
        self._db.executescript(self._SCHEMA)
        self._gen_key = f"generation:{collection}"

    def hashes(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT doc_id, content_hash FROM items").fetchall())

    def all(self) -> list[NewsItem]:
        return [NewsItem.model_validate_json(r[0]) for r in self._db.execute("SELECT item FROM items ORDER BY doc_id")]

    def get(self, doc_ids: Sequence[str]) -> dict[str, NewsItem]:
        out: dict[str, NewsItem] = {}
        ids = list(dict.fromkeys(doc_ids))
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            rows = self._db.execute(f"SELECT doc_id, item FROM items WHERE doc_id IN ({','.join('?' * len(part))})",
                                    part)
            out.update({d: NewsItem.model_validate_json(j) for d, j in rows})
        return {d: out[d] for d in ids if d in out}

    def upsert(self, items: Sequence[NewsItem], hashes: dict[str, str]) -> None:
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?, ?)",
                                 [(i.doc_id, hashes[i.doc_id], date_int(i.date), i.duplicate_of, i.model_dump_json())
                                  for i in items])

    def delete(self, doc_ids: Sequence[str]) -> None:
        with self._db:
            self._db.executemany("DELETE FROM items WHERE doc_id = ?", [(d,) for d in doc_ids])

    def generation(self) -> str:
        row = self._db.execute("SELECT value FROM state WHERE key = ?", (self._gen_key,)).fetchone()
        return str(row[0]) if row else ""

    def bump_generation(self) -> str:
        token = uuid.uuid4().hex
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (self._gen_key, token))
        return token


class ChromaItems:
    """Items as documents of a Chroma collection (1-d dummy vectors: items are fetched by id, never by vector)."""

    def __init__(self, collection: Any) -> None:
        self._col = collection

    def hashes(self) -> dict[str, str]:
        return {i: str(m.get("content_hash", "")) for ids, _d, metas in iter_pages(self._col, ["metadatas"])
                for i, m in zip(ids, metas, strict=True) if i != GENERATION_ID}

    def all(self) -> list[NewsItem]:
        return [NewsItem.model_validate_json(d) for ids, docs, _m in iter_pages(self._col, ["documents"])
                for i, d in zip(ids, docs, strict=True) if i != GENERATION_ID]

    def get(self, doc_ids: Sequence[str]) -> dict[str, NewsItem]:
        if not doc_ids:
            return {}
        got = self._col.get(ids=list(dict.fromkeys(doc_ids)), include=["documents"])
        return {i: NewsItem.model_validate_json(d) for i, d in zip(got["ids"], got["documents"], strict=True)}

    def upsert(self, items: Sequence[NewsItem], hashes: dict[str, str]) -> None:
        for start in range(0, len(items), 1000):
            part = items[start:start + 1000]
            self._col.upsert(ids=[i.doc_id for i in part], documents=[i.model_dump_json() for i in part],
                             embeddings=[[1.0] for _ in part],
                             metadatas=[{"content_hash": hashes[i.doc_id], "date": date_int(i.date),
                                         "duplicate_of": i.duplicate_of or ""} for i in part])

    def delete(self, doc_ids: Sequence[str]) -> None:
        if doc_ids:
            self._col.delete(ids=list(doc_ids))

    def generation(self) -> str:
        got = self._col.get(ids=[GENERATION_ID], include=["documents"])
        return str(got["documents"][0]) if got["ids"] else ""

    def bump_generation(self) -> str:
        token = uuid.uuid4().hex
        self._col.upsert(ids=[GENERATION_ID], documents=[token], embeddings=[[1.0]], metadatas=[{"kind": "gen"}])
        return token
