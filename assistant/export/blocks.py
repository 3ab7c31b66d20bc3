"""A small block model of the report and a line parser for the section markdown the drafting stage writes.

The Markdown and Word renderers both walk the same blocks, so the two files cannot drift apart. The parser knows
the subset the drafting stage writes (ATX headings, bullet and numbered lists, pipe tables, fenced code, quotes,
paragraphs); anything else is kept as paragraph text, so nothing a section says is ever dropped.
Inline text stays raw Markdown (``**bold**``, ``[3]`` markers); renderers decide how to show it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.safety import strip_control

__all__ = [
    "FIGURE_PENDING",
    "Block",
    "BulletList",
    "ChartBlock",
    "CodeBlock",
    "Heading",
    "ListItem",
    "MdTable",
    "Paragraph",
    "Quote",
    "Ref",
    "TableBlock",
    "parse_markdown",
    "split_row",
]


@dataclass(frozen=True)
class Heading:
    level: int  # 1 = report title, 2 = chapter, 3 = (一) sub-section, 4 = 1. item
    text: str
    toc: bool = False  # listed in 目录


@dataclass(frozen=True)
class Paragraph:
    text: str  # may hold soft line breaks


@dataclass(frozen=True)
class ListItem:
    text: str
    depth: int = 0
    marker: str = "-"  # "-" for bullets, "1." etc. for numbered items


@dataclass(frozen=True)
class BulletList:
    items: tuple[ListItem, ...]
    toc: bool = False  # a contents list (目录, 插图目录, 表格目录): plain indented lines in Word, no bullets


@dataclass(frozen=True)
class MdTable:
    """A pipe table written in a section; cells are inline Markdown (bold, ``[n]`` markers)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""  # "表 6：…" when the drafter put a "表：…" line right above it


@dataclass(frozen=True)
class CodeBlock:
    text: str
    fence: str = "```"
    info: str = ""


@dataclass(frozen=True)
class Quote:
    text: str


@dataclass(frozen=True)
class Ref:
    """A ``{{table:T1}}`` / ``{{chart:F1}}`` marker, resolved by the assembler."""

    kind: str  # "table" | "chart"
    ref: str


@dataclass(frozen=True)
class TableBlock:
    """A numbered data table. Cells are data (plain text), never Markdown."""

    number: int
    title: str  # "表 1：…"
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    source: str  # "资料来源：…"
    note: str = ""


@dataclass(frozen=True)
class ChartBlock:
    number: int
    title: str  # "图 1：…"
    path: str  # relative to the output folder
    source: str


FIGURE_PENDING = "（图片待插入）"  # a figure slot without its picture, in every rendering

Block = Heading | Paragraph | BulletList | MdTable | CodeBlock | Quote | Ref | TableBlock | ChartBlock

REF_RE = re.compile(r"\{\{\s*(table|chart)\s*:\s*([^{}\s]+)\s*\}\}")
_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_ITEM_RE = re.compile(r"^(\s*)([-*+]|\d{1,3}[.)])\s+(.*)$")
_FENCE_RE = re.compile(r"^\s*(`{3,}|~{3,})\s*(\S*)\s*$")
_SEP_CELL_RE = re.compile(r"^\s*:?-{3,}:?\s*$")
_QUOTE_RE = re.compile(r"^\s*>\s?(.*)$")


