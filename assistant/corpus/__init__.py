"""News corpus: read, validate, classify, flag, de-duplicate and chunk news items.

``read_corpus(path, skip_bad=False)`` is the entry point; ``chunk_item`` turns an item into token-bounded chunks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.corpus.chunking import chunk_item, embed_text, indexed_text, split_sentences
from assistant.corpus.dedup import link_near_duplicates
from assistant.corpus.items import content_hash, corpus_hash, derive_doc_id, to_news_item
from assistant.corpus.readers import RawRecord, read_records
from assistant.corpus.rules import CategoryClassifier, assign_category, classify_by_rules, instruction_like
from assistant.errors import CorpusError
from assistant.models import NewsItem

__all__ = [
    "CategoryClassifier",
    "CorpusReadResult",
    "SkippedRecord",
    "chunk_item",
    "classify_by_rules",
    "content_hash",
    "corpus_hash",
    "derive_doc_id",
    "embed_text",
    "indexed_text",
    "instruction_like",
    "link_near_duplicates",
    "read_corpus",
    "split_sentences",
]


@dataclass(frozen=True)
class SkippedRecord:
    """A record left out under ``skip_bad``, with the same file/row/field a hard error would name."""

    file: str
    row: int | None
    field: str | None
    reason: str

    def __str__(self) -> str:
        return str(CorpusError(self.reason, file=self.file, row=self.row, field=self.field))


@dataclass
class CorpusReadResult:
    items: list[NewsItem]
    skipped: list[SkippedRecord] = field(default_factory=list)


def _finish(item: NewsItem, classifier: CategoryClassifier | None) -> NewsItem:
    item = assign_category(item, classifier)
    if instruction_like(f"{item.title}\n{item.body}"):
        item = item.model_copy(update={"flags": sorted({*item.flags, "instruction_like"})})
    return item


def _check_ids(pairs: Sequence[tuple[RawRecord, NewsItem]], skip: list[SkippedRecord],
               skip_bad: bool) -> list[NewsItem]:
    seen: dict[str, tuple[RawRecord, str]] = {}
    out: list[NewsItem] = []
    for rec, item in pairs:
        digest = content_hash(item)
        if item.doc_id in seen:
            first, first_digest = seen[item.doc_id]
            if first_digest == digest:
                continue  # the same item listed twice is harmless
            err = CorpusError(f"id {item.doc_id!r} 与第 {first.row} 行重复但内容不同", file=rec.file, row=rec.row,
                              field="id")
            if not skip_bad:
                raise err
            skip.append(SkippedRecord(rec.file, rec.row, "id", err.reason))
            continue
        seen[item.doc_id] = (rec, digest)
        out.append(item)
    return out


def read_corpus(path: Path | str, *, skip_bad: bool = False, classifier: CategoryClassifier | None = None,
                link_duplicates: bool = True) -> CorpusReadResult:
    """Read a .jsonl/.csv file or a folder of front-matter files into validated, classified items.

    Without ``skip_bad`` the first bad record raises CorpusError (file, row, field) and nothing is returned;
    with it, exactly the bad records are left out and listed in ``skipped``. ``link_duplicates=False`` leaves
    near-duplicate linking to the caller (ingestion links against the store as well).
    """
    skipped: list[SkippedRecord] = []
    pairs: list[tuple[RawRecord, NewsItem]] = []
    for rec in read_records(Path(path)):
        try:
            if isinstance(rec, CorpusError):
                raise rec
            pairs.append((rec, to_news_item(rec)))
        except CorpusError as exc:
            if not skip_bad:
                raise
            skipped.append(SkippedRecord(exc.file or str(path), exc.row, exc.field, exc.reason))
    items = _check_ids(pairs, skipped, skip_bad)
    items = [_finish(i, classifier) for i in items]
    return CorpusReadResult(items=link_near_duplicates(items) if link_duplicates else items, skipped=skipped)
