"""Assemble a ``Report`` into one ordered list of blocks in the seed's structure (pure, no I/O).

Order: title block (title, series/month, industry, rating, analysts) -> 核心观点 -> 目录 -> chapters in section order
-> 附录 (tables/charts no section referenced) -> 参考来源 -> 图表目录 -> disclosures (分析师承诺, 免责声明, 评级标准).

Where tables and charts go:
- ``{{table:T1}}`` / ``{{chart:F1}}`` in a section's markdown (by id or key, on its own line or inside a paragraph)
  puts the table/chart exactly there;
- ids listed in ``SectionDraft.charts`` / ``SectionDraft.tables`` that no marker placed are appended at the end of
  that section, charts first then tables, in list order;
- a table or chart is printed once, where it first appears; a later reference prints "（见表 n）";
- tables and charts no section references go to an appendix, so nothing computed is silently dropped;
- a pipe table the drafter wrote right under a ``表：title`` line (news digests) is numbered like the rest.
表 and 图 are numbered separately in order of appearance (``表 1：…``, ``图 1：…``), each followed by its
"资料来源：…" line. An unknown reference raises ``ExportError`` naming the section.

Section titles: ``一、…`` is a chapter, ``(一)…`` a sub-section, ``1. …`` an item; an unnumbered title is a chapter
and gets the next chapter numeral. ``SectionDraft.chapter`` (e.g. ``二、人工智能产业政策动态``) opens that chapter
before the section's own ``（一）…`` heading; following sections stay in it until another chapter opens. Headings inside a section's markdown nest under its title whatever level they
were written at. The sections with ids ``core_views`` and ``disclosures`` are placed first and last.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from assistant.errors import ExportError
from assistant.export.blocks import (
    Block,
    BulletList,
    ChartBlock,
    Heading,
    ListItem,
    MdTable,
    Paragraph,
    Quote,
    Ref,
    TableBlock,
    parse_markdown,
)
from assistant.export.text import chapter_level, escape_data, number_title, strip_number
from assistant.models import Chart, Report, SectionDraft, Table
from assistant.numerals import chinese_numeral
from assistant.safety import one_line

__all__ = ["CORE_VIEWS_ID", "DISCLOSURE_IDS", "FALLBACK_NOTE", "Assembly", "assemble", "disclaimer_line", "fallback_note"]

CORE_VIEWS_ID = "core_views"
_CAPTION_RE = re.compile(r"^表\s*\d*\s*[:：]\s*(\S[^\n]*)$")
_FIGURE_RE = re.compile(r"^图\s*\d*\s*[:：]\s*(\S[^\n]*)$")  # a drafted figure slot: "图：title"
DISCLOSURE_IDS = frozenset({"disclosures"})


@dataclass
class Assembly:
    blocks: list[Block]
    tables: list[TableBlock]  # in numbering order
    charts: list[ChartBlock]
    table_titles: dict[str, str]  # table id -> "表 n：…"
    chart_titles: dict[str, str]  # chart id -> "图 n：…"
    header: str  # page header text for Word
    footer: str  # the "请务必阅读正文最后的…免责声明。" line
    sections: dict[str, list[Block]] = field(default_factory=dict)  # section id -> its body blocks, as exported


@dataclass
class _Numberer:
    """Numbers tables and charts in order of first appearance."""

    report: Report
    tables: list[TableBlock] = field(default_factory=list)
    charts: list[ChartBlock] = field(default_factory=list)
    listed_tables: list[str] = field(default_factory=list)  # every numbered 表, data and drafted tables alike
    placed: dict[tuple[str, str], int] = field(default_factory=dict)  # (kind, id) -> number
    titles: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, id) -> numbered title
    bodies: dict[str, list[Block]] = field(default_factory=dict)  # section id -> body blocks (for the review UI)

    def find(self, kind: str, ref: str) -> Table | Chart | None:
        items: list[Table] | list[Chart] = self.report.tables if kind == "table" else self.report.charts
        return next((x for x in items if ref in (x.id, x.key)), None)

    def place(self, kind: str, ref: str, section_id: str) -> Block:
        item = self.find(kind, ref)
        if item is None:
            label = "表格" if kind == "table" else "图表"
            raise ExportError(f"章节 {section_id} 引用了不存在的{label} {ref}", field=f"sections.{section_id}")
        key = (kind, item.id)
        if key in self.placed:
            return Paragraph(f"（见{'表' if kind == 'table' else '图'} {self.placed[key]}）")
        if isinstance(item, Table):
            return self._table(item)
        return self._chart(item)

    def _source(self, source: str) -> str:
        text = one_line(source.strip() or (self.report.institution or ""))
        if not text:
            return ""
        return text if text.startswith("资料来源") else f"资料来源：{text}"

    def caption(self, title: str) -> str:
        """Number a table the drafter wrote in markdown under a ``表：…`` line."""
        numbered = number_title("表", len(self.listed_tables) + 1, title)
        self.listed_tables.append(numbered)
        return numbered

    def slot(self, title: str) -> ChartBlock:
        """Number a figure slot a write-up drafted ("图：title"): listed in 图表目录, the picture awaits an editor."""
        title = re.sub(r"\s*\[\d+\]\s*$", "", title)  # the caption's citation; its source line names the publisher
        block = ChartBlock(len(self.charts) + 1, number_title("图", len(self.charts) + 1, title), "", "")
        self.charts.append(block)
        return block

    def _table(self, table: Table) -> TableBlock:
        number = len(self.listed_tables) + 1
        width = len(table.columns)
        rows: list[tuple[str, ...]] = []
        for i, row in enumerate(table.rows, start=1):
            if len(row) > width:
                raise ExportError(f"表格 {table.id} 的行比表头多 {len(row) - width} 列",
                                  row=i, field=f"tables.{table.id}.rows")
            rows.append(tuple(row) + ("",) * (width - len(row)))
        block = TableBlock(number, number_title("表", number, table.title), tuple(table.columns), tuple(rows),
                           self._source(table.source), table.note)
        self.tables.append(block)
        self.listed_tables.append(block.title)
        self.placed[("table", table.id)] = number
        self.titles[("table", table.id)] = block.title
        return block

    def _chart(self, chart: Chart) -> ChartBlock:
        number = len(self.charts) + 1
        block = ChartBlock(number, number_title("图", number, chart.title), chart.path, self._source(chart.source))
        self.charts.append(block)
        self.placed[("chart", chart.id)] = number
        self.titles[("chart", chart.id)] = block.title
        return block


def _append_md_table(out: list[Block], table: MdTable, numberer: _Numberer) -> None:
    """Fold a ``表：title`` line and the pipe table right after it into one numbered table."""
    prev = out[-1] if out else None
    caption = _CAPTION_RE.match(prev.text) if isinstance(prev, Paragraph) else None
    if caption:
        out[-1] = MdTable(table.header, table.rows, caption=numberer.caption(caption.group(1)))
    else:
        out.append(table)


def _norm(text: str) -> str:
    return "".join(strip_number(text).split())


def _body_blocks(section: SectionDraft, base: int, numberer: _Numberer, toc: bool) -> list[Block]:
    """The section's markdown as blocks: headings nested under ``base``, refs resolved, listed ids appended."""
    parsed = parse_markdown(section.markdown)
    if parsed and isinstance(parsed[0], Heading) and _norm(parsed[0].text) == _norm(section.title):
        parsed = parsed[1:]  # the drafter repeated the section title
    levels = [b.level for b in parsed if isinstance(b, Heading)]
    shift = base + 1 - min(levels) if levels else 0
    out: list[Block] = []
    for block in parsed:
        if isinstance(block, Heading):
            level = min(max(block.level + shift, base + 1), 6)
            out.append(Heading(level, block.text, toc=toc and level <= 4))
        elif isinstance(block, Ref):
            out.append(numberer.place(block.kind, block.ref, section.id))
        elif isinstance(block, MdTable):
            _append_md_table(out, block, numberer)
        elif isinstance(block, Paragraph) and (figure := _FIGURE_RE.match(block.text)):
            out.append(numberer.slot(figure.group(1)))
        elif (isinstance(block, Paragraph) and block.text.startswith("资料来源") and out
              and isinstance(out[-1], ChartBlock) and not out[-1].path and not out[-1].source):
            out[-1] = replace(out[-1], source=block.text)  # the slot's source line
        else:
            out.append(block)
    if section.status == "failed" and not section.markdown.strip():
        # a draft persisted before failed sections carried their slot: the reader sees the slot, never the error
        out.append(Paragraph(f"【本节待补：{escape_data(section.title)}未能自动起草，请分析师补写。】"))
    if section.provenance is not None and section.provenance.fallback:
        out.append(Quote(fallback_note(section)))
    for kind, ids in (("chart", section.charts), ("table", section.tables)):
        for ref in ids:
            item = numberer.find(kind, ref)
            if item is None or (kind, item.id) not in numberer.placed:
                out.append(numberer.place(kind, ref, section.id))
    numberer.bodies[section.id] = out
    return out


