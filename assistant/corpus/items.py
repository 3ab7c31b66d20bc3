"""Raw record -> validated ``NewsItem``: plain text in every field, required fields, dates, sizes, ids, hashes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from assistant.corpus.clean import FieldRefused, clean_body, clean_line, clean_url
from assistant.corpus.kinds import detect_kind, load_source_kinds, resolve_kind
from assistant.corpus.publishers import dedupe_source
from assistant.corpus.record import RawRecord
from assistant.errors import CorpusError
from assistant.models import CATEGORIES, NewsItem

__all__ = ["MAX_BODY_BYTES", "PENDING_SOURCE", "REQUIRED_FIELDS", "BuiltItem", "build_item", "content_hash", "corpus_hash",
           "derive_doc_id", "to_news_item"]

REQUIRED_FIELDS = ("date", "title", "body", "source")
PENDING_SOURCE = "【来源待补】"
# Forms read from documents as collected: a publisher they do not show is left for an editor (【来源待补】) rather
# than refusing the file; a JSONL/CSV record without one is a data error and is refused.
_DOCUMENT_FORMS = frozenset({"page", "pdf", "docx", "feed", "front_matter"})
MAX_BODY_BYTES = 1_000_000
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")


@dataclass
class BuiltItem:
    """An item with the ingestion report's view of it: where each field came from and what was fixed."""

    item: NewsItem
    origins: dict[str, str]
    warnings: list[str] = field(default_factory=list)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value).strip())


def _parse_date(value: Any, rec: RawRecord) -> dt.date:
    if isinstance(value, dt.date):
        return value
    match = _DATE.match(_text(value))
    if not match:
        raise CorpusError(f"日期 {value!r} 不是 YYYY-MM-DD", file=rec.file, row=rec.row, field="date")
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError as exc:
        raise CorpusError(f"日期 {value!r} 无效: {exc}", file=rec.file, row=rec.row, field="date") from exc


def derive_doc_id(date: dt.date, title: str, body: str, source: str) -> str:
    """Stable id from the content, so re-ingesting an id-less corpus is idempotent."""
    digest = hashlib.sha1("\x1f".join([date.isoformat(), title, source, body]).encode("utf-8")).hexdigest()
    return f"h{digest[:16]}"


def content_hash(item: NewsItem) -> str:
    """Hash of everything the source supplied (not derived fields, not a translation), to detect changed items."""
    payload = [item.doc_id, item.date.isoformat(), item.original_title or item.title, item.body, item.source,
               item.url or "", item.category if item.category_method == "given" else ""]
    if item.fields or item.images:  # only then, so the hashes of corpora without them do not change
        payload += [json.dumps(item.fields, ensure_ascii=False, sort_keys=True), *item.images]
    if item.source_kind != "news" or item.source_pending:  # likewise: a changed kind is a changed item
        payload += [item.source_kind, str(item.source_pending)]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode("utf-8")).hexdigest()[:32]


def corpus_hash(items: Iterable[NewsItem]) -> str:
    """One hash for a whole corpus (order-independent), recorded in report provenance."""
    h = hashlib.sha256()
    for digest in sorted(content_hash(i) for i in items):
        h.update(digest.encode("ascii"))
    return h.hexdigest()[:32]


def _clean_fields(rec: RawRecord, warnings: list[str]) -> dict[str, str | None]:
    """Every text field reduced to plain text; raises CorpusError naming the field that cannot be made safe."""
    out: dict[str, str | None] = {}
    for name in ("id", "title", "source", "category", "body", "url"):
        key = "id" if name == "id" and "id" in rec.data else ("doc_id" if name == "id" else name)
        value = rec.data.get(key)
        if value is None:
            continue
        try:
            if name == "body":
                out[name] = clean_body(_text(value), warnings)
            elif name == "url":
                out[name] = clean_url(_text(value), warnings)
            elif name == "source":  # "国家互联网信息办公室，国家互联网信息办公室" -> one name
                out[name] = dedupe_source(clean_line(_text(value), name, warnings))
            else:
                out[name] = clean_line(_text(value), name, warnings)
        except FieldRefused as exc:
            raise CorpusError(str(exc), file=rec.file, row=rec.row, field=name) from exc
    return out


