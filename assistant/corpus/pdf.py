"""PDF documents (pypdf): text in reading order, two-column pages read column by column, scans refused.

pypdf's layout mode renders each page as a character grid that keeps the horizontal positions; a column gutter is
then a band of the grid that is blank on (almost) every line, and the page is read left column, then right column.
Lines broken by the layout are joined back into sentences, so chunking does not cut a sentence at every line end.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zlib
from pathlib import Path
from typing import Any

from assistant.corpus import bounds
from assistant.corpus.documents import document_record
from assistant.corpus.furniture import strip_running_lines
from assistant.corpus.publishers import junk_title
from assistant.corpus.record import RawRecord
from assistant.errors import CorpusError

__all__ = ["headings", "join_wrapped_lines", "page_columns", "read_pdf"]

_PARAGRAPH_END = re.compile(r"[。！？；：:!?;）)」』”\"]$")
_NEW_PARAGRAPH = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十\d]+）|\(\d+\)|\d+[.、]|"
                            r"第[一二三四五六七八九十百\d]+[章节条]|[•·\-–])")
_MIN_COLUMN_LINES = 4


def join_wrapped_lines(text: str) -> str:
    """Undo the layout's line wrapping: a line that does not end a sentence and is about full width continues on
    the next one. A blank line, a short line or a numbered heading ends a paragraph."""
    raw = text.split("\n")
    lines = [line.strip() for line in raw]
    indents = [len(r) - len(r.lstrip()) for r in raw if r.strip()]
    margin = min(indents, default=0)
    widths = sorted(len(line) for line in lines if line)
    full = widths[len(widths) * 3 // 4] if widths else 0
    out: list[str] = []
    joinable = False
    for line, row in zip(lines, raw, strict=True):
        if not line:
            # a blank row between the lines of one sentence (wide line spacing) does not end it: a full-width line
            # that ends no sentence still continues below
            continue
        centred = len(row) - len(row.lstrip()) > margin + 3  # a centred heading, letterhead or signature line
        prev = out[-1] if out else ""
        if (joinable and not centred and not _PARAGRAPH_END.search(prev) and not _NEW_PARAGRAPH.match(line)
                and len(prev) >= 0.8 * full):
            # Chinese lines wrap anywhere, inside a number too ("300" + "0 万元"): no space; English wraps at spaces
            cjk = sum(1 for ch in prev if "\u4e00" <= ch <= "\u9fff") > 0.3 * len(prev)
            joiner = " " if not cjk and prev[-1].isascii() and prev[-1].isalnum() and line[0].isascii() else ""
            out[-1] = prev + joiner + line
        else:
            out.append(line)
        joinable = not centred
    return "\n".join(out)


def _occupied(line: str, x: int) -> bool:
    return any(i < len(line) and line[i] != " " for i in (x, x + 1))


def _gutter(lines: list[str]) -> int | None:
    """Grid column of a blank band in the middle third-ish of the page that splits most lines into two halves."""
    body = [line for line in lines if line.strip()]
    width = max((len(line) for line in body), default=0)
    if len(body) < _MIN_COLUMN_LINES or width < 20:
        return None
    best: tuple[int, int] | None = None
    for x in range(int(width * 0.3), int(width * 0.7)):
        crossing = sum(1 for line in body if _occupied(line, x))
        if best is None or crossing < best[0]:
            best = (crossing, x)
    if best is None or best[0] > max(3, len(body) // 10):
        return None
    x = best[1] + 1
    left = sum(1 for line in body if line[:x].strip())
    right = sum(1 for line in body if line[x:].strip())
    both = sum(1 for line in body if line[:x].strip() and line[x:].strip())
    if min(left, right) < 0.25 * len(body) or both < _MIN_COLUMN_LINES:
        return None
    return x


def page_columns(layout: str) -> str:
    """A page's text in reading order: full-width lines where they stand, column blocks left then right."""
    lines = layout.split("\n")
    gutter = _gutter(lines)
    if gutter is None:
        return join_wrapped_lines(layout)
    parts: list[str] = []
    left: list[str] = []
    right: list[str] = []

    def flush() -> None:
        for column in (left, right):
            if any(line.strip() for line in column):
                parts.append(join_wrapped_lines("\n".join(column)))
            column.clear()

    for line in lines:
        if _occupied(line, gutter - 1):
            flush()  # a line running across the gutter (title, heading, footer)
            parts.append(line.strip())
            continue
        left.append(line[:gutter])
        right.append(line[gutter:])
    flush()
    return "\n".join(p for p in parts if p.strip())