FALLBACK_NOTE = "模型未能起草，已用离线草稿"


def fallback_note(section: SectionDraft) -> str:
    """The provenance note of a section the offline engine drafted because the model could not (issue 24)."""
    reason = one_line((section.provenance.fallback_reason if section.provenance else "") or "")
    return escape_data(f"起草说明：{FALLBACK_NOTE}" + (f"（{reason[:120]}）" if reason else "") + "。")


def _title_block(report: Report) -> list[Block]:
    month_no = report.month[5:7].lstrip("0") if len(report.month) >= 7 else ""
    month_label = f"{report.month[:4]}年{month_no}月" if month_no else report.month
    title = report.title or f"{month_label}{report.series}".strip()
    blocks: list[Block] = [Heading(1, escape_data(title))]
    if report.title and report.series:
        blocks.append(Paragraph(escape_data(f"——{month_no}月{report.series}" if month_no else report.series)))
    meta = [("行业", report.industry), ("报告月份", month_label), ("发布机构", report.institution)]
    if report.rating:
        rating = f"{report.rating}（{report.rating_action}）" if report.rating_action else report.rating
        meta.insert(1, ("评级", rating))
    items = [ListItem(f"{k}：{escape_data(v)}") for k, v in meta if v]
    items.extend(ListItem(_analyst_line(a)) for a in report.analysts if a.get("name"))
    if items:
        blocks.append(BulletList(tuple(items)))
    blocks.append(Quote(disclaimer_line(report)))
    return blocks


