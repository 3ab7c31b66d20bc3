"""The retriever's in-memory view of the store (metadata columns + BM25 index), saved beside the store.

Building it means reading every chunk from Chroma and indexing it (seconds at 100k chunks), which a one-shot
``search`` command should not pay each time. The saved copy is tagged with the store generation and used only
while the generation still matches, so it can never serve stale results.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.corpus import indexed_text
from assistant.retrieval.bm25 import TOKENIZER_VERSION, BM25Index, tokenize
from assistant.store import NewsStore

__all__ = ["Snapshot", "build_snapshot", "load_snapshot", "save_snapshot", "snapshot_path"]

_VERSION = 2  # 2: rjieba tokens


@dataclass
class Snapshot:
    generation: str
    ids: list[str]
    texts: list[str]
    metas: list[dict[str, Any]]
    bm25: BM25Index
    vectors: np.ndarray | None = None  # loaded on the first narrow-filter query, row-aligned with ids

    def __post_init__(self) -> None:
        self.row_of = {cid: i for i, cid in enumerate(self.ids)}
        self.dates = np.asarray([int(m.get("date", 0)) for m in self.metas], dtype=np.int64)
        self.categories = np.asarray([str(m.get("category", "")) for m in self.metas], dtype=object)
        self.sources = np.asarray([str(m.get("source", "")) for m in self.metas], dtype=object)
        self.doc_id_list = [str(m.get("doc_id", "")) for m in self.metas]
        self._doc_masks: dict[frozenset[str], np.ndarray] = {}

    def doc_mask(self, doc_ids: frozenset[str]) -> np.ndarray:
        """Rows whose document is in ``doc_ids`` (cached: drafting asks with one corpus's ids many times)."""
        mask = self._doc_masks.get(doc_ids)
        if mask is None:
            mask = np.fromiter((d in doc_ids for d in self.doc_id_list), dtype=bool, count=len(self.doc_id_list))
            self._doc_masks = {doc_ids: mask}  # one corpus at a time: no unbounded cache
        return mask.copy()


def build_snapshot(store: NewsStore, generation: str) -> Snapshot:
    stored = store.all_chunks()
    docs = [indexed_text(str(m.get("title", "")), t) for t, m in zip(stored.texts, stored.metadatas, strict=True)]
    return Snapshot(generation, stored.ids, stored.texts, stored.metadatas,
                    BM25Index(store.cache.tokens(docs, tokenize, TOKENIZER_VERSION)))


def snapshot_path(store: NewsStore) -> Path:
    return store.settings.store_dir / f"{store.settings.collection}.snapshot"


def save_snapshot(snap: Snapshot, base: Path) -> None:
    """Write ``base.json`` + ``base.npz`` via temporary files and renames, so readers never see half a file.

    The temporary names are unique per writer: two workers sharing a store may save the same snapshot at once, and
    a shared name let one rename the other's file away (FileNotFoundError in the second).
    """
    base.parent.mkdir(parents=True, exist_ok=True)
    terms, arrays = snap.bm25.to_arrays()
    meta = {"version": _VERSION, "generation": snap.generation, "ids": snap.ids, "texts": snap.texts,
            "metas": snap.metas, "terms": terms}
    tag = f"{os.getpid()}.{uuid.uuid4().hex[:8]}"
    tmp_json, tmp_npz = base.with_suffix(f".{tag}.json.tmp"), base.with_suffix(f".{tag}.tmp.npz")
    try:
        np.savez(tmp_npz, **arrays)
        tmp_json.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp_npz, base.with_suffix(".npz"))
        os.replace(tmp_json, base.with_suffix(".json"))
    finally:  # a failed write (full disk) leaves no temporary file behind
        tmp_npz.unlink(missing_ok=True)
        tmp_json.unlink(missing_ok=True)


def load_snapshot(base: Path, generation: str) -> Snapshot | None:
    """The saved snapshot if it belongs to ``generation``; None when missing, stale or unreadable."""
    try:
        meta = json.loads(base.with_suffix(".json").read_text(encoding="utf-8"))
        if meta.get("version") != _VERSION or meta.get("generation") != generation or not generation:
            return None
        with np.load(base.with_suffix(".npz")) as npz:
            arrays = {k: npz[k] for k in npz.files}
        bm25 = BM25Index.from_arrays(meta["terms"], arrays)
    except (OSError, ValueError, KeyError):
        return None
    if bm25.size != len(meta["ids"]):
        return None  # the two files come from different writes
    return Snapshot(generation, meta["ids"], meta["texts"], meta["metas"], bm25)
