"""The Chroma adapter: chunk vectors in a Chroma collection, whole items in an item table (``items.py``).

Dates are stored as int ``yyyymmdd`` so range filters are numeric.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.errors import StoreError
from assistant.models import Chunk, NewsItem
from assistant.settings import Settings
from assistant.store.cache import TextCache
from assistant.store.chunk_texts import FILTER_KEYS, SqliteChunkTexts
from assistant.store.embeddings import make_embedding_function, spec_for_key
from assistant.store.items import PAGE, ChromaItems, ItemTable, SqliteItems, date_int, iter_pages

__all__ = ["NewsStore", "StoredChunks", "date_int", "open_store"]

_ITEMS_SUFFIX = "__items"


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
        self.embedder = make_embedding_function(settings)
        meta = {"hnsw:space": "cosine", "embedding": self.embedder.key}
        self.chunks = client.get_or_create_collection(settings.collection, metadata=meta, embedding_function=None)
        found = (self.chunks.metadata or {}).get("embedding")
        spec = spec_for_key(found) if found and found != self.embedder.key else None
        if spec is not None and "embedding" not in settings.model_fields_set:
            # A store built with another model (e.g. before the default changed) keeps its own when none is asked.
            settings = settings.model_copy(update={"embedding": spec})
            self.embedder = make_embedding_function(settings)
        self.settings = settings
        self.cache = TextCache(settings.store_dir / "cache.sqlite3")
        if found and found != self.embedder.key:
            raise StoreError(f"向量库 {settings.collection!r} 用 embedding={found} 建立，当前配置为 "
                             f"{self.embedder.key}；请换一个 --store 或重建")
        self.items: ItemTable
        # Embedded: chunk texts and metadata in SQLite beside the items, Chroma only vectors + filter keys.
        self.texts: SqliteChunkTexts | None = None
        if settings.chroma_url:
            self.items = ChromaItems(client.get_or_create_collection(
                settings.collection + _ITEMS_SUFFIX, metadata={"hnsw:space": "l2"}, embedding_function=None))
        else:
            self.items = SqliteItems(settings.store_dir / "items.sqlite3", settings.collection)
            self.texts = SqliteChunkTexts(settings.store_dir / "items.sqlite3", settings.collection)
            if self.texts.count() == 0 and self.count() > 0:  # a store built before the texts moved here
                for ids, docs, metas in iter_pages(self.chunks, ["documents", "metadatas"]):
                    self.texts.add([(i, d or "", m) for i, d, m in zip(ids, docs, metas, strict=True)])

    # ------------------------------------------------------------------ embeddings
    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self.cache.embed(texts, self.embedder.key, self.embedder)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self.embedder.embed_query([text])[0], dtype=np.float32)

    # ------------------------------------------------------------------ items
    def item_hashes(self) -> dict[str, str]:
        return self.items.hashes()

    def all_items(self) -> list[NewsItem]:
        return self.items.all()

    def get_items(self, doc_ids: Sequence[str]) -> dict[str, NewsItem]:
        return self.items.get(doc_ids)

    def upsert_items(self, items: Sequence[NewsItem], hashes: dict[str, str]) -> None:
        self.items.upsert(items, hashes)

    # ------------------------------------------------------------------ chunks
    def delete_chunks(self, doc_ids: Sequence[str]) -> None:
        for start in range(0, len(doc_ids), 500):
            self.chunks.delete(where={"doc_id": {"$in": list(doc_ids[start:start + 500])}})
        if self.texts is not None:
            self.texts.delete(doc_ids)

    def add_chunks(self, chunks: Sequence[Chunk], embeddings: np.ndarray, batch: int = 5000) -> None:
        metas = [_chunk_meta(c) for c in chunks]
        if self.texts is not None:
            self.texts.add([(c.chunk_id, c.text, m) for c, m in zip(chunks, metas, strict=True)])
            metas = [{k: m[k] for k in FILTER_KEYS} for m in metas]  # Chroma: only what its `where` filters on
        for start in range(0, len(chunks), batch):
            part = chunks[start:start + batch]
            documents = None if self.texts is not None else [c.text for c in part]
            self.chunks.add(ids=[c.chunk_id for c in part], documents=documents,
                            embeddings=embeddings[start:start + len(part)], metadatas=metas[start:start + len(part)])

    def count(self) -> int:
        return int(self.chunks.count())

    def all_chunks(self) -> StoredChunks:
        snap = StoredChunks([], [], [])
        if self.texts is not None:
            for cid, text, meta in self.texts.rows():
                snap.ids.append(cid)
                snap.texts.append(text)
                snap.metadatas.append(meta)
            return snap
        for ids, docs, metas in iter_pages(self.chunks, ["documents", "metadatas"]):
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
            got = self.chunks.get(include=["embeddings"], limit=PAGE, offset=offset)
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
        return self.items.generation()

    def bump_generation(self) -> str:
        return self.items.bump_generation()


def _chunk_meta(c: Chunk) -> dict[str, Any]:
    return {"doc_id": c.doc_id, "index": c.index, "date": date_int(c.date), "title": c.title, "source": c.source,
            "category": c.category, "url": c.url or "", "tokens": c.tokens}


def open_store(settings: Settings) -> NewsStore:
    """Open (creating if needed) the store named by ``settings``: persistent dir, or server when chroma_url is set."""
    return NewsStore(_client(settings), settings)