def _analyst_line(analyst: dict[str, str]) -> str:
    parts = [analyst["name"]]
    for label, key in (("分析师证书编码", "certificate"), ("电话", "phone"), ("邮箱", "email")):
        if analyst.get(key):
            parts.append(f"{label}：{analyst[key]}")
    return f"{escape_data(analyst.get('role') or '分析师')}：" + escape_data("，".join(parts))


def disclaimer_line(report: Report) -> str:
    """The seed's page line names the licensed company whose disclaimer it is (中国银河证券股份有限公司), not the
    research institute that signs the tables; packs without ``legal_entity`` fall back to the institution, as the
    disclosures section does."""
    return f"请务必阅读正文最后的{escape_data(report.legal_entity or report.institution)}免责声明。"


def _chapter_title(title: str, chapter_no: int) -> str:
    return title if chapter_level(title) is not None else f"{chinese_numeral(chapter_no)}、{title}"


def _chapters(report: Report, numberer: _Numberer) -> list[Block]:
    out: list[Block] = []
    chapter_no = 0
    open_chapter = ""
    for section in report.sections:
        if section.id == CORE_VIEWS_ID or section.id in DISCLOSURE_IDS:
            continue
        chapter = one_line(section.chapter).strip()  # titles are single-line: a break would open a heading
        if chapter and chapter != open_chapter:  # a section that opens a chapter, e.g. 二、… before （一）…
            chapter_no += 1
            out.append(Heading(2, _chapter_title(chapter, chapter_no), toc=True))
        title = one_line(section.title).strip()
        level = chapter_level(title) or 2
        if level == 2:
            chapter_no += 1
            title = _chapter_title(title, chapter_no)
            open_chapter = title
        elif chapter:
            open_chapter = chapter
        if title:
            out.append(Heading(level, title, toc=True))
        out.extend(_body_blocks(section, level, numberer, toc=True))
    return out


