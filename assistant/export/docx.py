"""``report.docx``: the assembled blocks as a Word document (python-docx), rendered in memory.

A4 portrait with the house margins (``export/layout.py``). Chapters and sub-sections become Word headings, data
tables real Word tables (bold header row, "资料来源：…" line under each) whose columns follow their content and
never break a stock code (a table too wide for the page is set smaller, or gets a landscape page), charts inline
pictures, Markdown bullets Word bullets, and the 目录 plain indented lines. The Normal, Title and Heading styles
carry a CJK font in ``w:eastAsia`` because Word otherwise picks a Latin theme font for Chinese text; the font table
names each face's Chinese name and GB2312 charset, so Word and LibreOffice substitute a Chinese face of the same
kind (宋体 → Songti SC / Noto Serif CJK) where SimSun or SimHei is not installed. Every string is written as text:
python-docx escapes it, so HTML in a section is shown, never interpreted.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.styles.style import BaseStyle
from docx.text.paragraph import Paragraph as DocxParagraph

from assistant.errors import ExportError
from assistant.export.assemble import Assembly, assemble
from assistant.export.blocks import (
    FIGURE_PENDING,
    Block,
    BulletList,
    ChartBlock,
    CodeBlock,
    Heading,
    MdTable,
    Paragraph,
    Quote,
    Ref,
    TableBlock,
)
from assistant.export.layout import A4, LANDSCAPE, TABLE_SIZES_PT, PageGeometry, TablePlan, plan_table
from assistant.export.text import inline_runs
from assistant.models import Report
from assistant.safety import strip_control, strip_format

__all__ = ["BODY_FONT", "FONT_FALLBACKS", "HEADING_FONT", "render_docx"]

BODY_FONT = "SimSun"  # 宋体, the body face of Chinese research reports
HEADING_FONT = "SimHei"  # 黑体
LATIN_FONT = "Times New Roman"
CELL_STYLE = "表格文字"
SOURCE_STYLE = "资料来源"
TOC_STYLE = "目录条目"
PICTURE_WIDTH = Cm(15)
# Font table entries: (name, Chinese name, family, PANOSE). charset 86 (GB2312) tells Word which script the face
# serves, so a machine without it substitutes a Chinese face of the same family instead of a Latin one.
FONT_FALLBACKS = (
    (BODY_FONT, "宋体", "roman", "02010600030101010101"),
    (HEADING_FONT, "黑体", "modern", "02010609060101010101"),
)
_BREAK_BEFORE = frozenset({"目录", "图表目录"})


def render_docx(report: Report, base_dir: Path) -> bytes:
    """The report as .docx bytes. Chart paths are resolved against ``base_dir`` (the output folder)."""
    return render_assembly(assemble(report), base_dir)


def render_assembly(assembly: Assembly, base_dir: Path) -> bytes:
    doc = Document()
    _page(doc.sections[0], A4)
    _setup_styles(doc)
    _font_table(doc)
    _header_footer(doc, assembly)
    writer = _Writer(doc, base_dir)
    chapters_started = False
    for block in assembly.blocks:
        if isinstance(block, Heading) and block.level == 2 and (
                block.text in _BREAK_BEFORE or (block.toc and not chapters_started)):
            chapters_started = chapters_started or block.toc
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        writer.add(block)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- styles, header, footer
def _set_fonts(style: BaseStyle, east_asia: str, size: float | None = None) -> None:
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)  # a theme font would override the explicit faces
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asia)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")
    if size is not None:
        style.font.size = Pt(size)  # type: ignore[attr-defined]


def _page(section: Any, geometry: PageGeometry) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if geometry.width_cm > geometry.height_cm else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(geometry.width_cm), Cm(geometry.height_cm)
    section.top_margin, section.bottom_margin = Cm(geometry.top_cm), Cm(geometry.bottom_cm)
    section.left_margin, section.right_margin = Cm(geometry.left_cm), Cm(geometry.right_cm)
    section.header_distance, section.footer_distance = Cm(geometry.header_cm), Cm(geometry.footer_cm)


def _font_table(doc: DocxDocument) -> None:
    part = next(p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    from lxml import etree

    root = etree.fromstring(part.blob)
    for name, alt, family, panose in FONT_FALLBACKS:
        for old in root.findall(qn("w:font")):
            if old.get(qn("w:name")) == name:
                root.remove(old)
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, value in (("w:altName", alt), ("w:panose1", panose), ("w:charset", "86"), ("w:family", family),
                           ("w:pitch", "variable")):
            etree.SubElement(font, qn(tag)).set(qn("w:val"), value)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _setup_styles(doc: DocxDocument) -> None:
    styles = doc.styles
    _set_fonts(styles["Normal"], BODY_FONT, 10.5)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "Heading 5"):
        _set_fonts(styles[name], HEADING_FONT)
    for name, size in ((CELL_STYLE, TABLE_SIZES_PT[0]), (SOURCE_STYLE, 9.0), (TOC_STYLE, 10.5)):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        _set_fonts(style, BODY_FONT, size)
        style.paragraph_format.space_after = Pt(2)  # type: ignore[attr-defined]


def _page_field(paragraph: DocxParagraph) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _header_footer(doc: DocxDocument, assembly: Assembly) -> None:
    section = doc.sections[0]
    header = section.header.paragraphs[0]
    header.text = _xml(assembly.header)
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer = section.footer.paragraphs[0]
    footer.text = _xml(assembly.footer)
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    page = section.footer.add_paragraph()
    page.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(page)


# ---------------------------------------------------------------- blocks
def _xml(text: str) -> str:
    """Text Word can hold: a NUL or a vertical tab in any section would make python-docx refuse the document; and
    text read as written: a bidi override (U+202E) would make 荐推烈强 display as 强烈推荐."""
    return strip_format(strip_control(text)[0])[0]


def _runs(paragraph: DocxParagraph, markdown: str, *, bold: bool = False) -> DocxParagraph:
    for text, is_bold in inline_runs(markdown):
        run = paragraph.add_run(_xml(text))
        if bold or is_bold:
            run.bold = True
    return paragraph


@dataclass
class _Writer:
    """Adds blocks to one document. Styles are set by id: python-docx's by-name lookup scans every style per call,
    which made a table-heavy report take seconds."""

    doc: DocxDocument
    base_dir: Path
    style_ids: dict[str, str] = field(default_factory=dict)
    landscape: bool = False
    landscape_until_next: bool = False  # a Markdown table's source line follows it as its own block

    def __post_init__(self) -> None:
        self.style_ids = {s.name: s.style_id for s in self.doc.styles if s.name}

    def para(self, style: str | None = None, text: str = "") -> DocxParagraph:
        paragraph = self.doc.add_paragraph(_xml(text))
        if style:
            self.set_style(paragraph, style)
        return paragraph

    def set_style(self, paragraph: DocxParagraph, style: str) -> None:
        paragraph._p.style = self.style_ids[style]

    def orient(self, landscape: bool) -> None:
        """Start a landscape page for a table too wide for A4 portrait, and return to portrait after it."""
        if landscape == self.landscape:
            return
        self.landscape = landscape
        _page(self.doc.add_section(WD_SECTION.NEW_PAGE), LANDSCAPE if landscape else A4)

    def add(self, block: Block) -> None:
        if self.landscape_until_next and not (isinstance(block, Paragraph) and block.text.startswith(("资料来源", "注"))):
            self.landscape_until_next = False
            self.orient(False)
        if isinstance(block, Heading):
            _runs(self.para("Title" if block.level <= 1 else f"Heading {min(block.level - 1, 9)}"), block.text)
        elif isinstance(block, Paragraph):
            _runs(self.para(SOURCE_STYLE if block.text.startswith("资料来源") else None), block.text)
        elif isinstance(block, BulletList):
            self.bullets(block)
        elif isinstance(block, MdTable):
            columns, rows = list(block.header), [list(row) for row in block.rows]
            plan = plan_table(columns, rows)
            self.orient(plan.landscape)
            if block.caption:
                self.caption(block.caption)
            self.table(columns, rows, plan, markdown=True)
            self.landscape_until_next = plan.landscape
        elif isinstance(block, CodeBlock):
            for line in block.text.split("\n"):
                self.para().add_run(_xml(line)).font.name = "Courier New"
        elif isinstance(block, Quote):
            _runs(self.para("Quote"), block.text)
        elif isinstance(block, TableBlock):
            self.table_block(block)
        elif isinstance(block, ChartBlock):
            self.chart_block(block)
        elif isinstance(block, Ref):
            self.para(text=f"{{{{{block.kind}:{block.ref}}}}}")

    def bullets(self, block: BulletList) -> None:
        if block.toc:  # contents: the entries carry their own numbering (一、 (一) 1.), a bullet would double it
            for item in block.items:
                paragraph = self.para(TOC_STYLE)
                paragraph.paragraph_format.left_indent = Cm(0.74 * item.depth)
                _runs(paragraph, item.text)
            return
        for item in block.items:
            if item.marker in {"-", "*", "+"}:
                _runs(self.para("List Bullet" if item.depth == 0 else f"List Bullet {item.depth + 1}"), item.text)
            else:  # literal numbers: Word's list numbering would continue across unrelated lists
                paragraph = self.para()
                paragraph.paragraph_format.left_indent = Cm(0.75 * (item.depth + 1))
                paragraph.add_run(_xml(f"{item.marker} "))
                _runs(paragraph, item.text)

    def table(self, columns: list[str], rows: list[list[str]], plan: TablePlan, *, markdown: bool = False) -> None:
        """A Word table with a bold header row; ``markdown`` cells keep their bold runs, data cells are text."""
        table = self.doc.add_table(rows=1, cols=len(columns))
        table._tbl.tblPr.style = self.style_ids["Table Grid"]
        table.autofit = False
        widths = [Cm(w) for w in plan.widths_cm]
        size = Pt(plan.font_pt) if plan.font_pt != TABLE_SIZES_PT[0] else None
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width  # the grid is what LibreOffice reads; the cell widths are what Word reads
        for cell, text, width in zip(table.rows[0].cells, columns, widths, strict=True):
            cell.width = width
            self.cell(cell.paragraphs[0], text, markdown=markdown, bold=True, size=size)
        for row in rows:
            padded = list(row) + [""] * (len(columns) - len(row))
            for cell, text, width in zip(table.add_row().cells, padded, widths, strict=False):
                cell.width = width
                self.cell(cell.paragraphs[0], text, markdown=markdown, size=size)

    def cell(self, paragraph: DocxParagraph, text: str, *, markdown: bool, bold: bool = False,
             size: Pt | None = None) -> None:
        self.set_style(paragraph, CELL_STYLE)
        if markdown:
            _runs(paragraph, text, bold=bold)
        elif text:
            paragraph.add_run(_xml(text)).bold = bold or None
        if size is not None:
            for run in paragraph.runs:
                run.font.size = size

    def caption(self, title: str) -> None:
        paragraph = self.para()
        paragraph.add_run(_xml(title)).bold = True
        paragraph.paragraph_format.keep_with_next = True

    def source_line(self, text: str) -> None:
        if text:
            self.para(SOURCE_STYLE, text)

    def table_block(self, block: TableBlock) -> None:
        columns, rows = list(block.columns), [list(r) for r in block.rows]
        plan = plan_table(columns, rows)
        self.orient(plan.landscape)
        self.caption(block.title)
        self.table(columns, rows, plan)
        self.source_line(block.source)
        if block.note:
            self.para(SOURCE_STYLE, f"注：{block.note}")
        self.landscape_until_next = plan.landscape

    def chart_block(self, block: ChartBlock) -> None:
        if not block.path:  # a figure slot: numbered and captioned, the editor inserts the picture
            self.caption(block.title)
            self.para(text=FIGURE_PENDING).alignment = WD_ALIGN_PARAGRAPH.CENTER
            self.source_line(block.source)
            return
        root = self.base_dir.resolve()
        path = (root / block.path).resolve()
        if not path.is_relative_to(root):
            raise ExportError(f"图表路径不在输出目录内: {block.path}", field=block.title)
        if not path.is_file():
            raise ExportError(f"图表文件不存在（{block.title}）", file=str(path))
        self.caption(block.title)
        self.doc.add_picture(str(path), width=PICTURE_WIDTH)
        self.doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.source_line(block.source)