def _meta_text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _meta_date(meta: Any) -> dt.date | None:
    for attribute in ("creation_date", "modification_date"):
        try:
            value = getattr(meta, attribute, None)
        except (ValueError, TypeError):  # a malformed date string in the document info
            value = None
        if isinstance(value, dt.datetime):
            return value.date()
    return None


def read_pdf(path: Path, raw: bytes) -> RawRecord | CorpusError:
    """A PDF with a text layer; a scanned one (images only) is refused with that reason."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            return CorpusError("PDF 已加密，无法读取文字", file=str(path), row=1)
        bounds.check_pages(len(reader.pages), str(path))
        pages = [page_columns(p.extract_text(extraction_mode="layout")) for p in reader.pages]
        meta = reader.metadata
        # font sizes cost a second pass over page 1: only when the properties' title is not printed at its head
        # (missing, a software default, a template's "行业点评")
        printed = _meta_text(meta.title if meta else None)
        head = {re.sub(r"\s+", "", line) for line in (pages[0] if pages else "").split("\n")[:12]}
        wanted = not printed or junk_title(printed) or re.sub(r"\s+", "", printed) not in head
        heads = headings(reader.pages[0]) if wanted and reader.pages else []
    except CorpusError as exc:
        return exc
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError,
            zlib.error) as exc:
        return CorpusError(f"PDF 无法解析: {type(exc).__name__}", file=str(path), row=1)
    text = "\n".join(p.strip() for p in pages if p.strip())
    if not text.strip():
        return CorpusError(f"PDF 共 {len(pages)} 页，没有可提取的文字层（可能是扫描件或图片），请先 OCR，"
                           f"或在 sidecar 文件 {path.name}.yaml 中提供字段", file=str(path), row=1, field="body")
    kept, removed = strip_running_lines([p.strip() for p in pages if p.strip()])
    return document_record(path, "pdf", text, title=_meta_text(meta.title if meta else None),
                           author=_meta_text(meta.author if meta else None),
                           meta_date=_meta_date(meta) if meta else None, headings=heads,
                           body_text="\n".join(kept), removed=removed)


_HEADING_RATIO = 1.2  # a title is set at least this much larger than the page's body text


def headings(page: Any) -> list[str]:
    """Text set larger than the page's body text, one entry per font size, largest first (page 1: the issuing body
    in its large type, then the title)."""
    runs: list[tuple[float, float, str]] = []

    def visit(text: str, cm: Any, tm: Any, _font: Any, size: Any) -> None:
        if text.strip() and size:
            scale = abs(float(tm[3]) * float(cm[3])) or 1.0
            runs.append((round(float(size) * scale, 1), float(tm[5]) * abs(float(cm[3])), text.strip()))

    try:
        page.extract_text(visitor_text=visit)
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError):
        return []
    if len(runs) < 2:
        return []
    sizes = sorted(size for size, _y, text in runs for _ in range(len(text)))
    body = sizes[len(sizes) // 2]
    out = []
    for top in sorted({size for size, _y, _t in runs if size >= body * _HEADING_RATIO}, reverse=True):
        lines = sorted(((y, text) for size, y, text in runs if size == top), key=lambda r: -r[0])
        text = " ".join("".join(t for _y, t in lines).split())
        if text:
            out.append(text)
    return out