def _appendix(report: Report, numberer: _Numberer) -> list[Block]:
    pending: list[Block] = [numberer.place("chart", c.id, "appendix")
                            for c in report.charts if ("chart", c.id) not in numberer.placed]
    pending += [numberer.place("table", t.id, "appendix")
                for t in report.tables if ("table", t.id) not in numberer.placed]
    return [Heading(2, "附录：未在正文引用的图表", toc=True), *pending] if pending else []


def _sources(report: Report) -> list[Block]:
    if not report.sources:
        return []
    items = []
    for ref in sorted(report.sources, key=lambda s: s.marker):
        parts = [escape_data(ref.title), escape_data(ref.source), ref.date.isoformat()]
        if ref.url:
            parts.append(escape_data(ref.url))
        tail = "（背景资料）" if ref.background else ""
        items.append(ListItem(f"[{ref.marker}] " + "，".join(parts) + tail))
    return [Heading(2, "参考来源"), BulletList(tuple(items))]


def _figure_lists(numberer: _Numberer) -> list[Block]:
    out: list[Block] = []
    if numberer.charts or numberer.listed_tables:
        out.append(Heading(2, "图表目录"))
    for label, titles in (("插图目录", [c.title for c in numberer.charts]),
                          ("表格目录", numberer.listed_tables)):
        if titles:
            out += [Heading(3, label), BulletList(tuple(ListItem(escape_data(t)) for t in titles), toc=True)]
    return out


def _disclosures(report: Report, numberer: _Numberer) -> list[Block]:
    out: list[Block] = []
    for section in report.sections:
        if section.id not in DISCLOSURE_IDS:
            continue
        has_headings = any(isinstance(b, Heading) for b in parse_markdown(section.markdown))
        if section.title.strip() and not has_headings:
            out.append(Heading(2, one_line(section.title).strip()))
        out.extend(_body_blocks(section, 1 if has_headings else 2, numberer, toc=False))
    return out


def _core_views(report: Report, numberer: _Numberer) -> list[Block]:
    section = report.section(CORE_VIEWS_ID)
    if section is None:
        return []
    return [Heading(2, "核心观点"), *_body_blocks(section, 2, numberer, toc=False)]


def _toc(chapters: list[Block]) -> list[Block]:
    entries = [ListItem(b.text, depth=b.level - 2) for b in chapters if isinstance(b, Heading) and b.toc]
    return [Heading(2, "目录"), BulletList(tuple(entries), toc=True)] if entries else []


def assemble(report: Report) -> Assembly:
    """Lay the report out in the seed's structure and number its tables and charts."""
    numberer = _Numberer(report)
    core = _core_views(report, numberer)
    chapters = _chapters(report, numberer)
    chapters += _appendix(report, numberer)
    disclosures = _disclosures(report, numberer)
    tail = _sources(report) + _figure_lists(numberer) + disclosures
    blocks = _title_block(report) + core + _toc(chapters) + chapters + tail
    header = " | ".join(one_line(x) for x in (report.institution, report.series, report.industry) if x)
    return Assembly(
        blocks=blocks,
        tables=numberer.tables,
        charts=numberer.charts,
        table_titles={ref: t for (kind, ref), t in numberer.titles.items() if kind == "table"},
        chart_titles={ref: t for (kind, ref), t in numberer.titles.items() if kind == "chart"},
        header=header,
        footer=disclaimer_line(report),
        sections=numberer.bodies,
    )