def split_row(line: str) -> tuple[str, ...]:
    """Split a pipe-table row on unescaped ``|``; escaped pipes stay escaped (the cell is still Markdown)."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return tuple(cell.strip() for cell in re.split(r"(?<!\\)\|", body))


def _table_start(lines: list[str], i: int) -> bool:
    """GFM: a header row with pipes, then a delimiter row with as many ``---`` cells."""
    if "|" not in lines[i] or i + 1 >= len(lines):
        return False
    cells = split_row(lines[i + 1])
    return len(cells) == len(split_row(lines[i])) and all(_SEP_CELL_RE.match(c) for c in cells)


@dataclass
class _Parser:
    lines: list[str]
    pos: int = 0
    blocks: list[Block] = field(default_factory=list)
    para: list[str] = field(default_factory=list)

    def flush(self) -> None:
        if self.para:
            self.blocks.append(Paragraph("\n".join(self.para)))
            self.para = []

    def run(self) -> list[Block]:
        while self.pos < len(self.lines):
            self.step(self.lines[self.pos])
        self.flush()
        return self.blocks

    def step(self, line: str) -> None:
        if not line.strip():
            self.flush()
            self.pos += 1
            return
        for matcher in (self.fence, self.heading, self.ref, self.table, self.items, self.quote):
            if matcher(line):
                return
        self.para.append(line.strip())
        self.pos += 1

    def fence(self, line: str) -> bool:
        m = _FENCE_RE.match(line)
        if not m:
            return False
        self.flush()
        fence, body = m.group(1), []
        self.pos += 1
        while self.pos < len(self.lines) and not self.lines[self.pos].strip().startswith(fence):
            body.append(self.lines[self.pos])
            self.pos += 1
        self.pos += 1  # the closing fence (or the end of an unclosed block)
        self.blocks.append(CodeBlock("\n".join(body), fence=fence, info=m.group(2)))
        return True

    def heading(self, line: str) -> bool:
        m = _HEADING_RE.match(line.strip())
        if not m:
            return False
        self.flush()
        self.blocks.append(Heading(len(m.group(1)), m.group(2).strip()))
        self.pos += 1
        return True

    def ref(self, line: str) -> bool:
        m = REF_RE.fullmatch(line.strip())
        if not m:
            return False
        self.flush()
        self.blocks.append(Ref(m.group(1), m.group(2)))
        self.pos += 1
        return True

    def table(self, line: str) -> bool:
        if not _table_start(self.lines, self.pos):
            return False
        self.flush()
        header = split_row(line)
        self.pos += 2
        rows: list[tuple[str, ...]] = []
        while self.pos < len(self.lines) and "|" in self.lines[self.pos] and self.lines[self.pos].strip():
            rows.append(split_row(self.lines[self.pos]))
            self.pos += 1
        self.blocks.append(MdTable(header, tuple(rows)))
        return True

    def items(self, line: str) -> bool:
        if not _ITEM_RE.match(line):
            return False
        self.flush()
        found: list[ListItem] = []
        indents: list[int] = []  # indentation of each open nesting level, whatever width the writer used
        while self.pos < len(self.lines):
            cur = self.lines[self.pos]
            im = _ITEM_RE.match(cur)
            if im:
                indent = len(im.group(1).expandtabs(4))
                while indents and indents[-1] > indent:
                    indents.pop()
                if not indents or indents[-1] < indent:
                    indents.append(indent)
                found.append(ListItem(im.group(3).strip(), min(len(indents) - 1, 2), im.group(2)))
            elif cur.strip() and cur[:1].isspace() and found:
                last = found[-1]
                found[-1] = ListItem(f"{last.text} {cur.strip()}", last.depth, last.marker)
            else:
                break
            self.pos += 1
        self.blocks.append(BulletList(tuple(found)))
        return True

    def quote(self, line: str) -> bool:
        if not _QUOTE_RE.match(line):
            return False
        self.flush()
        body: list[str] = []
        while self.pos < len(self.lines) and (m := _QUOTE_RE.match(self.lines[self.pos])):
            body.append(m.group(1))
            self.pos += 1
        self.blocks.append(Quote("\n".join(body)))
        return True


_OTHER_BREAKS = re.compile("[\u2028\u2029]")


def parse_markdown(text: str) -> list[Block]:
    """Parse section markdown into blocks. ``{{table:…}}``/``{{chart:…}}`` markers become ``Ref`` blocks,
    also when written inside a paragraph (the paragraph is split around them)."""
    # Control characters go (as at the Word writer; CR/CRLF become newlines); U+2028/U+2029 are not line breaks
    # to CommonMark but are to str.splitlines, editors and browsers: a model-written title carrying one must not
    # become a heading or a new table row for any reader of report.md, so they are spaces.
    text = _OTHER_BREAKS.sub(" ", strip_control(text)[0])
    text = REF_RE.sub(lambda m: f"\n\n{m.group(0)}\n\n", text)
    return _Parser(text.split("\n")).run()
