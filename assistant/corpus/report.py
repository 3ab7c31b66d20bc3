"""The ingestion report's per-file view: items made (fields and where each came from), warnings, refusals.

Built while reading; ``assistant.store.ingest`` adds what the store did with each item and writes
``ingest_report.json``; the CLI prints it and the UI's new-draft page shows it.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, Field

from assistant.models import NewsItem

__all__ = ["OUTCOME_LABELS", "FileEntry", "ItemEntry", "Refusal", "annotate_items", "kind_counts"]

OUTCOME_LABELS = {"added": "新增", "updated": "更新", "unchanged": "未变", "duplicate": "重复（已关联）"}


class ItemEntry(BaseModel):
    doc_id: str
    row: int
    title: str
    date: str
    source: str
    fields: dict[str, str] = Field(default_factory=dict)  # field -> origin (page_metadata, feed, sidecar, ...)
    language: str | None = None
    flags: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    duplicate_of: str | None = None
    source_kind: str = "news"  # see assistant/corpus/source_kinds.yaml; fields["source_kind"] says how it was set
    source_pending: bool = False  # publisher not determined: source reads 【来源待补】 until an editor fills it
    outcome: str = ""  # added | updated | unchanged | duplicate (set by the store)


class Refusal(BaseModel):
    row: int | None = None
    field: str | None = None
    reason: str


class FileEntry(BaseModel):
    file: str
    kind: str = ""
    items: list[ItemEntry] = Field(default_factory=list)
    refused: list[Refusal] = Field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        return [w for i in self.items for w in i.warnings]


def annotate_items(files: Iterable[FileEntry], items: Iterable[NewsItem],
                   outcomes: dict[str, str] | None = None) -> None:
    """Copy what happened to the items after reading (duplicate links, translations, store outcome) into the
    report entries."""
    by_id = {i.doc_id: i for i in items}
    for entry in (e for f in files for e in f.items):
        item = by_id.get(entry.doc_id)
        if item is not None:
            entry.duplicate_of, entry.flags, entry.language = item.duplicate_of, list(item.flags), item.language
            entry.title = item.title
        if outcomes and entry.doc_id in outcomes:
            entry.outcome = outcomes[entry.doc_id]


def kind_counts(files: Iterable[FileEntry]) -> dict[str, int]:
    """Items per source kind (news, official, …, broker_research, internal_note), most first."""
    counts: dict[str, int] = {}
    for entry in (e for f in files for e in f.items):
        counts[entry.source_kind] = counts.get(entry.source_kind, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
