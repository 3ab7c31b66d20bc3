"""RSS/Atom feed files (feedparser): one record per entry; the feed's title is the publisher; each entry's body
loses its page furniture as a saved page's does."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from pathlib import Path
from typing import Any

from assistant.corpus.clean import strip_markup
from assistant.corpus.dates import date_from_url
from assistant.corpus.documents import furniture_warning, put_kind
from assistant.corpus.furniture import strip_furniture
from assistant.corpus.publishers import settle_source
from assistant.corpus.record import RawRecord
from assistant.errors import CorpusError

__all__ = ["read_feed"]


def _entry_date(entry: Any) -> dt.date | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if isinstance(value, time.struct_time):
            return dt.date(value.tm_year, value.tm_mon, value.tm_mday)
    return None


def _entry_body(entry: Any) -> str:
    """The fullest text the entry carries: content:encoded / Atom content, else the summary."""
    contents = [c.get("value", "") for c in entry.get("content") or [] if isinstance(c, dict)]
    best = max(contents, key=len, default="")
    summary = str(entry.get("summary") or "")
    return best if len(best) >= len(summary) else summary


def read_feed(path: Path) -> list[RawRecord | CorpusError]:
    import feedparser

    parsed = feedparser.parse(path.read_bytes(), sanitize_html=True, resolve_relative_uris=False)
    feed = parsed.get("feed") or {}
    entries = parsed.get("entries") or []
    if not entries:
        reason = f"不是可解析的 RSS/Atom 订阅文件: {parsed.get('bozo_exception')}" if parsed.get("bozo") else \
            "RSS/Atom 文件中没有条目"
        return [CorpusError(reason, file=str(path), row=1)]
    publisher = settle_source(str(feed.get("title") or ""))[0] or ""
    out: list[RawRecord | CorpusError] = []
    for row, entry in enumerate(entries, start=1):
        data: dict[str, Any] = {}
        origins: dict[str, str] = {}
        guid = str(entry.get("id") or "").strip()
        if guid:  # a stable id from the entry's GUID: re-ingesting the feed is idempotent
            data["id"], origins["id"] = "g" + hashlib.sha1(guid.encode("utf-8")).hexdigest()[:16], "feed"
        # Feeds carry the article's HTML with its furniture (bylines, share bars, related links), as pages do.
        raw_body = strip_markup(_entry_body(entry))
        body, removed = strip_furniture(raw_body)
        for name, value in (("title", entry.get("title")), ("url", entry.get("link")),
                            ("body", body), ("source", publisher)):
            if value and str(value).strip():
                data[name], origins[name] = str(value), "feed"
        if entry.get("source") and isinstance(entry["source"], dict) and entry["source"].get("title"):
            data["source"], origins["source"] = str(entry["source"]["title"]), "feed"
        day, origin = _entry_date(entry), "feed"
        if day is None:
            day, origin = date_from_url(data.get("url")), "url"
        if day is None:
            out.append(CorpusError(f"第 {row} 个条目没有发布日期（pubDate/published/updated）", file=str(path),
                                   row=row, field="date"))
            continue
        data["date"], origins["date"] = day.isoformat(), origin
        put_kind(data, origins, str(data.get("title", "")), raw_body, str(data.get("source", "")))
        out.append(RawRecord(str(path), row, data, "feed", origins, furniture_warning(removed)))
    return out
