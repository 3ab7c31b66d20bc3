"""Corpus manifests: which documents one ingested corpus is made of (``<store_dir>/corpora/<corpus_hash>.json``).

``ingest`` writes one per corpus it reads; ``draft --store DIR`` without ``--corpus`` drafts from the latest one, so
a folder ingested once (``ingest --skip-bad``) is drafted without reading or embedding its files again.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from pydantic import BaseModel, ValidationError

from assistant.atomic import atomic_write_text
from assistant.errors import StoreError

__all__ = ["CORPORA_DIR", "CorpusManifest", "latest_manifest", "write_manifest"]

CORPORA_DIR = "corpora"


class CorpusManifest(BaseModel):
    corpus_hash: str
    path: str
    doc_ids: list[str]
    ingested_at: dt.datetime


def write_manifest(store_dir: Path, corpus_hash: str, path: str, doc_ids: list[str]) -> Path:
    manifest = CorpusManifest(corpus_hash=corpus_hash, path=path, doc_ids=list(dict.fromkeys(doc_ids)),
                              ingested_at=dt.datetime.now(dt.UTC))
    target = Path(store_dir) / CORPORA_DIR / f"{corpus_hash}.json"
    atomic_write_text(target, manifest.model_dump_json(indent=2))
    return target


def latest_manifest(store_dir: Path) -> CorpusManifest:
    """The most recently ingested corpus of the store; StoreError naming the folder when there is none."""
    folder = Path(store_dir) / CORPORA_DIR
    manifests: list[CorpusManifest] = []
    for file in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            manifests.append(CorpusManifest.model_validate(json.loads(file.read_text(encoding="utf-8"))))
        except (OSError, ValueError, ValidationError) as exc:
            raise StoreError(f"语料清单 {file} 无法读取: {exc}") from exc
    if not manifests:
        raise StoreError(f"向量库 {store_dir} 中没有已导入的语料清单（{CORPORA_DIR}/*.json），"
                         "请先运行 ingest，或用 --corpus 给出语料")
    return max(manifests, key=lambda m: m.ingested_at)