def build_item(rec: RawRecord) -> BuiltItem:
    """Clean and validate one record; raises CorpusError naming file, row and field."""
    warnings = list(rec.warnings)
    fields = _clean_fields(rec, warnings)
    origins = dict(rec.origins)
    pending = not fields.get("source") and rec.kind in _DOCUMENT_FORMS
    if pending:
        why = rec.missing.get("source") or "文件中没有发布方"
        warnings.append(f"source: 无法确定发布方（{why}），已记为{PENDING_SOURCE}；引用它的句子在编辑补全前为阻断项")
        fields["source"], origins["source"] = PENDING_SOURCE, "pending"
    for name in REQUIRED_FIELDS:
        if not (fields.get(name) if name != "date" else _text(rec.data.get("date"))):
            what = "为空" if name in rec.data else "缺失"
            reason = rec.missing.get(name)
            raise CorpusError(f"必填字段 {name} {what}" + (f"：{reason}" if reason else ""), file=rec.file,
                              row=rec.row, field=name)
    body = fields["body"] or ""
    size = len(body.encode("utf-8"))
    if size > MAX_BODY_BYTES:
        raise CorpusError(f"正文 {size:,} 字节，超过上限 {MAX_BODY_BYTES:,} 字节", file=rec.file, row=rec.row,
                          field="body")
    date = _parse_date(rec.data["date"], rec)
    category = fields.get("category") or None
    if category is not None and category not in CATEGORIES:
        raise CorpusError(f"类别 {category!r} 不在 {', '.join(CATEGORIES)} 之中", file=rec.file, row=rec.row,
                          field="category")
    title, source = fields["title"] or "", fields["source"] or ""
    kind, kind_origin = _source_kind(rec, title, body, "" if pending else source)
    if kind_origin != "default":  # the kind is on every report entry; its origin only when something set it
        origins["source_kind"] = kind_origin
    doc_id = fields.get("id") or derive_doc_id(date, title, body, source)
    if not fields.get("id"):
        origins["id"] = "derived"
    if "url" in rec.data and fields.get("url") is None:
        origins.pop("url", None)
    date_origin = origins.get("date", "record")
    item = NewsItem(doc_id=doc_id, date=date, title=title, body=body, source=source, url=fields.get("url"),
                    category=category, category_method="given" if category else None, date_origin=date_origin,
                    input_format=rec.kind, fields=_fields(rec.data, warnings), images=_images(rec.data, rec),
                    source_kind=kind, source_pending=pending)
    return BuiltItem(item, {k: v for k, v in origins.items() if k in _REPORTED}, warnings)


_REPORTED = frozenset({"id", "doc_id", "date", "title", "body", "source", "url", "category", "source_kind"})


def _source_kind(rec: RawRecord, title: str, body: str, source: str) -> tuple[str, str]:
    """(kind, origin): the record's own ``source_kind``/``kind`` (sidecar, front matter, column) wins; else the
    document's cues (a reader may already have detected them on the text before its furniture was removed)."""
    key = "source_kind" if _text(rec.data.get("source_kind")) else ("kind" if _text(rec.data.get("kind")) else None)
    if key is not None:
        value = _text(rec.data[key])
        kind = resolve_kind(value)
        if kind is None:
            known = "、".join(load_source_kinds().labels)
            raise CorpusError(f"来源类型 {value!r} 未知（可用：{known}，见 assistant/corpus/source_kinds.yaml）",
                              file=rec.file, row=rec.row, field=key)
        return kind, rec.origins.get(key, "record")
    kind, cue = detect_kind(title, body, source)
    return kind, f"cue（{cue}）" if cue else "default"


def to_news_item(rec: RawRecord) -> NewsItem:
    """Validate one record (see ``build_item``), without the report's view."""
    return build_item(rec).item


FIELD_KEYS = ("company", "sector", "intro", "round", "amount", "investors")


def _fields(data: dict[str, Any], warnings: list[str]) -> dict[str, str]:
    """Funding items' structured fields (contract section 2), when the record carries them, cleaned like any field."""
    out = {k: clean_line(_text(data.get(k)), k, warnings) for k in FIELD_KEYS if _text(data.get(k))}
    return {k: v for k, v in out.items() if v}


def _images(data: dict[str, Any], rec: RawRecord) -> list[str]:
    value = data.get("images")
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [value.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CorpusError("images 须为字符串列表（图片标题或文件名）", file=rec.file, row=rec.row, field="images")
    return [v.strip() for v in value if v.strip()]
