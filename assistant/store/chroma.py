"""The Chroma adapter: chunk vectors in one collection, whole items in a side collection.

Both live in Chroma, so the embedded (persistent) and the server (HTTP) modes hold the same data. Dates are
stored as int ``yyyymmdd`` so range filters are numeric.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.errors import StoreError
from assistant.models import Chunk, NewsItem
from assistant.settings import Settings
from assistant.store.cache import TextCache
from assistant.store.embeddings import make_embedding_function

__all__ = ["GENERATION_ID", "NewsStore", "StoredChunks", "date_int", "open_store"]

GENERATION_ID = "__generation__"
_ITEMS_SUFFIX = "__items"
_PAGE = 5000


def date_int(d: Any) -> int:
    return int(d.strftime("%Y%m%d"))


@dataclass
class StoredChunks:
    """Every chunk of the store in one columnar snapshot (what BM25 and the Python-side filters need)."""

    ids: list[str]
    texts: list[str]
    metadatas: list[dict[str, Any]]


def _client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if settings.chroma_url:
            from urllib.parse import urlparse

            url = urlparse(settings.chroma_url)
            return chromadb.HttpClient(host=url.hostname or "127.0.0.1", port=url.port or 8000,
                                       ssl=url.scheme == "https", settings=chroma_settings)
        settings.store_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.store_dir), settings=chroma_settings)
    except (OSError, ValueError, RuntimeError) as exc:
        where = settings.chroma_url or settings.store_dir
        raise StoreError(f"无法打开向量库 {where}: {exc}") from exc


class NewsStore:
    """Chunks + items for one collection name; embeddings computed by us, cached by text hash."""

    def __init__(self, client: Any, settings: Settings) -> None:
        self.settings = settings
        self.embedder = make_embedding_function(settings)
        self.cache = TextCache(settings.store_dir / "cache.sqlite3")
        meta = {"hnsw:space": "cosine", "embedding": self.embedder.key}
        self.chunks = client.get_or_create_collection(settings.collection, metadata=meta, embedding_function=None)
        found = (self.chunks.metadata or {}).get("embedding")
        if found and found != self.embedder.key:
            raise StoreError(f"向量库 {settings.collection!r} 用 embedding={found} 建立，当前配置为 "
                             f"{self.embedder.key}；请换一个 --store 或重建")
        self.items = client.get_or_create_collection(settings.collection + _ITEMS_SUFFIX,
                                                     metadata={"hnsw:space": "l2"}, embedding_function=None)

    # ------------------------------------------------------------------ embeddings
    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self.cache.embed(texts, self.embedder.key, self.embedder)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self.embedder.embed_query([text])[0], dtype=np.float32)

    # ------------------------------------------------------------------ items
    def item_hashes(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for ids, _docs, metas in self._pages(self.items, include=["metadatas"]):
            out.update({i: str(m.get("content_hash", "")) for i, m in zip(ids, metas, strict=True)
                        if i != GENERATION_ID})
        return out

    def all_items(self) -> list[NewsItem]:
        items: list[NewsItem] = []
        for ids, docs, _metas in self._pages(self.items, include=["documents"]):
            items += [NewsItem.model_validate_json(d) for i, d in zip(ids, docs, strict=True) if i != GENERATION_ID]
        return items

    def get_items(self, doc_ids: Sequence[str]) -> dict[str, NewsItem]:
        if not doc_ids:
            return {}
        got = self.items.get(ids=list(dict.fromkeys(doc_ids)), include=["documents"])
        return {i: NewsItem.model_validate_json(d) for i, d in zip(got["ids"], got["documents"], strict=True)}

    def upsert_items(self, items: Sequence[NewsItem], hashes: dict[str, str]) -> None:
        for start in range(0, len(items), 1000):
            part = items[start:start + 1000]
            self.items.upsert(
                ids=[i.doc_id for i in part],
                documents=[i.model_dump_json() for i in part],
                embeddings=[[1.0] for _ in part],  # items are looked up by id, never by vector
                metadatas=[{"content_hash": hashes[i.doc_id], "date": date_int(i.date),
                            "duplicate_of": i.duplicate_of or ""} for i in part],
            )

    # ------------------------------------------------------------------ chunks
    def delete_chunks(self, doc_ids: Sequence[str]) -> None:
        for start in range(0, len(doc_ids), 500):
            self.chunks.delete(where={"doc_id": {"$in": list(doc_ids[start:start + 500])}})

    def add_chunks(self, chunks: Sequence[Chunk], embeddings: np.ndarray, batch: int = 2000) -> None:
        for start in range(0, len(chunks), batch):
            part = chunks[start:start + batch]
            self.chunks.add(ids=[c.chunk_id for c in part], documents=[c.text for c in part],
                            embeddings=embeddings[start:start + len(part)],
                            metadatas=[_chunk_meta(c) for c in part])

    def count(self) -> int:
        return int(self.chunks.count())

    def all_chunks(self) -> StoredChunks:
        snap = StoredChunks([], [], [])
        for ids, docs, metas in self._pages(self.chunks, include=["documents", "metadatas"]):
            snap.ids += ids
            snap.texts += docs
            snap.metadatas += metas
        return snap

    def all_vectors(self) -> tuple[list[str], np.ndarray]:
        """Every chunk id with its vector (for exact search inside narrow filters)."""
        ids: list[str] = []
        parts: list[np.ndarray] = []
        offset = 0
        while True:
            got = self.chunks.get(include=["embeddings"], limit=_PAGE, offset=offset)
            if not got["ids"]:
                break
            ids += list(got["ids"])
            parts.append(np.asarray(got["embeddings"], dtype=np.float32))
            offset += len(got["ids"])
        return ids, (np.concatenate(parts) if parts else np.zeros((0, 0), dtype=np.float32))

    def query(self, embedding: np.ndarray, n: int, where: dict[str, Any] | None = None) -> tuple[list[str], list[float]]:
        """Chunk ids and cosine distances of the ``n`` nearest chunks (optionally Chroma-filtered)."""
        n = min(n, self.count())
        if n <= 0:
            return [], []
        res = self.chunks.query(query_embeddings=[embedding], n_results=n, where=where, include=["distances"])
        return list(res["ids"][0]), [float(d) for d in res["distances"][0]]

    # ------------------------------------------------------------------ change tracking
    def generation(self) -> str:
        got = self.items.get(ids=[GENERATION_ID], include=["documents"])
        return str(got["documents"][0]) if got["ids"] else ""

    def bump_generation(self) -> str:
        token = uuid.uuid4().hex
        self.items.upsert(ids=[GENERATION_ID], documents=[token], embeddings=[[1.0]], metadatas=[{"kind": "gen"}])
        return token

    @staticmethod
    def _pages(collection: Any, include: list[str]) -> Iterator[tuple[list[str], list[Any], list[Any]]]:
        offset = 0
        while True:
            got = collection.get(include=include, limit=_PAGE, offset=offset)
            ids = list(got["ids"])
            if not ids:
                return
            docs = got.get("documents") or [None] * len(ids)
            metas = got.get("metadatas") or [{}] * len(ids)
            yield ids, list(docs), [dict(m or {}) for m in metas]
            offset += len(ids)


def _chunk_meta(c: Chunk) -> dict[str, Any]:
    return {"doc_id": c.doc_id, "index": c.index, "date": date_int(c.date), "title": c.title, "source": c.source,
            "category": c.category, "url": c.url or "", "tokens": c.tokens}


def open_store(settings: Settings) -> NewsStore:
    """Open (creating if needed) the store named by ``settings``: persistent dir, or server when chroma_url is set."""
    return NewsStore(_client(settings), settings)
