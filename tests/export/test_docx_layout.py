"""The Word file on the page: A4 with the house margins, tables within the text width that never break a stock
code, small type or a landscape page for a table too wide, a 目录 without bullets, and fonts with fallbacks.

The sample's own computed tables (the widest are the 11-column company tables) go through the real renderer; an
optional check renders the document with LibreOffice, when it is installed, and reads the PDF's page size and text.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn

from assistant import SAMPLE_DIR
from assistant.export import render_docx
from assistant.export.layout import A4, CELL_PADDING_CM, plan_table, text_width_cm, unbreakable_runs
from assistant.models import Report, SectionDraft, TableSet
from assistant.pack import load_pack
from assistant.tables import compute_tables

CODE = re.compile(r"^[0-9A-Z]{2,6}\.(?:SH|SZ|BJ|HK|O|N|WI|SI)$")


@pytest.fixture(scope="module")
def sample_tables() -> TableSet:
    return compute_tables(load_pack(SAMPLE_DIR / "pack"))


@pytest.fixture(scope="module")
def sample_docx(sample_tables: TableSet, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    refs = "\n\n".join(f"{{{{table:{t.id}}}}}" for t in sample_tables.tables)
    report = Report(month="2024-07", title="人工智能月报", series="人工智能月报", industry="计算机行业",
                    rating="推荐", rating_action="维持评级", institution="中国银河证券研究院", engine="offline",
                    template_id="monthly_ai", tables=sample_tables.tables,
                    sections=[SectionDraft(id="market_review", title="一、市场行情回顾",
                                           markdown="## 一、市场行情回顾\n\n### (一) 整体行情\n\n" + refs,
                                           tables=[t.id for t in sample_tables.tables])])
    return render_docx(report, tmp_path_factory.mktemp("docx"))


def _doc(data: bytes) -> DocxDocument:
    return docx.Document(io.BytesIO(data))


def test_every_page_is_a4_with_the_house_margins(sample_docx: bytes) -> None:
    doc = _doc(sample_docx)
    first = doc.sections[0]
    assert (round(first.page_width.cm, 1), round(first.page_height.cm, 1)) == (21.0, 29.7)
    assert round(first.left_margin.cm, 1) == A4.left_cm and round(first.right_margin.cm, 1) == A4.right_cm
    for section in doc.sections:  # landscape pages, if any, are A4 turned
        assert sorted((round(section.page_width.cm, 1), round(section.page_height.cm, 1))) == [21.0, 29.7]


def test_sample_tables_fit_the_text_width_and_never_break_a_code(sample_docx: bytes) -> None:
    doc = _doc(sample_docx)
    assert len(doc.tables) >= 8
    for table in doc.tables:
        grid = [int(c.get(qn("w:w"))) / 567 for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]  # twips -> cm
        section_width = A4.text_width_cm
        assert sum(grid) <= section_width + 0.05 or sum(grid) <= 29.7 - 4.0 + 0.05
        for row in table.rows:
            for width, cell in zip(grid, row.cells, strict=True):
                size = next((r.font.size.pt for p in cell.paragraphs for r in p.runs if r.font.size), 9.0)
                for run in unbreakable_runs(cell.text):
                    if CODE.match(run):
                        assert text_width_cm(run, size) + CELL_PADDING_CM <= width + 1e-6, (run, width)


def test_the_eleven_column_company_tables_shrink_their_type_before_breaking(sample_tables: TableSet) -> None:
    wide = [t for t in sample_tables.tables if len(t.columns) >= 11]
    assert wide, "the sample's company tables have eleven columns"
    for table in wide:
        plan = plan_table(table.columns, table.rows)
        assert plan.total_cm <= A4.text_width_cm + 1e-6 and not plan.landscape
        assert plan.font_pt < 9.0  # they do not fit at the body table size


def test_a_table_too_wide_for_portrait_gets_a_landscape_page_and_the_next_block_returns(tmp_path: Path) -> None:
    from assistant.models import Table

    columns = [f"指标{i}" for i in range(16)]
    rows = [[f"6882{i:02d}.SH" for i in range(16)]]
    plan = plan_table(columns, rows)
    assert plan.landscape
    table = Table(id="T9", key="wide", title="很宽的表", columns=columns, rows=rows, source="资料来源：测试")
    report = Report(month="2024-07", title="t", engine="offline", template_id="monthly_ai", tables=[table],
                    sections=[SectionDraft(id="market_review", title="一、市场行情回顾",
                                           markdown="## 一、市场行情回顾\n\n{{table:T9}}\n\n表后的段落。",
                                           tables=["T9"])])
    doc = _doc(render_docx(report, tmp_path))
    orientations = [s.page_width > s.page_height for s in doc.sections]
    assert orientations[:3] == [False, True, False]
    assert round(doc.sections[1].page_width.cm, 1) == 29.7


def test_contents_lines_carry_no_bullet(docx_bytes: bytes) -> None:
    doc = _doc(docx_bytes)
    paragraphs = doc.paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.text == "目录")
    entries = []
    for p in paragraphs[start + 1:]:
        if p.style is not None and p.style.name.startswith("Heading"):
            break
        if p.text.strip():
            entries.append(p)
    assert entries and all(p.style is not None and p.style.name == "目录条目" for p in entries)
    assert any(p.text.startswith("1. PNN") for p in entries)  # the entry's own number, no bullet before it
    assert all(p._p.pPr is None or p._p.pPr.numPr is None for p in entries)


def test_fonts_name_their_chinese_faces_and_charset(docx_bytes: bytes) -> None:
    with __import__("zipfile").ZipFile(io.BytesIO(docx_bytes)) as archive:
        fonts = archive.read("word/fontTable.xml").decode("utf-8")
    for name, alt in (("SimSun", "宋体"), ("SimHei", "黑体")):
        block = re.search(rf'<w:font w:name="{name}">(.*?)</w:font>', fonts, re.S)
        assert block is not None, name
        assert f'w:val="{alt}"' in block.group(1) and '<w:charset w:val="86"/>' in block.group(1)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_renders_a4_pages_with_whole_codes(sample_docx: bytes, tmp_path: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    source = tmp_path / "report.docx"
    source.write_bytes(sample_docx)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=240)
    reader = pypdf.PdfReader(str(tmp_path / "report.pdf"))
    for page in reader.pages:
        width, height = sorted((float(page.mediabox.width), float(page.mediabox.height)))
        assert (round(width), round(height)) == (595, 842)  # A4 in points
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "688256.SH" in text.replace(" ", "") and not re.search(r"\d{6}\.\s*\n\s*(SH|SZ)", text)
