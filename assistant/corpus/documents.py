"""Documents as analysts collect them: saved web pages (trafilatura) and Word notes (python-docx); PDF in
``assistant.corpus.pdf``.

Each reader returns one raw record with the fields it could determine and where each came from, or a
``CorpusError`` naming the file and the reason (no text layer, unreadable file, no date).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from assistant.corpus import bounds
from assistant.corpus.clean import html_to_text
from assistant.corpus.dates import date_from_url, dates_in_text, document_date
from assistant.corpus.readers import RawRecord
from assistant.errors import CorpusError

__all__ = ["document_record", "read_docx", "read_page"]

_SOURCE_LINE = re.compile(r"(?:来源|来自|发布单位|发文机关|发布机构|Source)\s*[:：]\s*([^\s|｜/，,。]{2,40})")
_NO_DATE = "无法确定日期（{where}均没有日期），可在同名 sidecar 文件 {name}.yaml 中提供 date"


def _labelled_source(text: str) -> str | None:
    match = _SOURCE_LINE.search(text[:2000])
    return match.group(1) if match else None


def _drop_title_line(body: str, title: str) -> str:
    lines = body.strip().split("\n")
    if lines and title and lines[0].strip() == title.strip():
        lines = lines[1:]
    return "\n".join(lines).strip()


def _put(data: dict[str, Any], origins: dict[str, str], name: str, value: Any, origin: str) -> None:
    if value is not None and str(value).strip() and name not in data:
        data[name] = value
        origins[name] = origin


# ---------------------------------------------------------------- saved web pages
_SHORT_TEXT = 200


def _extract(text: str, *, fast: bool) -> Any:
    import trafilatura

    doc = trafilatura.bare_extraction(text, fast=fast, with_metadata=True, include_comments=False,
                                      include_tables=True, include_images=False, include_links=False,
                                      favor_precision=True,
                                      date_extraction_params={"extensive_search": False, "original_date": True})
    return None if doc is None or isinstance(doc, dict) else doc


def read_page(path: Path, text: str) -> RawRecord | CorpusError:
    """A page saved from the browser: main text without navigation, adverts, comments, scripts, related links."""
    doc = _extract(text, fast=True)
    if doc is None or len(doc.text or "") < _SHORT_TEXT:
        doc = _extract(text, fast=False) or doc  # the fallback extractors, for pages the fast path reads poorly
    if doc is None or not (doc.text or "").strip():
        return CorpusError("网页中没有可提取的正文", file=str(path), row=1)
    data: dict[str, Any] = {}
    origins: dict[str, str] = {}
    url = doc.url if doc.url and doc.url.startswith(("http://", "https://")) else None
    _put(data, origins, "title", doc.title, "page_metadata")
    _put(data, origins, "url", url, "page_metadata")
    _put(data, origins, "source", doc.sitename, "page_metadata")
    body = _drop_title_line(doc.text or "", doc.title or "")
    _put(data, origins, "body", body, "page_text")
    _put(data, origins, "date", doc.date, "page_metadata")
    _put(data, origins, "date", date_from_url(url), "url")
    if "date" not in data or "source" not in data:
        page_text = html_to_text(text)  # the whole page's text: bylines sit outside the main text
        if "date" not in data:
            found = dates_in_text(body[:500]) or dates_in_text(page_text)
            _put(data, origins, "date", found[0][1] if found else None, "text")
        _put(data, origins, "source", _labelled_source(body) or _labelled_source(page_text), "text")
        _put(data, origins, "source", urlsplit(url).hostname if url else None, "url")
    missing = {}
    if "date" not in data:
        missing["date"] = _NO_DATE.format(where="网页元数据、链接和正文", name=path.name)
    elif isinstance(data["date"], dt.date):
        data["date"] = data["date"].isoformat()
    if "title" not in data:
        missing["title"] = f"网页没有标题，可在 sidecar 文件 {path.name}.yaml 中提供 title"
    if "source" not in data:
        missing["source"] = f"网页元数据中没有站点名称，也没有链接，可在 sidecar 文件 {path.name}.yaml 中提供 source"
    return RawRecord(str(path), 1, data, "page", origins, missing=missing)


# ---------------------------------------------------------------- Word
def read_docx(path: Path, raw: bytes) -> RawRecord | CorpusError:
    """A Word note: paragraphs and table cells in order; title/author/created from the document properties."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import LxmlError

    try:
        bounds.check_office_zip(raw, str(path))  # inflated XML size, DTDs, CRCs: before python-docx parses it
        document = docx.Document(io.BytesIO(raw))
        lines, heading = bounds.docx_text(document, file=str(path))  # body order, linear time
    except CorpusError as exc:
        return CorpusError(f"Word 文件无法解析：{exc.reason}", file=str(path), row=1, field=exc.field)
    except (PackageNotFoundError, *bounds.ZIP_ERRORS, LxmlError, SyntaxError) as exc:
        return CorpusError(f"Word 文件无法解析: {type(exc).__name__}", file=str(path), row=1)
    text = "\n".join(line for line in lines if line)
    if not text:
        return CorpusError("Word 文件没有文字", file=str(path), row=1, field="body")
    props = document.core_properties
    created = props.created or props.modified
    return document_record(path, "docx", text, title=(props.title or "").strip() or heading,
                            author=(props.author or "").strip() or None,
                            meta_date=created.date() if created else None)


def document_record(path: Path, kind: str, text: str, *, title: str | None, author: str | None,
                    meta_date: dt.date | None) -> RawRecord | CorpusError:
    """A PDF/Word record: title, publisher and date from the properties or the text, each with its origin."""
    data: dict[str, Any] = {}
    origins: dict[str, str] = {}
    first_line = text.strip().split("\n", 1)[0].strip()
    _put(data, origins, "title", title, "document_metadata")
    _put(data, origins, "title", first_line, "text")
    _put(data, origins, "source", _labelled_source(text), "text")
    _put(data, origins, "source", author, "document_metadata")
    _put(data, origins, "body", _drop_title_line(text, str(data["title"])), "text")
    where = "文档属性和正文" if kind == "docx" else "PDF 元数据和正文"
    missing = {}
    found = document_date(text, meta_date)
    if found is None:
        missing["date"] = _NO_DATE.format(where=where, name=path.name)
    else:
        data["date"], origins["date"] = found[0].isoformat(), found[1]
    if "source" not in data:
        missing["source"] = (f"{where}中没有发布方（作者属性或“来源：”行），"
                             f"可在 sidecar 文件 {path.name}.yaml 中提供 source")
    return RawRecord(str(path), 1, data, kind, origins, missing=missing)
