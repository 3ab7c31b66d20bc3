"""Ingest a corpus into the store: incremental (content hash per item), locked against concurrent writers, with
a per-file ingestion report (``ingest_report.json``)."""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from assistant.atomic import atomic_write_text
from assistant.corpus import (
    CategoryClassifier,
    FileEntry,
    SkippedRecord,
    Translator,
    annotate_items,
    chunk_item,
    content_hash,
    corpus_hash,
    embed_text,
    link_near_duplicates,
    read_corpus,
)
from assistant.corpus.language import FOREIGN_FLAG
from assistant.corpus.report import kind_counts
from assistant.errors import StoreError
from assistant.models import Chunk, NewsItem
from assistant.progress import ProgressCallback, ProgressEvent, null_progress
from assistant.settings import Settings
from assistant.store.chroma import NewsStore, open_store
from assistant.store.manifest import write_manifest

__all__ = ["REPORT_FILE", "IngestReport", "corpus_doc_ids", "ingest", "plan_changes", "report_json", "write_ingest_report"]

_BATCH = 256
REPORT_FILE = "ingest_report.json"


@dataclass
class IngestReport:
    corpus: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates_linked: int = 0
    chunks_added: int = 0
    flagged: list[str] = field(default_factory=list)
    skipped: list[SkippedRecord] = field(default_factory=list)
    seconds: float = 0.0
    embed_seconds: float = 0.0
    store_seconds: float = 0.0
    embeddings_cached: int = 0
    translated: int = 0
    foreign: list[str] = field(default_factory=list)
    files: list[FileEntry] = field(default_factory=list)
    report_path: Path | None = None


def report_json(report: IngestReport) -> dict[str, Any]:
    """The ingestion report as written to ``ingest_report.json`` and shown by the UI."""
    files = [f.model_dump(mode="json") for f in report.files]
    return {
        "corpus": report.corpus,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "totals": {"files": len(report.files), "items": sum(len(f.items) for f in report.files),
                   "refused": len(report.skipped), "added": report.added, "updated": report.updated,
                   "unchanged": report.unchanged, "duplicates_linked": report.duplicates_linked,
                   "foreign": len(report.foreign), "translated": report.translated,
                   "instruction_like": len(report.flagged),
                   "warnings": sum(len(f.warnings) for f in report.files),
                   "source_pending": sum(1 for f in report.files for i in f.items if i.source_pending),
                   "kinds": kind_counts(report.files)},
        "seconds": {"total": round(report.seconds, 3), "embedding": round(report.embed_seconds, 3),
                    "store": round(report.store_seconds, 3)},
        "files": files,
    }


def write_ingest_report(report: IngestReport, path: Path) -> Path:
    """Write atomically (temp file + rename): a reader never sees half a report."""
    atomic_write_text(path, json.dumps(report_json(report), ensure_ascii=False, indent=2))
    return path


def corpus_doc_ids(path: Path) -> set[str] | None:
    """The document ids an ingestion report lists (one corpus), or None when there is no readable report."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(i["doc_id"]) for f in data.get("files", []) for i in f.get("items", [])}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _translate(items: list[NewsItem], translator: Translator | None, report: IngestReport) -> list[NewsItem]:
    """Foreign items get the model's title and summary; the title as published is kept in ``original_title``."""
    if translator is None:
        return items
    out = []
    for item in items:
        if FOREIGN_FLAG in item.flags and item.original_title is None:
            got = translator(item.title, item.body, item.language or "")
            if got is not None:
                item = item.model_copy(update={"original_title": item.title, "title": got.title,
                                               "translated_summary": got.summary})
                report.translated += 1
        out.append(item)
    return out


def plan_changes(items: list[NewsItem], stored: dict[str, str]) -> tuple[list[NewsItem], list[NewsItem], int]:
    """Split items into (new, changed, number unchanged) by comparing content hashes with the store's."""
    new, changed, unchanged = [], [], 0
    for item in items:
        old = stored.get(item.doc_id)
        if old is None:
            new.append(item)
        elif old != content_hash(item):
            changed.append(item)
        else:
            unchanged += 1
    return new, changed, unchanged


