"""Documents as analysts collect them: saved web pages (trafilatura) and Word notes (python-docx); PDF in
``assistant.corpus.pdf``.

Each reader returns one raw record with the fields it could determine and where each came from, or a
``CorpusError`` naming the file and the reason (no text layer, unreadable file, no date).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from assistant.corpus import bounds
from assistant.corpus.clean import html_to_text
from assistant.corpus.dates import date_from_url, dates_in_text, document_date
from assistant.corpus.furniture import strip_furniture
from assistant.corpus.heads import document_title, issuing_body, signature_body, strip_letterhead
from assistant.corpus.kinds import detect_kind
from assistant.corpus.publishers import (
    junk_author,
    junk_title,
    load_publishers,
    page_account,
    settle_source,
    site_from_title_tag,
)
from assistant.corpus.record import RawRecord
from assistant.errors import CorpusError

__all__ = ["document_record", "furniture_warning", "put_kind", "read_docx", "read_page"]

# "来源：新华网" / "发文机关：…" — not "资料来源：Wind" under a chart or table
_SOURCE_LINE = re.compile(r"(?<!资料)(?<!数据)(?<!图片)(?<!图表)(?:来源|来自|发布单位|发文机关|发布机构|Source)\s*[:：]\s*"
                          r"([^\s|｜/，,。]{2,40})")
_NO_DATE = "无法确定日期（{where}均没有日期），可在同名 sidecar 文件 {name}.yaml 中提供 date"
_WECHAT_HOSTS = ("mp.weixin.qq.com", "weixin.qq.com")


def _labelled_source(text: str) -> str | None:
    match = _SOURCE_LINE.search(text[:2000])
    return match.group(1) if match else None


def _drop_title_line(body: str, title: str) -> str:
    """The body without its title line (the first line, or one of the first three under a 文号 or banner)."""
    lines = body.strip().split("\n")
    want = " ".join(title.split())
    for i, line in enumerate(lines[:3]):
        if want and " ".join(line.split()) == want:
            return "\n".join(lines[:i] + lines[i + 1:]).strip()
    return "\n".join(lines).strip()


def _put(data: dict[str, Any], origins: dict[str, str], name: str, value: Any, origin: str) -> None:
    if value is not None and str(value).strip() and name not in data:
        data[name] = value
        origins[name] = origin


def _put_source(data: dict[str, Any], origins: dict[str, str], value: str | None, origin: str, title: str,
                notes: list[str]) -> None:
    """A publisher candidate, settled (host -> name, duplicates merged, platform or title refused)."""
    if "source" in data or not value:
        return
    name, how = settle_source(value, title=title)
    if name is None:
        if how == "title":
            notes.append(f"source: 候选发布方“{value}”与标题相同，未采用")
        return
    data["source"] = name
    origins["source"] = {"host_map": f"{origin}（域名映射）", "host": origin}.get(how, origin)
    if how == "host":
        notes.append(f"source: 发布方只有域名 {name}，可在 assistant/corpus/publishers.yaml 的 hosts 中补充名称")


def put_kind(data: dict[str, Any], origins: dict[str, str], title: str, text: str, source: str) -> None:
    """The source kind the document's own text shows (a broker's banner, a transcript's header), detected before
    that furniture is removed; a sidecar or front matter still wins."""
    kind, cue = detect_kind(title, text, source)
    if cue:
        _put(data, origins, "source_kind", kind, f"cue（{cue}）")


def furniture_warning(removed: int) -> tuple[str, ...]:
    return (f"body: 已去除 {removed} 行版面内容（页眉页脚、页码、报告抬头、署名、会议信息、声明、相关阅读等）",) \
        if removed else ()


# ---------------------------------------------------------------- saved web pages
_SHORT_TEXT = 200


def _extract(text: str, *, fast: bool) -> Any:
    import trafilatura

    doc = trafilatura.bare_extraction(text, fast=fast, with_metadata=True, include_comments=False,
                                      include_tables=True, include_images=False, include_links=False,
                                      favor_precision=True,
                                      date_extraction_params={"extensive_search": False, "original_date": True})
    return None if doc is None or isinstance(doc, dict) else doc


def _is_platform_page(url: str | None, sitename: str | None, markup: str) -> bool:
    host = (urlsplit(url).hostname or "") if url else ""
    return (host.endswith(_WECHAT_HOSTS) or (sitename or "").strip().lower() in load_publishers().platforms
            or 'id="js_name"' in markup or "var nickname" in markup)


def read_page(path: Path, text: str) -> RawRecord | CorpusError:
    """A page saved from the browser: main text without navigation, adverts, comments, scripts, related links;
    the publisher as a name (an account's name on WeChat pages, a forum's name, a host mapped to its publisher)."""
    doc = _extract(text, fast=True)
    if doc is None or len(doc.text or "") < _SHORT_TEXT:
        doc = _extract(text, fast=False) or doc  # the fallback extractors, for pages the fast path reads poorly
    if doc is None or not (doc.text or "").strip():
        return CorpusError("网页中没有可提取的正文", file=str(path), row=1)
    data: dict[str, Any] = {}
    origins: dict[str, str] = {}
    notes: list[str] = []
    url = doc.url if doc.url and doc.url.startswith(("http://", "https://")) else None
    title = doc.title or ""
    _put(data, origins, "title", title if not junk_title(title) else None, "page_metadata")
    _put(data, origins, "url", url, "page_metadata")
    if _is_platform_page(url, doc.sitename, text):
        _put_source(data, origins, page_account(text), "page_account", title, notes)
    else:
        _put_source(data, origins, doc.sitename, "page_metadata", title, notes)
    raw_body = _drop_title_line(doc.text or "", title)
    body, removed = strip_furniture(raw_body)
    _put(data, origins, "body", body, "page_text")
    _put(data, origins, "date", doc.date, "page_metadata")
    _put(data, origins, "date", date_from_url(url), "url")
    page_text = html_to_text(text) if ("date" not in data or "source" not in data) else ""
    if "date" not in data:  # the whole page's text: bylines sit outside the main text
        found = dates_in_text(raw_body[:500]) or dates_in_text(page_text)
        _put(data, origins, "date", found[0][1] if found else None, "text")
    if "source" not in data:
        _put_source(data, origins, _labelled_source(raw_body) or _labelled_source(page_text), "text", title, notes)
        _put_source(data, origins, site_from_title_tag(text, title), "page_title", title, notes)
        _put_source(data, origins, urlsplit(url).hostname if url else None, "url", title, notes)
    put_kind(data, origins, title, raw_body, str(data.get("source", "")))
    missing = {}
    if "date" not in data:
        missing["date"] = _NO_DATE.format(where="网页元数据、链接和正文", name=path.name)
    elif isinstance(data["date"], dt.date):
        data["date"] = data["date"].isoformat()
    if "title" not in data:
        missing["title"] = f"网页没有标题，可在 sidecar 文件 {path.name}.yaml 中提供 title"
    if "source" not in data:
        missing["source"] = f"网页中没有站点或账号名称，也没有链接，可在 sidecar 文件 {path.name}.yaml 中提供 source"
    return RawRecord(str(path), 1, data, "page", origins, (*notes, *furniture_warning(removed)), missing=missing)


# ---------------------------------------------------------------- Word
def read_docx(path: Path, raw: bytes) -> RawRecord | CorpusError:
    """A Word note: paragraphs and table cells in order; title/author/created from the document properties unless
    they are software defaults ("新建 Microsoft Word 文档", "Administrator")."""
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
    return document_record(path, "docx", text, title=(props.title or "").strip() or None,
                           headings=[heading] if heading else [],
                           author=(props.author or "").strip() or None,
                           meta_date=created.date() if created else None)


def document_record(path: Path, kind: str, text: str, *, title: str | None, author: str | None,
                    meta_date: dt.date | None, headings: Sequence[str] = (), body_text: str | None = None,
                    removed: int = 0) -> RawRecord | CorpusError:
    """A PDF/Word record: title, publisher, date and kind from the properties or the document's own text, each with
    its origin. ``text`` is the text as read (issuer, banner and dates still in it); ``body_text`` the same without
    the running headers already removed (``removed`` lines), from which the body is made."""
    data: dict[str, Any] = {}
    origins: dict[str, str] = {}
    notes: list[str] = []
    body, stripped = strip_furniture(body_text if body_text is not None else text)
    removed += stripped
    if title and junk_title(title):
        notes.append(f"title: 文档属性中的标题“{title}”是软件默认值或文件名，未采用")
        title = None
    # the title as printed (largest heading of page 1, a Heading paragraph) before the properties, which are often
    # a template's or a draft's ("行业点评", "定稿0906")
    found_title = document_title(body_text if body_text is not None else text, headings)
    if found_title in headings:
        _put(data, origins, "title", found_title, "heading")
    _put(data, origins, "title", title, "document_metadata")
    _put(data, origins, "title", found_title, "text")
    _put(data, origins, "title", path.stem if not junk_title(path.stem) else None, "file_name")
    name = str(data.get("title", ""))
    _put_source(data, origins, _labelled_source(text), "text", name, notes)
    _put_source(data, origins, issuing_body(text), "document_head", name, notes)
    _put_source(data, origins, signature_body(text), "signature", name, notes)
    _put_source(data, origins, author if not junk_author(author) else None, "document_metadata", name, notes)
    _put(data, origins, "body", strip_letterhead(_drop_title_line(body, name), name), "text")
    put_kind(data, origins, name, text, str(data.get("source", "")))
    where = "文档属性和正文" if kind == "docx" else "PDF 元数据和正文"
    missing = {}
    found = document_date(text, meta_date)
    if found is None:
        missing["date"] = _NO_DATE.format(where=where, name=path.name)
    else:
        data["date"], origins["date"] = found[0].isoformat(), found[1]
    if "source" not in data:
        missing["source"] = (f"{where}中没有发布方（页首发文机关、落款、“来源：”行或作者属性），"
                             f"可在 sidecar 文件 {path.name}.yaml 中提供 source")
    if "title" not in data:
        missing["title"] = f"{where}中没有标题，可在 sidecar 文件 {path.name}.yaml 中提供 title"
    return RawRecord(str(path), 1, data, kind, origins, (*notes, *furniture_warning(removed)), missing=missing)
