"""Plain text for every field at ingestion: markup reduced to its text, entities decoded, control characters and
lone surrogates handled, whitespace normalised, URLs limited to http(s), lengths bounded.

Functions return the cleaned value and the warnings (Chinese, for the ingestion report); a value that cannot be
made safe raises ``FieldRefused`` and the caller names the file, row and field.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from assistant.safety import one_line, strip_format

__all__ = ["FIELD_LIMITS", "FieldRefused", "clean_body", "clean_line", "clean_url", "html_to_text", "strip_markup"]

# Characters of a field (body: bytes, see items.MAX_BODY_BYTES). A 100k-character title cost 2 GB downstream.
FIELD_LIMITS: dict[str, int] = {"title": 500, "source": 200, "url": 2048, "id": 200, "category": 50}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_TAG_OR_ENTITY = re.compile(r"<[A-Za-z!/?][^<>]*>|&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z]{2,8});")
_INLINE_SPACE = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")


class FieldRefused(ValueError):
    """The field's value cannot be made safe (lone surrogate, over the length limit)."""


class _TextExtractor(HTMLParser):
    """HTML -> text; script/style/template and comments dropped, block tags become line breaks."""

    _SKIP = frozenset({"script", "style", "template", "noscript", "iframe", "object"})
    _BLOCK = frozenset({"p", "br", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article",
                        "blockquote", "pre", "table", "ul", "ol", "header", "footer", "hr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Markup -> its text with line breaks at block ends (sentence boundaries for chunking)."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def strip_markup(text: str) -> str:
    """Text with tags, scripts and entities reduced to plain text; plain text (``营收<10亿``) is left alone.

    Twice, because feeds and CMS exports often carry escaped markup (``&lt;script&gt;``) that decodes into tags.
    """
    for _ in range(2):
        if not _TAG_OR_ENTITY.search(text):
            break
        text = html.unescape(html_to_text(text))
    return text


def _controls(text: str, warnings: list[str], field: str) -> str:
    if _SURROGATE.search(text):
        raise FieldRefused("含有不成对的代理字符（\\ud800-\\udfff），不是有效的 Unicode 文本")
    # NEL (U+0085) is a line break, not noise: a newline, so "标题\x85# 伪造" does not glue into one word
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x85", "\n")
    found = len(_CONTROL.findall(text))
    if found:
        warnings.append(f"{field}: 已移除 {found} 个控制字符")
        text = _CONTROL.sub("", text)
    text, formats = strip_format(text)  # bidi overrides (U+202E) would make 荐推烈强 read 强烈推荐
    if formats:
        warnings.append(f"{field}: 已移除 {formats} 个格式字符（双向控制/零宽字符）")
    return text


def _data_braces(text: str, warnings: list[str], field: str) -> str:
    """ASCII braces in data become full-width: ``{fact:…}``/``{{…}}`` in a title is text, never a placeholder
    the drafting code would fill or the answer check would take for one left unfilled."""
    if "{" not in text and "}" not in text:
        return text
    warnings.append(f"{field}: 花括号已改为全角（数据中的占位写法不被解释）")
    return text.replace("{", "｛").replace("}", "｝")


def _limit(text: str, field: str) -> str:
    limit = FIELD_LIMITS.get(field)
    if limit is not None and len(text) > limit:
        raise FieldRefused(f"长度 {len(text):,} 字符，超过上限 {limit:,} 字符")
    return text


def clean_line(value: str, field: str, warnings: list[str]) -> str:
    """A one-line field (title, source, id, category): plain text, whitespace collapsed, length bounded.

    Line breaks of every kind (LF, CR, U+2028/2029, NEL) become a space: a title is printed as a heading, a list
    item or a table cell downstream, where a break would start a new heading or row (``标题\n# 伪造标题``).
    """
    text = _controls(value, warnings, field)
    plain = strip_markup(text)
    if plain != text:
        warnings.append(f"{field}: 已去除标记（HTML 标签/实体）")
    single = one_line(plain.strip())
    if single != plain.strip():
        warnings.append(f"{field}: 换行已合并为空格（单行字段）")
    return _limit(_data_braces(" ".join(single.split()), warnings, field), field)


def clean_body(value: str, warnings: list[str], field: str = "body") -> str:
    """A body: plain text, spaces collapsed within lines, paragraphs kept (at most one blank line between)."""
    text = _controls(value, warnings, field)
    plain = strip_markup(text)
    if plain != text:
        warnings.append(f"{field}: 已去除标记（HTML 标签/实体）")
    lines = [_INLINE_SPACE.sub(" ", line).strip() for line in _data_braces(plain, warnings, field).split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def clean_url(value: str, warnings: list[str]) -> str | None:
    """An absolute http(s) URL, else None with a warning (``javascript:``, ``data:``, relative, malformed)."""
    text = _limit(" ".join(_controls(value, warnings, "url").split()), "url")
    text = html.unescape(text)
    if not text:
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in {"http", "https"} or not parts.netloc or " " in text:
        shown = text if len(text) <= 80 else text[:77] + "..."
        warnings.append(f"url: 已丢弃非 http(s) 链接 {shown!r}")
        return None
    return text