def _write(store: NewsStore, items: list[NewsItem], changed_ids: list[str], report: IngestReport,
           progress: ProgressCallback) -> None:
    chunks: list[Chunk] = [c for i in items if i.duplicate_of is None
                           for c in chunk_item(i, store.settings.chunk_tokens, store.settings.tokenizer_encoding)]
    hits_before = store.cache.embed_hits
    vectors = []
    for start in range(0, len(chunks), _BATCH):
        t0 = time.perf_counter()
        vectors.append(store.embed_documents([embed_text(c) for c in chunks[start:start + _BATCH]]))
        report.embed_seconds += time.perf_counter() - t0
        progress(ProgressEvent("ingest", "向量化", done=min(start + _BATCH, len(chunks)), total=len(chunks)))
    report.embeddings_cached = store.cache.embed_hits - hits_before
    t0 = time.perf_counter()
    # Chunks first, item hashes last: a crash in between only means the item is redone next time.
    if changed_ids:
        store.delete_chunks(changed_ids)
    if chunks:
        import numpy as np

        store.add_chunks(chunks, np.concatenate(vectors))
    store.upsert_items(items, {i.doc_id: content_hash(i) for i in items})
    store.bump_generation()
    report.store_seconds = time.perf_counter() - t0
    report.chunks_added = len(chunks)


def ingest(path: Path | str, settings: Settings, progress: ProgressCallback = null_progress, *,
           skip_bad: bool = False, classifier: CategoryClassifier | None = None,
           translator: Translator | None = None, report_month: str | None = None,
           report_path: Path | None = None, lock_timeout: float = 600.0) -> IngestReport:
    """Read, validate and add new or changed items of ``path``; unchanged items cost nothing.

    A file lock in the store dir serialises writers: a second process waits up to ``lock_timeout`` seconds and is
    then refused with StoreError, so concurrent ingests never interleave half-written batches. Reading (and
    refusing) happens before the store is touched. The ingestion report goes to ``report_path`` (default
    ``<store_dir>/ingest_report.json``). ``translator`` (a model) translates the title and summary of items not in
    the report's language.
    """
    started = time.perf_counter()
    progress(ProgressEvent("ingest", f"读取语料 {path}"))
    result = read_corpus(path, skip_bad=skip_bad, classifier=classifier, link_duplicates=False,
                         report_month=report_month,
                         on_file=lambda done, total, file: progress(
                             ProgressEvent("ingest", f"读取 {file.name}", done=done, total=total)))
    report = IngestReport(corpus=str(path), skipped=result.skipped, files=result.files)
    report.flagged = [i.doc_id for i in result.items if "instruction_like" in i.flags]
    report.foreign = [i.doc_id for i in result.items if FOREIGN_FLAG in i.flags]
    settings.store_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(settings.store_dir / "ingest.lock"))
    try:
        lock.acquire(timeout=lock_timeout)
    except Timeout as exc:
        raise StoreError(f"另一个导入进程正在写入 {settings.store_dir}（等待 {lock_timeout:g} 秒后放弃），"
                         "请稍后重试") from exc
    try:
        store = open_store(settings)
        new, changed, report.unchanged = plan_changes(result.items, store.item_hashes())
        todo = new + changed
        outcomes = dict.fromkeys((i.doc_id for i in result.items), "unchanged")
        outcomes.update({i.doc_id: "added" for i in new} | {i.doc_id: "updated" for i in changed})
        if todo:
            todo_ids = {i.doc_id for i in todo}
            # Near-duplicates are linked only within this corpus: in a shared store a copy linked to another
            # corpus's item would not be indexed, and a report may search and cite only its own corpus.
            corpus_ids = {i.doc_id for i in result.items}
            existing = [i for i in store.get_items(sorted(corpus_ids - todo_ids)).values()]
            todo = _translate(link_near_duplicates(todo, existing=existing), translator, report)
            report.duplicates_linked = sum(1 for i in todo if i.duplicate_of)
            _write(store, todo, [i.doc_id for i in changed], report, progress)
            outcomes.update({i.doc_id: "duplicate" for i in todo if i.duplicate_of})
        annotate_items(report.files, todo, outcomes)
        report.added, report.updated = len(new), len(changed)
    finally:
        lock.release()
    write_manifest(settings.store_dir, corpus_hash(result.items), str(path), [i.doc_id for i in result.items])
    report.seconds = time.perf_counter() - started
    report.report_path = write_ingest_report(report, report_path or settings.store_dir / REPORT_FILE)
    progress(ProgressEvent("ingest", "完成", done=len(result.items), total=len(result.items), status="ok"))
    return report
