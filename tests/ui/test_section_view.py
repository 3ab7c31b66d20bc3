"""What the section page shows is what exports: the section's Markdown for Streamlit, rendered to HTML, reads
exactly like the same section in the Word file; tables and charts are in place with their report numbers."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from pathlib import Path

import docx
from markdown_it import MarkdownIt
from review_factories import write_out_dir
from section_view import block_markdown, inline_markdown, md_escape, passage_markdown, section_blocks
from streamlit.testing.v1 import AppTest

from assistant.export.blocks import ChartBlock, MdTable, TableBlock
from assistant.export.docx import render_docx
from assistant.models import Chart, Citation, Report, SectionDraft, SourceRef, Table
from assistant.review import ReviewService, UserView

Seeded = tuple[ReviewService, dict[str, UserView], int]
HOSTILE = "估值 5~9 倍，毛利率 50~73%，*并非强调* 与 _下划线_ 原样，详见 https://example.com/a_b~c?x=1&y=2 [1]。"
MARKET = (f"7月市场回顾：{HOSTILE}\n\n{{{{table:T1}}}}\n\n**指数表现**如图所示。\n\n{{{{chart:F1}}}}\n\n"
          "表：7月融资事件\n\n| 公司 | 轮次 | 金额 |\n| --- | --- | --- |\n| 甲公司 | A轮 | 1亿元 [1] |\n\n"
          "资料来源：IT桔子，测试研究院整理")


def _png(path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure = plt.figure(figsize=(1, 1))
    figure.savefig(path, format="png")
    plt.close(figure)


def _report(tmp: Path) -> Report:
    (tmp / "charts").mkdir(parents=True, exist_ok=True)
    _png(tmp / "charts" / "F1.png")
    table = Table(id="T1", key="top_movers", title="7 月份人工智能板块涨幅前十", columns=["代码", "名称", "月涨跌幅"],
                  rows=[["688256.SH", "寒武纪-U", "50~73%"]], source="资料来源：Wind，测试研究院")
    chart = Chart(id="F1", key="index_performance", title="7 月人工智能指数表现", path="charts/F1.png",
                  source="Wind")
    source = SourceRef(marker=1, doc_id="n1", title="融资", date="2024-07-02", source="新智元",
                       url="https://example.com/n1", passage="甲公司完成A轮融资。")
    sections = [SectionDraft(id="core_views", title="核心观点", markdown="- 观点一 [1]"),
                SectionDraft(id="market_review", title="一、市场行情回顾", markdown=MARKET)]
    return Report(month="2024-07", title="测试月报", engine="offline", sections=sections, tables=[table],
                  charts=[chart], sources=[source])


def _html_text(markdown: str) -> tuple[str, str]:
    rendered = MarkdownIt("commonmark").enable(["strikethrough", "table"]).render(markdown)
    return rendered, " ".join(html.unescape(re.sub(r"<[^>]+>", "", rendered)).split())


def _norm(text: str) -> str:
    return " ".join(text.split())


def test_section_html_reads_like_the_docx(tmp_path: Path) -> None:
    report = _report(tmp_path)
    blocks = section_blocks(report, "market_review")
    document = docx.Document(io.BytesIO(render_docx(report, tmp_path)))
    paragraphs = [_norm(p.text) for p in document.paragraphs]
    cells = [_norm(c.text) for t in document.tables for row in t.rows for c in row.cells]

    shown = []
    for block in blocks:
        markdown = block_markdown(block)
        if markdown is None:
            continue
        rendered, text = _html_text(markdown)
        assert "<s>" not in rendered and "<del>" not in rendered and "<em>" not in rendered
        assert text in paragraphs, (text, paragraphs)
        shown.append(text)
    assert any("50~73%" in t and "5~9 倍" in t and "*并非强调*" in t and "_下划线_" in t for t in shown)
    visible = re.sub(r"\]\(<[^>]*>\)", "]", inline_markdown(HOSTILE))  # link destinations are not text
    assert "~" not in re.sub(r"\\~", "", visible)  # GFM's single-tilde strike can never fire
    # the URL shown intact as text, never a live link (issue 22: news URLs are not clickable)
    assert "https\\:\\/\\/example\\.com\\/a\\_b\\~c" in inline_markdown(HOSTILE)
    assert "](<http" not in inline_markdown(HOSTILE)
    assert "[\\[1\\]](#src-1)" in inline_markdown(HOSTILE)

    tables = [b for b in blocks if isinstance(b, TableBlock | MdTable)]
    charts = [b for b in blocks if isinstance(b, ChartBlock)]
    assert [t.title if isinstance(t, TableBlock) else t.caption for t in tables] == [
        "表 1：7 月份人工智能板块涨幅前十", "表 2：7月融资事件"]
    assert [c.title for c in charts] == ["图 1：7 月人工智能指数表现"]
    assert "表 1：7 月份人工智能板块涨幅前十" in paragraphs and "图 1：7 月人工智能指数表现" in paragraphs
    data = tables[0]
    assert isinstance(data, TableBlock)
    for cell in data.rows[0]:
        assert _html_text(md_escape(cell))[1] in cells  # st.table renders cells as Markdown: escaped the same
    assert _html_text(inline_markdown("1亿元 [1]"))[1] in cells


# A passage of three sentences; the section's claim rests on the middle one, which carries Markdown and HTML.
PASSAGE = "寒武纪发布*年报*。\n英伟达在7月发布了面向推理的新一代GPU，毛利率 50~73%<b>显著</b>。其余内容与本章无关。"
SUPPORT = "英伟达在7月发布了面向推理的新一代GPU，毛利率 50~73%<b>显著</b>。"


def test_the_supporting_sentence_is_highlighted_inside_the_passage_escaped() -> None:
    shown = passage_markdown(PASSAGE, SUPPORT)
    assert shown == (f"{md_escape('寒武纪发布*年报*。')}\n:orange-background[{md_escape(SUPPORT)}]"
                     f"{md_escape('其余内容与本章无关。')}")
    assert "<b>" not in shown and "&lt;b\\>" in shown and "50\\~73\\%" in shown
    assert passage_markdown(PASSAGE, "") == md_escape(PASSAGE)  # nothing supports: the passage, unmarked
    assert passage_markdown("", "") == "（无段落）"


def test_section_page_highlights_the_supporting_sentence_in_the_expanded_passage(
        app_as: Callable[..., AppTest], store: Seeded, tmp_path: Path) -> None:
    service, users, _ = store
    source = SourceRef(marker=1, doc_id="n9", title="英伟达发布推理GPU", date="2024-07-09", source="新智元",
                       passage=PASSAGE)
    section = SectionDraft(id="compute_dynamics", title="算力动态", markdown="英伟达发布面向推理的GPU，毛利率 50~73% [1]。",
                           citations=[Citation(marker=1, doc_id="n9")])
    report = Report(month="2024-07", title="支撑句测试", engine="offline", sections=[section], sources=[source])
    report_id = service.import_report(write_out_dir(tmp_path / "support", report), users["analyst"])
    pk = service.sections(report_id)[0].pk

    at = app_as("editor", "screens/section.py", goto={"report_id": report_id, "section_pk": pk})
    passage = next(e for e in at.expander if e.label == "引用段落")
    assert [m.value for m in passage.markdown] == [
        f"{md_escape('寒武纪发布*年报*。')}\n:orange-background[{md_escape(SUPPORT)}]{md_escape('其余内容与本章无关。')}"]
    assert not passage.markdown[0].proto.allow_html
    assert f"支撑句：:orange-background[{md_escape(SUPPORT)}]" in [m.value for m in at.markdown]


def test_a_figure_slot_shows_as_awaiting_its_picture_not_as_a_missing_file(
        app_as: Callable[..., AppTest], store: Seeded, tmp_path: Path) -> None:
    """A write-up's "图：title" is a numbered slot the editor fills in Word; the page says so, as the DOCX does."""
    service, users, _ = store
    markdown = "PNN 新进展 [1]。\n\n图：PNN 训练方法发展时间表\n\n资料来源：新智元，测试研究院整理"
    section = SectionDraft(id="frontier_tech", title="前沿技术", markdown=markdown,
                           citations=[Citation(marker=1, doc_id="n9")])
    source = SourceRef(marker=1, doc_id="n9", title="PNN", date="2024-07-09", source="新智元", passage="PNN 新进展。")
    report = Report(month="2024-07", title="图位测试", engine="offline", sections=[section], sources=[source])
    report_id = service.import_report(write_out_dir(tmp_path / "slot", report), users["analyst"])
    pk = service.sections(report_id)[0].pk

    at = app_as("editor", "screens/section.py", goto={"report_id": report_id, "section_pk": pk})
    assert not [w.value for w in at.warning if "图表文件不存在" in w.value]
    assert any(i.value.startswith("（图片待插入）") for i in at.info)
    assert "**图 1：PNN 训练方法发展时间表**" in [m.value for m in at.markdown]
