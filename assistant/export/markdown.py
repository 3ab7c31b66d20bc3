"""``report.md``: the assembled blocks as CommonMark/GFM text (pure).

Text is data: section markdown keeps its Markdown (bold, lists, tables, ``[n]`` markers) but every ``<`` outside
code is escaped, so HTML written in a section or a news item shows as literal text and is never rendered.
Data values (table cells, titles, sources) are escaped completely; ``|`` in a cell becomes ``\\|`` and a line
break inside a cell becomes a space, because a GFM table row cannot span lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote

from assistant.export.assemble import assemble
from assistant.export.blocks import (
    FIGURE_PENDING,
    Block,
    BulletList,
    ChartBlock,
    CodeBlock,
    Heading,
    ListItem,
    MdTable,
    Paragraph,
    Quote,
    Ref,
    TableBlock,
)
from assistant.export.text import escape_data, neutralize_line, neutralize_markdown
from assistant.models import Report
from assistant.safety import one_line

__all__ = ["render_blocks", "render_markdown"]

_HEADING_START_RE = re.compile(r"^( {0,3})(?=#{1,6}(?:\s|$))")
_BLOCK_START_RE = re.compile(r"^(\d{1,9}|)(?=[.)]\s|[-+*]\s|#{1,6}\s|>)")


def render_markdown(report: Report) -> str:
    """The whole report as Markdown in the seed's structure (see ``assistant.export.assemble``)."""
    return render_blocks(assemble(report).blocks)


def render_blocks(blocks: list[Block]) -> str:
    return "\n\n".join(_render(b) for b in blocks).strip() + "\n"


def _render(block: Block) -> str:
    if isinstance(block, Heading):
        return f"{'#' * block.level} {neutralize_line(block.text)}"
    if isinstance(block, Paragraph):
        return "\n".join(_no_heading(line) for line in _lines(neutralize_markdown(block.text)))
    if isinstance(block, BulletList):
        return _list(block.items)
    if isinstance(block, MdTable):
        table = _pipe_table(block.header, block.rows, neutralize_line)
        return f"**{escape_data(block.caption)}**\n\n{table}" if block.caption else table
    if isinstance(block, CodeBlock):
        return f"{block.fence}{block.info}\n{block.text}\n{block.fence}"
    if isinstance(block, Quote):
        return "\n".join(f"> {_no_heading(line)}" for line in _lines(neutralize_markdown(block.text)))
    if isinstance(block, TableBlock):
        return _table_block(block)
    if isinstance(block, ChartBlock):
        return _chart_block(block)
    if isinstance(block, Ref):  # assemble resolves every ref; keep the text visible rather than lose it
        return escape_data(f"{{{{{block.kind}:{block.ref}}}}}")
    raise TypeError(f"unknown block {block!r}")


def _list(items: tuple[ListItem, ...]) -> str:
    lines: list[str] = []
    prev = -1
    for item in items:
        depth = min(item.depth, prev + 1)  # a list may not start nested: 4 spaces would make a code block
        prev = depth
        marker = "-" if item.marker in {"-", "*", "+"} else item.marker
        lines.append(f"{'    ' * depth}{marker} {_literal_start(neutralize_line(item.text))}")
    return "\n".join(lines)


def _lines(text: str) -> list[str]:
    """A multi-line block's lines: CR/CRLF end a line, the other breaks (U+2028, NEL, …) are only spaces."""
    return [one_line(part) for part in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]


def _no_heading(line: str) -> str:
    """A line inside a paragraph or quote that would read as an ATX heading (``# 伪造``) is kept literal."""
    return _HEADING_START_RE.sub(r"\1\\", line, count=1)


def _literal_start(text: str) -> str:
    """Keep an item like ``1. PNN…`` (a 目录 entry) from opening a nested list, heading or quote."""
    if m := _BLOCK_START_RE.match(text):
        return f"{m.group(1)}\\{text[m.end(1):]}"
    return text


def _pipe_table(header: tuple[str, ...], rows: tuple[tuple[str, ...], ...], fmt: Callable[[str], str]) -> str:
    width = len(header)
    lines = ["| " + " | ".join(fmt(h) for h in header) + " |", "|" + " --- |" * width]
    for row in rows:
        padded = tuple(row[:width]) + ("",) * (width - len(row))
        lines.append("| " + " | ".join(fmt(c) for c in padded) + " |")
    return "\n".join(lines)


def _table_block(block: TableBlock) -> str:
    parts = [f"**{escape_data(block.title)}**", _pipe_table(block.columns, block.rows, escape_data)]
    if block.source:
        parts.append(escape_data(block.source))
    if block.note:
        parts.append(f"注：{escape_data(block.note)}")
    return "\n\n".join(parts)




def _chart_block(block: ChartBlock) -> str:
    picture = f"![{escape_data(block.title)}]({quote(block.path)})" if block.path else FIGURE_PENDING
    parts = [f"**{escape_data(block.title)}**", picture]
    if block.source:
        parts.append(escape_data(block.source))
    return "\n\n".join(parts)
