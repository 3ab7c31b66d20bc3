"""Documents as analysts collect them: saved web pages (trafilatura), PDF (pdfplumber), Word (python-docx).

Each reader returns one raw record with the fields it could determine and where each came from, or a
``CorpusError`` naming the file and the reason (no text layer, unreadable file, no date).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from assistant.corpus.clean import html_to_text
from assistant.corpus.dates import date_from_url, dates_in_text, document_date
from assistant.corpus.readers import RawRecord
from assistant.errors import CorpusError

__all__ = ["join_wrapped_lines", "read_docx", "read_page", "read_pdf"]

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
def read_page(path: Path, text: str) -> RawRecord | CorpusError:
    """A page saved from the browser: main text without navigation, adverts, comments, scripts, related links."""
    import trafilatura

    doc = trafilatura.bare_extraction(text, with_metadata=True, include_comments=False, include_tables=True,
                                      include_images=False, include_links=False, favor_precision=True,
                                      date_extraction_params={"extensive_search": False, "original_date": True})
    if doc is None or isinstance(doc, dict) or not (doc.text or "").strip():
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
    if "date" not in data:
        found = dates_in_text(body[:500]) or dates_in_text(html_to_text(text))
        _put(data, origins, "date", found[0][1] if found else None, "text")
    if "source" not in data and url:
        _put(data, origins, "source", _labelled_source(body) or urlsplit(url).hostname, "url")
    _put(data, origins, "source", _labelled_source(html_to_text(text)), "text")
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


# ---------------------------------------------------------------- PDF
def _gutter(words: Sequence[dict[str, Any]], width: float) -> float | None:
    """The x of an empty vertical band in the middle of the page that splits the words into two columns."""
    best: tuple[int, float] | None = None
    x = width * 0.3
    while x <= width * 0.7:
        covering = sum(1 for w in words if w["x0"] < x < w["x1"])
        if best is None or covering < best[0]:
            best = (covering, x)
        x += 2.0
    if best is None or best[0] > 3:
        return None
    left = sum(1 for w in words if w["x1"] <= best[1])
    right = sum(1 for w in words if w["x0"] >= best[1])
    return best[1] if min(left, right) >= 0.25 * len(words) else None


def _page_text(page: Any) -> str:
    """Text in reading order; a two-column page is read column by column, not line across line."""
    words = page.extract_words()
    if len(words) < 20:
        return join_wrapped_lines(str(page.extract_text() or ""))
    width, height = float(page.width), float(page.height)
    gutter = _gutter(words, width)
    if gutter is None:
        return join_wrapped_lines(str(page.extract_text() or ""))
    crossing = [w for w in words if w["x0"] < gutter < w["x1"]]
    top = max((w["bottom"] for w in crossing if w["top"] < height * 0.4), default=0.0)
    bottom = min((w["top"] for w in crossing if w["top"] > height * 0.85), default=height)
    if any(height * 0.4 <= w["top"] <= height * 0.85 for w in crossing):  # a full-width line mid-page
        return join_wrapped_lines(str(page.extract_text() or ""))
    boxes = [(0, 0, width, top), (0, top, gutter, bottom), (gutter, top, width, bottom), (0, bottom, width, height)]
    # within_bbox, not crop: a character straddling a column edge must not be read twice
    parts = [page.within_bbox(box).extract_text() or "" for box in boxes
             if box[3] - box[1] > 1 and box[2] - box[0] > 1]
    return "\n".join(join_wrapped_lines(p) for p in parts if p.strip())


_PARAGRAPH_END = re.compile(r"[。！？；：:!?;）)」』”\"]$")
_NEW_PARAGRAPH = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十\d]+）|\(\d+\)|\d+[.、]|第[一二三四五六七八九十百\d]+[章节条]|[•·\-–])")


def join_wrapped_lines(text: str) -> str:
    """Undo the layout's line wrapping: a line that does not end a sentence and is about full width continues on
    the next (a PDF puts a newline at every line end, which would otherwise cut sentences for chunking)."""
    lines = [line.strip() for line in text.split("\n")]
    widths = sorted(len(line) for line in lines if line)
    full = widths[len(widths) * 3 // 4] if widths else 0
    out: list[str] = []
    for line in lines:
        if not line:
            continue
        prev = out[-1] if out else ""
        if prev and not _PARAGRAPH_END.search(prev) and not _NEW_PARAGRAPH.match(line) and len(prev) >= 0.8 * full:
            joiner = " " if prev[-1].isascii() and prev[-1].isalnum() and line[0].isascii() else ""
            out[-1] = prev + joiner + line
        else:
            out.append(line)
    return "\n".join(out)


def _pdf_date(value: Any) -> dt.date | None:
    match = re.match(r"(?:D:)?(\d{4})(\d{2})(\d{2})", str(value or ""))
    if not match:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _meta_text(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value).strip() if value is not None else ""
    return text or None


def read_pdf(path: Path, raw: bytes) -> RawRecord | CorpusError:
    """A PDF with a text layer; a scanned one (images only) is refused with that reason."""
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        with pdfplumber.open(io.BytesIO(raw)) as pdf:
            meta = dict(pdf.metadata or {})
            pages = [_page_text(p) for p in pdf.pages]
    except (PdfminerException, PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as exc:
        return CorpusError(f"PDF 无法解析: {type(exc).__name__}", file=str(path), row=1)
    text = "\n".join(p.strip() for p in pages if p.strip())
    if not text.strip():
        return CorpusError(f"PDF 共 {len(pages)} 页，没有可提取的文字层（可能是扫描件或图片），请先 OCR，"
                           f"或在 sidecar 文件 {path.name}.yaml 中提供字段", file=str(path), row=1, field="body")
    return _document_record(path, "pdf", text, title=_meta_text(meta.get("Title")),
                            author=_meta_text(meta.get("Author")),
                            meta_date=_pdf_date(meta.get("CreationDate") or meta.get("ModDate")))


# ---------------------------------------------------------------- Word
def read_docx(path: Path, raw: bytes) -> RawRecord | CorpusError:
    """A Word note: paragraphs and table cells in order; title/author/created from the document properties."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(raw))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        return CorpusError(f"Word 文件无法解析: {type(exc).__name__}", file=str(path), row=1)
    lines = [p.text.strip() for p in document.paragraphs]
    for table in document.tables:
        lines += [" | ".join(c.text.strip() for c in row.cells) for row in table.rows]
    text = "\n".join(line for line in lines if line)
    if not text:
        return CorpusError("Word 文件没有文字", file=str(path), row=1, field="body")
    heading = next((p.text.strip() for p in document.paragraphs if p.text.strip()
                    and (p.style is not None and (p.style.name or "").startswith(("Title", "Heading")))), None)
    props = document.core_properties
    created = props.created or props.modified
    return _document_record(path, "docx", text, title=(props.title or "").strip() or heading,
                            author=(props.author or "").strip() or None,
                            meta_date=created.date() if created else None)


def _document_record(path: Path, kind: str, text: str, *, title: str | None, author: str | None,
                     meta_date: dt.date | None) -> RawRecord | CorpusError:
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
