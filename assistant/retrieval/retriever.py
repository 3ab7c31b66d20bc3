"""Hybrid retrieval: dense (Chroma) + BM25 (jieba), fused with reciprocal rank fusion.

Filters (date window, categories, sources) are applied as a boolean mask over an in-memory snapshot of the
chunks' metadata, so a window never costs Chroma's slow ``where`` on the common path: with broad filters dense
results are over-fetched unfiltered from HNSW and masked (a filtered Chroma query only when too few survive);
with narrow filters (a month out of years) dense search is exact over the masked rows' vectors in numpy. Every returned
hit is checked against the mask, so nothing outside the window can ever be returned.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from assistant.errors import InputError
from assistant.models import Hit, NewsItem
from assistant.retrieval.bm25 import tokenize
from assistant.retrieval.snapshot import Snapshot, build_snapshot, load_snapshot, save_snapshot, snapshot_path
from assistant.settings import Settings
from assistant.store import NewsStore, open_store

__all__ = ["RRF_K", "CorpusRetriever", "Mode", "Retriever", "open_retriever", "rrf"]

RRF_K = 60
_log = logging.getLogger(__name__)
Mode = Literal["hybrid", "dense", "bm25"]
DateLike = dt.date | str | None


def rrf(rankings: Sequence[Sequence[int]], k: int = RRF_K) -> dict[int, float]:
    """Reciprocal rank fusion: sum of 1 / (k + rank) over the lists each row appears in (rank from 1)."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, row in enumerate(ranking, start=1):
            fused[row] = fused.get(row, 0.0) + 1.0 / (k + rank)
    return fused


