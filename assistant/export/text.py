"""Pure text helpers for export: Markdown escaping, inline runs for Word, 表/图 numbering, chapter numerals.

Section markdown is Markdown but never HTML: ``neutralize_html`` escapes every ``<`` outside code spans so a
Markdown viewer shows ``<img src=x onerror=alert(1)>`` as literal text. Data fields (table cells, source titles,
publishers, URLs) are not Markdown at all: ``escape_data`` escapes every character Markdown would interpret.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.safety import one_line, strip_format

__all__ = [
    "chapter_level",
    "escape_data",
    "inline_runs",
    "neutralize_html",
    "neutralize_line",
    "neutralize_markdown",
    "number_title",
    "plain_text",
    "strip_number",
]

_CODE_SPAN_RE = re.compile(r"(`+)(.+?)\1", re.S)
_UNESCAPED_LT_RE = re.compile(r"(?<!\\)((?:\\\\)*)<")
_DATA_SPECIALS_RE = re.compile(r"([\\`*_\[\]<>|#])")
_NUMBER_PREFIX_RE = re.compile(r"^\s*[表图]\s*\d+\s*[:：]\s*")
_CHAPTER_RE = re.compile(r"^\s*[一二三四五六七八九十百]+\s*、")
_SUBSECTION_RE = re.compile(r"^\s*[（(]\s*[一二三四五六七八九十]+\s*[)）]")
_ITEM_RE = re.compile(r"^\s*\d+\s*[.．、]\s*\S")
_BOLD_RE = re.compile(r"\*\*(.+?)\*\*|__(.+?)__", re.S)
_LINK_RE = re.compile(r"!?\[([^\]\n]*)\]\(([^)\s]*)\)")
_ESCAPE_RE = re.compile(r"\\([!-/:-@\[-`{-~])")
# A link reference definition ``[3]: http://…`` would turn the citation marker [3] into a link.
_LINK_DEF_RE = re.compile(r"^( {0,3})\[(?=[^\n]*\]:)", re.M)
_AUTOLINK_RE = re.compile(r"(?i)\b(?:https?://|ftp://|www\.)")


def neutralize_html(text: str) -> str:
    """Escape ``<`` outside code spans so no raw HTML reaches a Markdown renderer (backslash parity aware)."""
    out: list[str] = []
    pos = 0
    for m in _CODE_SPAN_RE.finditer(text):
        out.append(_UNESCAPED_LT_RE.sub(r"\1\\<", text[pos:m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(_UNESCAPED_LT_RE.sub(r"\1\\<", text[pos:]))
    return "".join(out)


def _outside_code(text: str, change: Callable[[str], str]) -> str:
    """``change`` applied to the text between code spans (a code span shows its content literally anyway)."""
    out: list[str] = []
    pos = 0
    for m in _CODE_SPAN_RE.finditer(text):
        out.append(change(text[pos:m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(change(text[pos:]))
    return "".join(out)


def _dead_links(text: str, urls: bool) -> str:
    # Every "](" and "![" escaped, whatever precedes them: nested brackets ([官方[公告]全文](…)) and escaped
    # brackets (![x\]y](…)) defeat a matcher of whole links, not this. Citation markers [3] have neither.
    text = text.replace("](", "]\\(").replace("![", "!\\[")
    text = _LINK_DEF_RE.sub(lambda m: f"{m.group(1)}\\[", text)
    if urls:  # bare URLs would be autolinked (GFM): an escaped colon/slash or dot shows them as text
        text = _AUTOLINK_RE.sub(lambda m: m.group(0).replace("://", ":\\/\\/").replace("www.", "www\\."), text)
    return text


def neutralize_markdown(text: str, *, urls: bool = False) -> str:
    """Text made safe to render as Markdown: no raw HTML, no live links or images, no link definitions; with
    ``urls`` no bare-URL autolinks either (the UI shows news URLs as text). Bidi and other format characters
    (U+202E makes 荐推烈强 read 强烈推荐) are removed. The one neutraliser of report.md, report.docx and the UI."""
    text = strip_format(text)[0]
    return neutralize_html(_outside_code(text, lambda part: _dead_links(part, urls)))


def neutralize_line(text: str) -> str:
    """Text for a single-line Markdown context (heading, list item, 目录 entry, table cell): one line, neutralised.

    A line break there would end the context: ``标题\n# 伪造标题`` would open a heading, a new list item or row.
    """
    return neutralize_markdown(one_line(text))


def escape_data(text: str) -> str:
    """Make a data value safe as inline Markdown: literal characters, one line."""
    one_line = " ".join(str(text).split())
    return _DATA_SPECIALS_RE.sub(r"\\\1", one_line)


def plain_text(markdown: str) -> str:
    """Inline Markdown to the text a reader sees: links keep text and URL, escapes and markup removed."""
    return "".join(text for text, _ in inline_runs(markdown))


def inline_runs(markdown: str) -> list[tuple[str, bool]]:
    """Inline Markdown as ``(text, bold)`` runs for Word. Citation markers like ``[3]`` stay as text."""
    runs: list[tuple[str, bool]] = []
    pos = 0
    for m in _BOLD_RE.finditer(markdown):
        if m.start() > pos:
            runs.append((_inline_plain(markdown[pos:m.start()]), False))
        runs.append((_inline_plain(m.group(1) or m.group(2)), True))
        pos = m.end()
    if pos < len(markdown):
        runs.append((_inline_plain(markdown[pos:]), False))
    return [(t, b) for t, b in runs if t]


def _inline_plain(text: str) -> str:
    text = _LINK_RE.sub(lambda m: f"{m.group(1)}（{m.group(2)}）" if m.group(2) else m.group(1), text)
    text = _CODE_SPAN_RE.sub(lambda m: m.group(2), text)
    return _ESCAPE_RE.sub(r"\1", text)


def strip_number(title: str) -> str:
    """``表 3：人工智能主题基金一览`` -> ``人工智能主题基金一览`` (titles may come back numbered from report.json)."""
    return _NUMBER_PREFIX_RE.sub("", title).strip()


def number_title(kind: str, number: int, title: str) -> str:
    return f"{kind} {number}：{strip_number(title)}"


def chapter_level(title: str) -> int | None:
    """Heading level a section title's numbering implies: 一、 -> 2, (一) -> 3, 1. -> 4; None if unnumbered."""
    if _CHAPTER_RE.match(title):
        return 2
    if _SUBSECTION_RE.match(title):
        return 3
    if _ITEM_RE.match(title):
        return 4
    return None


