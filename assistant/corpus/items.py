"""Raw record -> validated ``NewsItem``: required fields, dates, sizes, ids and content hashes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable
from typing import Any

from assistant.corpus.readers import RawRecord
from assistant.errors import CorpusError
from assistant.models import CATEGORIES, NewsItem

__all__ = ["MAX_BODY_BYTES", "REQUIRED_FIELDS", "content_hash", "corpus_hash", "derive_doc_id", "to_news_item"]

REQUIRED_FIELDS = ("date", "title", "body", "source")
MAX_BODY_BYTES = 1_000_000
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")


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
    """Hash of everything the source supplied (not derived fields), to detect changed items on re-ingest."""
    payload = [item.doc_id, item.date.isoformat(), item.title, item.body, item.source, item.url or "",
               item.category if item.category_method == "given" else ""]
    if item.fields or item.images:  # only then, so the hashes of corpora without them do not change
        payload += [json.dumps(item.fields, ensure_ascii=False, sort_keys=True), *item.images]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode("utf-8")).hexdigest()[:32]


def corpus_hash(items: Iterable[NewsItem]) -> str:
    """One hash for a whole corpus (order-independent), recorded in report provenance."""
    h = hashlib.sha256()
    for digest in sorted(content_hash(i) for i in items):
        h.update(digest.encode("ascii"))
    return h.hexdigest()[:32]


def to_news_item(rec: RawRecord) -> NewsItem:
    """Validate one record; raises CorpusError naming file, row and field."""
    data = rec.data
    for name in REQUIRED_FIELDS:
        if not _text(data.get(name)):
            what = "为空" if name in data else "缺失"
            raise CorpusError(f"必填字段 {name} {what}", file=rec.file, row=rec.row, field=name)
    body = _text(data["body"])
    size = len(body.encode("utf-8"))
    if size > MAX_BODY_BYTES:
        raise CorpusError(f"正文 {size:,} 字节，超过上限 {MAX_BODY_BYTES:,} 字节", file=rec.file, row=rec.row,
                          field="body")
    date = _parse_date(data["date"], rec)
    category = _text(data.get("category")) or None
    if category is not None and category not in CATEGORIES:
        raise CorpusError(f"类别 {category!r} 不在 {', '.join(CATEGORIES)} 之中", file=rec.file, row=rec.row,
                          field="category")
    title, source = _text(data["title"]), _text(data["source"])
    doc_id = _text(data.get("id") or data.get("doc_id")) or derive_doc_id(date, title, body, source)
    return NewsItem(doc_id=doc_id, date=date, title=title, body=body, source=source,
                    url=_text(data.get("url")) or None, category=category,
                    category_method="given" if category else None, fields=_fields(data),
                    images=_images(data, rec))


FIELD_KEYS = ("company", "sector", "intro", "round", "amount", "investors")


def _fields(data: dict[str, Any]) -> dict[str, str]:
    """Funding items' structured fields (contract section 2), when the record carries them."""
    return {k: _text(data[k]) for k in FIELD_KEYS if _text(data.get(k))}


def _images(data: dict[str, Any], rec: RawRecord) -> list[str]:
    value = data.get("images")
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [value.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CorpusError("images 须为字符串列表（图片标题或文件名）", file=rec.file, row=rec.row, field="images")
    return [v.strip() for v in value if v.strip()]