def _as_int_date(value: DateLike, name: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError as exc:
            raise InputError(f"日期 {value!r} 不是 YYYY-MM-DD", field=name) from exc
    return int(value.strftime("%Y%m%d"))


@dataclass(frozen=True)
class _Filter:
    date_from: int | None
    date_to: int | None
    categories: tuple[str, ...]
    sources: tuple[str, ...]
    doc_ids: frozenset[str] | None = None  # one report's corpus: a shared store holds others too

    def mask(self, snap: Snapshot) -> np.ndarray:
        keep = np.ones(len(snap.ids), dtype=bool) if self.doc_ids is None else snap.doc_mask(self.doc_ids)
        if self.date_from is not None:
            keep &= snap.dates >= self.date_from
        if self.date_to is not None:
            keep &= snap.dates <= self.date_to
        if self.categories:
            keep &= np.isin(snap.categories, self.categories)
        if self.sources:
            keep &= np.isin(snap.sources, self.sources)
        return keep

    def where(self) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if self.date_from is not None:
            clauses.append({"date": {"$gte": self.date_from}})
        if self.date_to is not None:
            clauses.append({"date": {"$lte": self.date_to}})
        if self.categories:
            clauses.append({"category": {"$in": list(self.categories)}})
        if self.sources:
            clauses.append({"source": {"$in": list(self.sources)}})
        if self.doc_ids is not None:
            clauses.append({"doc_id": {"$in": sorted(self.doc_ids)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class Retriever:
    """Search one store. The BM25 index and metadata snapshot are rebuilt when the store's generation changes."""

    def __init__(self, store: NewsStore, overfetch: int = 10, exact_below: float = 0.2) -> None:
        self.store = store
        self.overfetch = overfetch
        # Below this fraction of chunks passing the filters, HNSW over-fetch would need thousands of results and
        # Chroma's `where` is slow, so dense search goes exact over the filtered rows instead.
        self.exact_below = exact_below
        self._snap: Snapshot | None = None

    def _snapshot(self) -> Snapshot:
        generation = self.store.generation()
        if self._snap is not None and self._snap.generation == generation:
            return self._snap
        path = snapshot_path(self.store)
        snap = load_snapshot(path, generation)
        if snap is None:
            snap = build_snapshot(self.store, generation)
            if generation:
                try:
                    save_snapshot(snap, path)
                except OSError as exc:  # a cache: a read-only or full store still answers, only slower next time
                    _log.warning("BM25 snapshot not saved (%s): %s", path, exc)
        self._snap = snap
        return snap

    def _exact(self, snap: Snapshot, emb: np.ndarray, keep: np.ndarray, n: int) -> list[int]:
        """Brute-force cosine over the rows inside the filter: exact, and ~1 ms for a month of 100k chunks."""
        if snap.vectors is None:
            ids, vectors = self.store.all_vectors()
            # A chunk written after the snapshot was taken has no row (and the next search rebuilds anyway).
            pairs = [(snap.row_of[i], n) for n, i in enumerate(ids) if i in snap.row_of]
            snap.vectors = np.zeros((len(snap.ids), vectors.shape[1] if vectors.ndim == 2 else 0), np.float32)
            if pairs:
                rows_, src = zip(*pairs, strict=True)
                snap.vectors[list(rows_)] = vectors[list(src)]
        rows = np.flatnonzero(keep)
        sims = snap.vectors[rows] @ (emb / max(float(np.linalg.norm(emb)), 1e-12))
        top = np.argsort(-sims, kind="stable")[:n]
        return [int(r) for r in rows[top]]

    def _dense(self, snap: Snapshot, query: str, flt: _Filter, keep: np.ndarray, need: int) -> list[int]:
        emb = self.store.embed_query(query)
        selectivity = float(keep.mean())
        if selectivity < self.exact_below:
            return self._exact(snap, emb, keep, need * self.overfetch)
        ids, _dist = self.store.query(emb, int(need * self.overfetch / selectivity))
        rows = [r for r in (snap.row_of.get(i) for i in ids) if r is not None and keep[r]]
        if len(rows) < need and flt.where() is not None and keep.any():
            ids, _dist = self.store.query(emb, need * self.overfetch, where=flt.where())
            rows = [r for r in (snap.row_of.get(i) for i in ids) if r is not None and keep[r]]
        return rows

    def _bm25(self, snap: Snapshot, query: str, keep: np.ndarray, need: int) -> list[int]:
        scores = np.where(keep, snap.bm25.scores(tokenize(query)), 0.0)
        n = min(need * self.overfetch, int((scores > 0).sum()))
        if n == 0:
            return []
        top = np.argpartition(-scores, n - 1)[:n]
        return [int(r) for r in top[np.argsort(-scores[top], kind="stable")]]

    def search(self, query: str, *, k: int = 8, date_from: DateLike = None, date_to: DateLike = None,
               categories: Sequence[str] | None = None, sources: Sequence[str] | None = None,
               mode: Mode = "hybrid", one_per_doc: bool = True,
               doc_ids: Collection[str] | None = None) -> list[Hit]:
        """Top ``k`` hits for ``query`` inside the filters (at most one chunk per document by default).

        ``doc_ids`` restricts the search to those documents (a report's own corpus in a shared store); an empty
        collection finds nothing, None means the whole store."""
        if k <= 0 or not query.strip():
            return []
        flt = _Filter(_as_int_date(date_from, "date_from"), _as_int_date(date_to, "date_to"),
                      tuple(categories or ()), tuple(sources or ()),
                      None if doc_ids is None else frozenset(doc_ids))
        snap = self._snapshot()
        keep = flt.mask(snap)
        if not keep.any():
            return []
        need = k * 3 if one_per_doc else k  # several chunks of one story may rank together
        lists = []
        if mode in ("hybrid", "dense"):
            lists.append(self._dense(snap, query, flt, keep, need))
        if mode in ("hybrid", "bm25"):
            lists.append(self._bm25(snap, query, keep, need))
        fused = sorted(rrf(lists).items(), key=lambda kv: -kv[1])
        return self._hits(snap, fused, keep, k, one_per_doc)

    def _hits(self, snap: Snapshot, fused: list[tuple[int, float]], keep: np.ndarray, k: int,
              one_per_doc: bool) -> list[Hit]:
        hits: list[Hit] = []
        seen: set[str] = set()
        for row, score in fused:
            meta = snap.metas[row]
            doc_id = str(meta["doc_id"])
            if not keep[row] or (one_per_doc and doc_id in seen):
                continue
            seen.add(doc_id)
            d = int(meta["date"])
            hits.append(Hit(doc_id=doc_id, chunk_id=snap.ids[row], text=snap.texts[row], score=score,
                            title=str(meta.get("title", "")), date=dt.date(d // 10000, d // 100 % 100, d % 100),
                            source=str(meta.get("source", "")), category=str(meta.get("category", "")),
                            url=str(meta.get("url") or "") or None))
            if len(hits) == k:
                break
        return hits

    def get_items(self, doc_ids: Sequence[str]) -> dict[str, NewsItem]:
        """Whole items by id (including near-duplicates, which are stored but not indexed)."""
        return self.store.get_items(doc_ids)

    def scoped(self, doc_ids: Collection[str]) -> CorpusRetriever:
        """This retriever limited to one corpus's documents in every search."""
        return CorpusRetriever(self, doc_ids)


class CorpusRetriever:
    """A retriever that only ever finds the documents of one corpus (what drafting is handed).

    A store may be shared between corpora (``--store``/``RA_STORE_DIR``); a report may cite only its own items, so
    every search carries the corpus's document ids, and ``get_items`` answers only for them."""

    def __init__(self, retriever: Retriever, doc_ids: Collection[str]) -> None:
        self.retriever = retriever
        self.doc_ids = frozenset(doc_ids)

    def search(self, query: str, *, k: int = 8, date_from: DateLike = None, date_to: DateLike = None,
               categories: Sequence[str] | None = None, sources: Sequence[str] | None = None,
               mode: Mode = "hybrid", one_per_doc: bool = True) -> list[Hit]:
        return self.retriever.search(query, k=k, date_from=date_from, date_to=date_to, categories=categories,
                                     sources=sources, mode=mode, one_per_doc=one_per_doc, doc_ids=self.doc_ids)

    def get_items(self, doc_ids: Sequence[str]) -> dict[str, NewsItem]:
        return self.retriever.get_items([d for d in doc_ids if d in self.doc_ids])


def open_retriever(settings: Settings) -> Retriever:
    return Retriever(open_store(settings))
