"""News corpus: read, validate, classify, flag, de-duplicate and chunk news items.

``read_corpus(path, skip_bad=False)`` is the entry point; ``chunk_item`` turns an item into token-bounded chunks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.corpus.chunking import chunk_item, embed_text, indexed_text, split_sentences
from assistant.corpus.dates import date_warnings
from assistant.corpus.dedup import link_near_duplicates
from assistant.corpus.items import (
    BuiltItem,
    build_item,
    content_hash,
    corpus_hash,
    derive_doc_id,
    to_news_item,
)
from assistant.corpus.language import FOREIGN_FLAG, REPORT_LANGUAGE, Translator, detect_language
from assistant.corpus.readers import RawRecord, file_kind, read_records
from assistant.corpus.report import FileEntry, ItemEntry, Refusal, annotate_items
from assistant.corpus.rules import CategoryClassifier, assign_category, classify_by_rules, instruction_like
from assistant.errors import CorpusError
from assistant.models import NewsItem

__all__ = [
    "CategoryClassifier",
    "CorpusReadResult",
    "FileEntry",
    "ItemEntry",
    "SkippedRecord",
    "Translator",
    "annotate_items",
    "chunk_item",
    "classify_by_rules",
    "content_hash",
    "corpus_hash",
    "derive_doc_id",
    "detect_language",
    "embed_text",
    "indexed_text",
    "instruction_like",
    "link_near_duplicates",
    "read_corpus",
    "split_sentences",
    "to_news_item",
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
    files: list[FileEntry] = field(default_factory=list)  # the ingestion report's per-file view


def _finish(built: BuiltItem, classifier: CategoryClassifier | None, report_month: str | None,
            report_language: str) -> NewsItem:
    item = assign_category(built.item, classifier)
    flags = set(item.flags)
    if instruction_like(f"{item.title}\n{item.body}"):
        flags.add("instruction_like")
    language = detect_language(f"{item.title}\n{item.body}")
    if language not in {report_language, "und"}:
        flags.add(FOREIGN_FLAG)
        built.warnings.append(f"language: 正文语言为 {language}，不是报告语言 {report_language}，已保留并标记")
    built.warnings.extend(date_warnings(item.date, report_month))
    return item.model_copy(update={"flags": sorted(flags), "language": language})


def _check_ids(pairs: Sequence[tuple[RawRecord, BuiltItem]], skip: list[SkippedRecord],
               skip_bad: bool) -> list[tuple[RawRecord, BuiltItem]]:
    seen: dict[str, tuple[RawRecord, str]] = {}
    out: list[tuple[RawRecord, BuiltItem]] = []
    for rec, built in pairs:
        item = built.item
        digest = content_hash(item)
        if item.doc_id in seen:
            first, first_digest = seen[item.doc_id]
            if first_digest == digest:
                continue  # the same item listed twice is harmless
            where = f"第 {first.row} 行" if first.file == rec.file else f"{first.file} 第 {first.row} 行"
            err = CorpusError(f"id {item.doc_id!r} 与{where}重复但内容不同", file=rec.file, row=rec.row,
                              field="id")
            if not skip_bad:
                raise err
            skip.append(SkippedRecord(rec.file, rec.row, "id", err.reason))
            continue
        seen[item.doc_id] = (rec, digest)
        out.append((rec, built))
    return out


def _file_entries(path: Path, pairs: Sequence[tuple[RawRecord, BuiltItem]], items: Sequence[NewsItem],
                  skipped: Sequence[SkippedRecord]) -> list[FileEntry]:
    files: dict[str, FileEntry] = {}

    def entry(name: str) -> FileEntry:
        return files.setdefault(name, FileEntry(file=name, kind=file_kind(Path(name))))

    for (rec, built), item in zip(pairs, items, strict=True):
        entry(rec.file).items.append(ItemEntry(
            doc_id=item.doc_id, row=rec.row, title=item.title, date=item.date.isoformat(), source=item.source,
            fields=built.origins, language=item.language, flags=list(item.flags), warnings=built.warnings,
            duplicate_of=item.duplicate_of, source_kind=item.source_kind, source_pending=item.source_pending))
    for skip in skipped:
        entry(skip.file or str(path)).refused.append(Refusal(row=skip.row, field=skip.field, reason=skip.reason))
    return sorted(files.values(), key=lambda f: f.file)


def read_corpus(path: Path | str, *, skip_bad: bool = False, classifier: CategoryClassifier | None = None,
                link_duplicates: bool = True, report_month: str | None = None,
                report_language: str = REPORT_LANGUAGE,
                on_file: Callable[[int, int, Path], None] | None = None) -> CorpusReadResult:
    """Read a .jsonl/.csv file or a folder (front-matter files, saved pages, PDF, Word, feeds) into clean,
    validated, classified items.

    Without ``skip_bad`` the first bad record raises CorpusError (file, row, field) and nothing is returned;
    with it, exactly the bad records are left out and listed in ``skipped``. ``link_duplicates=False`` leaves
    near-duplicate linking to the caller (ingestion links against the store as well). ``report_month``
    (``YYYY-MM``) adds a warning for items dated after it; ``on_file(done, total, file)`` reports each file
    of a folder as it is read.
    """
    skipped: list[SkippedRecord] = []
    pairs: list[tuple[RawRecord, BuiltItem]] = []
    for rec in read_records(Path(path), on_file):
        try:
            if isinstance(rec, CorpusError):
                raise rec
            pairs.append((rec, build_item(rec)))
        except CorpusError as exc:
            if not skip_bad:
                raise
            skipped.append(SkippedRecord(exc.file or str(path), exc.row, exc.field, exc.reason))
    pairs = _check_ids(pairs, skipped, skip_bad)
    prepare = getattr(classifier, "prepare", None)
    if callable(prepare):  # a model classifier asks for many uncategorised items in one call (issue 24)
        prepare([(b.item.title, b.item.body) for _rec, b in pairs if not b.item.category])
    items = [_finish(built, classifier, report_month, report_language) for _rec, built in pairs]
    if link_duplicates:
        items = link_near_duplicates(items)
    return CorpusReadResult(items=items, skipped=skipped, files=_file_entries(Path(path), pairs, items, skipped))
