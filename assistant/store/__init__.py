"""The news store: Chroma (embedded or server) holding chunk vectors and whole items, plus ingestion."""

from __future__ import annotations

from assistant.store.chroma import NewsStore, StoredChunks, date_int, open_store
from assistant.store.embeddings import make_embedding_function
from assistant.store.ingest import IngestReport, ingest

__all__ = ["IngestReport", "NewsStore", "StoredChunks", "date_int", "ingest", "make_embedding_function",
           "open_store"]
