"""report.docx, reopened with python-docx: headings, real tables, pictures, CJK fonts, header/footer."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph as DocxParagraph

from assistant.errors import ExportError
from assistant.export import render_docx
from assistant.models import Report


@pytest.fixture
def doc(docx_bytes: bytes) -> DocxDocument:
    return docx.Document(io.BytesIO(docx_bytes))


def _headings(doc: DocxDocument) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in doc.paragraphs
            if p.style is not None and (p.style.name.startswith("Heading") or p.style.name == "Title")]


def _texts(doc: DocxDocument) -> list[str]:
    return [p.text for p in doc.paragraphs]


def test_headings_follow_chapters_and_subsections(doc: DocxDocument) -> None:
    heads = _headings(doc)
    assert heads[0] == ("Title", "人工智能赋能新质生产力，国产 AI 产业迎来新机遇")
    assert heads[1:4] == [("Heading 1", "核心观点"), ("Heading 1", "目录"), ("Heading 1", "一、市场行情回顾")]
    assert ("Heading 2", "(一) 整体行情") in heads
    assert ("Heading 1", "二、人工智能产业政策动态") in heads
    assert ("Heading 2", "（二）国内外巨头大模型动态") in heads
    assert ("Heading 3", "1. PNN 或可改变 AI 系统高能耗问题") in heads
    names = [t for _, t in heads]
    assert names.index("五、风险提示") < names.index("参考来源") < names.index("图表目录") < names.index("免责声明")
    assert names[-1] == "评级标准"


def test_data_tables_are_word_tables_with_bold_header_and_source(doc: DocxDocument) -> None:
    # 4 data tables + the drafter's markdown table + the rating table in the disclosures
    assert len(doc.tables) == 6
    funds = doc.tables[0]
    assert funds.style is not None and funds.style.name == "Table Grid"
    assert [c.text for c in funds.rows[0].cells] == ["基金代码", "基金简称(官方)", "近1月回报 (%)"]
    assert all(r.bold for c in funds.rows[0].cells for r in c.paragraphs[0].runs)
    assert [c.text for c in funds.rows[1].cells] == ["001986", "前海开源|人工智能", "-3.29"]
    assert funds.rows[2].cells[1].text == "汇添富\n联接A"  # a line break inside a Word cell is kept
    before, after = funds._tbl.getprevious(), funds._tbl.getnext()
    assert DocxParagraph(before, funds._parent).text == "表 1：人工智能主题基金一览"
    assert DocxParagraph(after, funds._parent).text == "资料来源：Wind，中国银河证券研究院"


def test_markdown_table_in_a_section_becomes_a_word_table(doc: DocxDocument) -> None:
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "日期")
    assert [[c.text for c in r.cells] for r in table.rows] == [
        ["日期", "事件"], ["7月3日", "车路云|试点[1]"], ["7月5日", "数据交易所挂牌"]]
    assert [(r.text, bool(r.bold)) for r in table.rows[2].cells[1].paragraphs[0].runs] == [
        ("数据", True), ("交易所挂牌", False)]
    before, after = table._tbl.getprevious(), table._tbl.getnext()
    assert DocxParagraph(before, table._parent).text == "表 4：数据要素最新新闻及政策"
    source = DocxParagraph(after, table._parent)
    assert source.text == "资料来源：工业和信息化部，中国银河证券研究院整理"
    assert source.style is not None and source.style.name == "资料来源"


def test_charts_are_inline_pictures(doc: DocxDocument) -> None:
    assert len(doc.inline_shapes) == 2
    texts = _texts(doc)
    assert "图 1：7 月人工智能指数表现" in texts and "图 2：7 月人工智能板块市场表现" in texts


def test_east_asian_font_on_normal_and_headings(doc: DocxDocument) -> None:
    for name, face in (("Normal", "SimSun"), ("Heading 1", "SimHei"), ("Heading 2", "SimHei"), ("Title", "SimHei")):
        fonts = doc.styles[name].element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) == face, name
        assert fonts.get(qn("w:eastAsiaTheme")) is None, name


def test_core_views_are_bullets_with_bold_lead(doc: DocxDocument) -> None:
    bullet = next(p for p in doc.paragraphs if p.text.startswith("7月板块震荡微跌"))
    assert bullet.style is not None and bullet.style.name == "List Bullet"
    assert bullet.runs[0].bold and bullet.runs[0].text == "7月板块震荡微跌，板块调整接近尾声。"
    assert not bullet.runs[1].bold


def test_citation_markers_and_html_are_plain_text(doc: DocxDocument, xss: str) -> None:
    text = "\n".join(_texts(doc))
    assert "Meta 发布 Llama 3.1[2]" in text and "供应链风险[3]" in text
    assert f"一段新闻原文含 {xss} 字样" in text
    assert "<img" not in doc.element.xml  # written as escaped text, never as markup


def test_header_and_footer(doc: DocxDocument) -> None:
    section = doc.sections[0]
    assert section.header.paragraphs[0].text == "中国银河证券研究院 | 人工智能月报 | 计算机行业"
    assert section.footer.paragraphs[0].text == "请务必阅读正文最后的中国银河证券研究院免责声明。"
    assert 'w:instr="PAGE"' in section.footer._element.xml


def test_footer_names_the_licensed_company_when_the_pack_gives_one(report: Report, chart_dir: Path) -> None:
    licensed = report.model_copy(update={"legal_entity": "中国银河证券股份有限公司"})
    section = docx.Document(io.BytesIO(render_docx(licensed, chart_dir))).sections[0]
    assert section.footer.paragraphs[0].text == "请务必阅读正文最后的中国银河证券股份有限公司免责声明。"
    assert section.header.paragraphs[0].text.startswith("中国银河证券研究院 | ")  # the header still names the institute


def test_toc_and_list_of_figures(doc: DocxDocument) -> None:
    texts = _texts(doc)
    toc = texts[texts.index("目录") + 1: texts.index("目录") + 11]
    assert toc[:2] == ["一、市场行情回顾", "(一) 整体行情"]
    assert "1. PNN 或可改变 AI 系统高能耗问题" in toc  # the Markdown escape is not shown in Word
    assert "表 5：人工智能板块估值" in texts[texts.index("图表目录"):]


def test_missing_chart_is_an_error_naming_the_file(report: Report, tmp_path: Path) -> None:
    with pytest.raises(ExportError) as info:
        render_docx(report, tmp_path)
    assert info.value.file is not None and info.value.file.endswith("F1_index_performance.png")


def test_chart_path_outside_the_output_folder_is_refused(report: Report, out_dir: Path) -> None:
    report.charts[0].path = "../../etc/passwd"
    with pytest.raises(ExportError, match="输出目录"):
        render_docx(report, out_dir)


def test_column_widths_follow_the_text() -> None:
    from assistant.export.layout import A4, plan_table

    plan = plan_table(["日期", "具体内容"], [["7.23", "河南省出台“数据要素×”行动实施方案" * 5]])
    assert round(plan.total_cm, 2) == round(A4.text_width_cm, 2) == 17.0
    assert plan.widths_cm[0] < 3.0 < plan.widths_cm[1] and not plan.landscape
    assert plan_table([], []).widths_cm == ()
    even = plan_table(["a", "b", "c"], [["1", "2", "3"]]).widths_cm
    assert max(even) - min(even) < 1e-9
