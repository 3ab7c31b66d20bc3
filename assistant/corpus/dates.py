"""Dates found in documents (text, URLs, document metadata) and the plausibility warnings on every item's date."""

from __future__ import annotations

import calendar
import datetime as dt
import re

__all__ = ["DATE_ORIGINS", "date_from_url", "date_warnings", "dates_in_text", "document_date"]

# Where an item's date came from, kept on NewsItem.date_origin.
DATE_ORIGINS = ("record", "front_matter", "sidecar", "page_metadata", "feed", "document_metadata", "url", "text")

_EARLIEST = dt.date(2000, 1, 1)
_CN = re.compile(r"(20\d{2}|19\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ISO = re.compile(r"(?<!\d)(20\d{2}|19\d{2})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_URL = re.compile(r"(?<!\d)(20\d{2})[-/_]?(0[1-9]|1[0-2])[-/_]?(0[1-9]|[12]\d|3[01])(?!\d)")
_LABEL = re.compile(r"(?:发布|印发|成文|发文|公布|落款|签发)(?:日期|时间)?\s*[:：]?\s*$|日期\s*[:：]\s*$")
_LABEL_AFTER = re.compile(r"^\s*(?:发布|印发|公布|签发)(?!会)")  # "2024-09-09 发布" (standards print it so)
_HEAD = 300


def _make(y: str, m: str, d: str) -> dt.date | None:
    try:
        return dt.date(int(y), int(m), int(d))
    except ValueError:
        return None


def dates_in_text(text: str) -> list[tuple[int, dt.date]]:
    """(position, date) of every ``2024年7月5日`` / ``2024-07-05`` / ``2024/7/5`` in the text, in order."""
    found = [(m.start(), _make(*m.groups())) for rx in (_CN, _ISO) for m in rx.finditer(text)]
    return sorted((pos, d) for pos, d in found if d is not None)


def date_from_url(url: str | None) -> dt.date | None:
    """A date in the URL's path (``/2024/07/12/``, ``20240712``), as news sites put it."""
    if not url:
        return None
    match = _URL.search(url)
    return _make(*match.groups()) if match else None


def _date_end(text: str, pos: int) -> int:
    match = _CN.match(text, pos) or _ISO.match(text, pos)
    return match.end() if match else pos


def document_date(text: str, metadata_date: dt.date | None) -> tuple[dt.date, str] | None:
    """The date printed in a PDF/Word document before any file date: a labelled date (发布日期：…/成文日期/…
    or "2024-09-09 发布"), the signature date closing the text, a date at the head under the title; else the
    document's metadata (creation) date, else the first date in the text. Returns (date, origin)."""
    found = dates_in_text(text)
    for pos, day in found:
        if _LABEL.search(text[max(0, pos - 12):pos]) or _LABEL_AFTER.match(text, _date_end(text, pos)):
            return day, "text"
    tail = len(text) - 200
    closing = [d for pos, d in found if pos >= tail]
    if closing:
        return closing[-1], "text"
    heading = [d for pos, d in found if pos < _HEAD]
    if heading:
        return heading[0], "text"
    if metadata_date is not None:
        return metadata_date, "document_metadata"
    return (found[0][1], "text") if found else None


def date_warnings(day: dt.date, report_month: str | None = None, today: dt.date | None = None) -> list[str]:
    """Warnings for a date far outside the data: before 2000, after today, or after the report month."""
    today = today or dt.date.today()
    out = []
    if day < _EARLIEST:
        out.append(f"date: 日期 {day.isoformat()} 早于 2000 年，请核对")
    if day > today:
        out.append(f"date: 日期 {day.isoformat()} 在今天之后，请核对")
    if report_month:
        year, month = (int(p) for p in report_month.split("-")[:2])
        end = dt.date(year, month, calendar.monthrange(year, month)[1])
        if day > end and day <= today:
            out.append(f"date: 日期 {day.isoformat()} 晚于报告月份 {report_month}，请核对")
    return out
