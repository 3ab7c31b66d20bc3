"""report.md: the seed's structure, 表/图 numbering, 目录/图表目录, sources, escaping."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from assistant.errors import ExportError
from assistant.export import assemble, render_markdown
from assistant.models import Report, SectionDraft


def _pos(md: str, needle: str) -> int:
    at = md.find(needle)
    assert at >= 0, f"{needle!r} missing from report.md"
    return at


def _section_between(md: str, start: str, end: str) -> str:
    return md[_pos(md, start):_pos(md, end)]


def test_structure_follows_the_seed(report: Report) -> None:
    md = render_markdown(report)
    order = ["# 人工智能赋能新质生产力", "——7月人工智能月报", "## 核心观点", "## 目录", "## 一、市场行情回顾",
             "### (一) 整体行情", "## 二、人工智能产业政策动态", "### （一）数据要素最新新闻及政策",
             "### （二）国内外巨头大模型动态", "## 三、前沿行业动态", "#### 1. PNN", "## 五、风险提示", "## 参考来源", "## 图表目录",
             "## 分析师承诺及简介", "## 免责声明", "## 评级标准"]
    positions = [_pos(md, n) for n in order]
    assert positions == sorted(positions)
    assert md.rstrip().endswith("| 推荐 | 相对基准指数涨幅10%以上 |")  # disclosures are last


def test_title_block_has_rating_and_analyst_certificates(report: Report) -> None:
    head = render_markdown(report).split("## 核心观点")[0]
    assert "- 行业：计算机行业" in head
    assert "- 评级：推荐（维持评级）" in head
    assert "分析师：吴砚靖，分析师证书编码：S0130519070001" in head
    assert "研究助理：胡天昊" in head and "胡天昊，分析师证书编码" not in head
    assert "请务必阅读正文最后的中国银河证券研究院免责声明。" in head


def test_disclaimer_line_names_the_licensed_company_when_the_pack_gives_one(report: Report) -> None:
    # the seed's line: 请务必阅读正文最后的中国银河证券股份有限公司免责声明。 (the institute signs the tables)
    licensed = report.model_copy(update={"legal_entity": "中国银河证券股份有限公司"})
    head = render_markdown(licensed).split("## 核心观点")[0]
    assert "请务必阅读正文最后的中国银河证券股份有限公司免责声明。" in head
    assert "研究院免责声明" not in head and "- 发布机构：中国银河证券研究院" in head


def test_tables_and_charts_are_numbered_in_order_of_appearance(report: Report) -> None:
    md = render_markdown(report)
    # F1 by marker, funds (T3) by key marker mid-paragraph, then the listed F2, T1, T2, then the drafter's
    # captioned digest table; VAL only in the appendix
    expected = ["**图 1：7 月人工智能指数表现**", "**表 1：人工智能主题基金一览**", "**图 2：7 月人工智能板块市场表现**",
                "**表 2：7 月份人工智能板块涨幅前十**", "**表 3：7 月份人工智能板块跌幅前十**",
                "**表 4：数据要素最新新闻及政策**", "**表 5：人工智能板块估值**"]
    positions = [_pos(md, e) for e in expected]
    assert positions == sorted(positions)
    assert _pos(md, "**表 5：") > _pos(md, "## 附录：未在正文引用的图表")
    assert "表：数据要素" not in md  # the drafter's caption line became the numbered title
    assert md.count("**表 2：") == 1  # T1 printed once ...
    assert "（见表 2）" in md  # ... and the second reference points to it


def test_every_table_and_chart_has_its_source_line_below(report: Report) -> None:
    md = render_markdown(report)
    for caption in re.findall(r"\*\*([表图] \d+：[^*]+)\*\*", md):
        after = md[_pos(md, f"**{caption}**"):]
        next_caption = re.search(r"\n\*\*[表图] \d+：", after[2:])
        block = after[: next_caption.start() + 2] if next_caption else after
        assert "资料来源：" in block, caption
    assert "资料来源：Wind，中国银河证券研究院" in _section_between(md, "**表 1：", "估值处于低位")  # prefix added


def test_inline_marker_splits_the_paragraph(report: Report) -> None:
    md = render_markdown(report)
    assert "平均估值见下表：\n\n**表 1：" in md
    assert "\n\n估值处于低位。" in md
    assert "{{" not in md


def test_toc_lists_chapters_and_subsections_as_they_appear(report: Report) -> None:
    toc = _section_between(render_markdown(report), "## 目录", "## 一、市场行情回顾")
    lines = [ln for ln in toc.splitlines()[1:] if ln.strip()]
    assert lines == [
        "- 一、市场行情回顾", "    - (一) 整体行情", "    - (二) 代表企业", "    - (三) 板块估值",
        "- 二、人工智能产业政策动态", "    - （一）数据要素最新新闻及政策", "    - （二）国内外巨头大模型动态",
        "- 三、前沿行业动态", "    - （一）前沿技术动态", "        - 1\\. PNN 或可改变 AI 系统高能耗问题",
        "        - 2\\. FlashAttention-3 发布", "- 四、投融资事件", "- 五、风险提示", "- 附录：未在正文引用的图表",
    ]
    html = MarkdownIt("commonmark").render(toc)
    assert "<ol" not in html and "<li>1. PNN 或可改变 AI 系统高能耗问题</li>" in html  # not a nested list


def test_list_of_figures_and_tables(report: Report) -> None:
    lof = _section_between(render_markdown(report), "## 图表目录", "## 分析师承诺及简介")
    assert lof.index("### 插图目录") < lof.index("- 图 1：7 月人工智能指数表现") < lof.index("- 图 2：")
    assert lof.index("### 表格目录") < lof.index("- 表 1：人工智能主题基金一览") < lof.index("- 表 4：数据要素最新新闻及政策") \
        < lof.index("- 表 5：人工智能板块估值")


def test_sources_list_in_marker_order_with_publisher_date_url(report: Report) -> None:
    refs = _section_between(render_markdown(report), "## 参考来源", "## 图表目录")
    assert "- [1] 五部门开展车路云一体化应用试点，工业和信息化部，2024-07-03，https://www.miit.gov.cn/a\\|b" in refs
    assert "- [2] Meta 发布 Llama 3.1 \\[405B\\]，新智元，2024-07-23\n" in refs  # no url, brackets escaped
    assert "2023-12-30，https://www.ithome.com/x（背景资料）" in refs
    assert refs.index("[1]") < refs.index("[2]") < refs.index("[3]")


def test_cells_escape_pipes_and_newlines(report: Report) -> None:
    md = render_markdown(report)
    assert "| 001986 | 前海开源\\|人工智能 | -3.29 |" in md
    assert "| 014630 | 汇添富 联接A |  |" in md
    html = MarkdownIt("commonmark").enable("table").render(md)
    assert "<td>前海开源|人工智能</td>" in html
    assert "<td>车路云|试点[1]</td>" in html  # an escaped pipe written by the drafter survives re-rendering


def test_html_in_sections_stays_literal_text(report: Report) -> None:
    md = render_markdown(report)
    assert "img src=x onerror=alert(1)" in md
    html = MarkdownIt("commonmark").enable("table").render(md)
    assert "onerror" not in re.sub(r"&lt;img[^<]*", "", html)  # only the escaped text mentions it
    assert re.findall(r"<img [^>]*>", html) == [  # the only real images are the charts
        '<img src="charts/F1_index_performance.png" alt="图 1：7 月人工智能指数表现" />',
        '<img src="charts/F2_constituent_returns.png" alt="图 2：7 月人工智能板块市场表现" />']
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


_XSS = "<img src=x onerror=alert(1)>"


@pytest.mark.parametrize("text", [_XSS, "\\" + _XSS, "\\\\" + _XSS, "<script>alert(1)</script>", "<!-- x -->",
                                  "a <b onclick=x>b</b>"])
def test_no_html_survives_any_escaping_trick(text: str) -> None:
    report = Report(month="2024-07", engine="offline",
                    sections=[SectionDraft(id="tech_frontier", title="一、前沿", markdown=f"{text}\n\n- {text}")])
    html = MarkdownIt("commonmark").render(render_markdown(report))
    assert not re.search(r"<(img|script|b |!--)", html)


def test_code_spans_are_left_alone() -> None:
    report = Report(month="2024-07", engine="offline",
                    sections=[SectionDraft(id="x", title="一、代码", markdown="用 `a<b` 比较")])
    assert "用 `a<b` 比较" in render_markdown(report)


def test_unknown_reference_names_the_section(report: Report) -> None:
    report.sections[1].markdown += "\n\n{{table:T99}}"
    with pytest.raises(ExportError, match=r"market_review.*T99") as info:
        render_markdown(report)
    assert info.value.field == "sections.market_review"


def test_row_wider_than_header_is_an_error(report: Report) -> None:
    report.tables[1].rows.append(["a", "b", "c", "d", "e", "extra"])
    with pytest.raises(ExportError) as info:
        render_markdown(report)
    assert (info.value.row, info.value.field) == (2, "tables.T2.rows")


def test_chapters_open_once_unnumbered_titles_get_numerals_repeated_title_dropped(report: Report) -> None:
    md = render_markdown(report)
    assert md.count("一、市场行情回顾") == 2  # the chapter heading and its 目录 entry, not the drafter's repeat
    assert md.count("## 二、人工智能产业政策动态") == 1  # opened by data_policy, kept open for llm_dynamics
    assert "## 四、投融资事件" in md and "## 五、风险提示" in md
    assert "#### 1. PNN 或可改变 AI 系统高能耗问题" in md  # the writeup's ## nests under its （一） sub-section


def test_drafted_table_keeps_inline_markdown_and_its_source_line(report: Report) -> None:
    md = render_markdown(report)
    block = _section_between(md, "**表 4：数据要素最新新闻及政策**", "1. 第一条")
    assert "| 7月5日 | **数据**交易所挂牌 |" in block
    assert block.rstrip().endswith("资料来源：工业和信息化部，中国银河证券研究院整理")


def test_failed_section_is_visible() -> None:
    report = Report(month="2024-07", engine="offline",
                    sections=[SectionDraft(id="funding", title="投融资事件", status="failed", error="模型超时")])
    md = render_markdown(report)
    assert "【本节待补：投融资事件未能自动起草，请分析师补写。】" in md and "模型超时" not in md  # never the error


def test_rendering_numbered_titles_again_does_not_number_twice(report: Report) -> None:
    assembly = assemble(report)
    for table in report.tables:
        table.title = assembly.table_titles[table.id]
    md = render_markdown(report)
    assert "表 1：人工智能主题基金一览" in md and "表 1：表" not in md


def test_empty_report_still_renders_a_title() -> None:
    md = render_markdown(Report(month="2024-07", series="人工智能月报", engine="offline"))
    assert md.startswith("# 2024年7月人工智能月报\n")


def test_disclosures_go_last_and_core_views_first_whatever_the_section_order(report: Report) -> None:
    report.sections.insert(0, report.sections.pop())  # disclosures first
    report.sections.append(report.sections.pop(1))  # core views last
    md = render_markdown(report)
    assert _pos(md, "## 核心观点") < _pos(md, "## 目录") < _pos(md, "## 一、市场行情回顾")
    assert _pos(md, "## 图表目录") < _pos(md, "## 分析师承诺及简介")
    assert "- 分析师承诺及简介" not in md  # disclosures are not chapters of the 目录


def test_unnumbered_chapter_field_gets_the_next_numeral() -> None:
    report = Report(month="2024-07", engine="offline", sections=[
        SectionDraft(id="a", title="一、市场行情回顾", markdown="正文"),
        SectionDraft(id="b", title="（一）前沿技术动态", chapter="前沿行业动态", markdown="正文"),
        SectionDraft(id="c", title="（二）前沿政策动态", chapter="前沿行业动态", markdown="正文"),
        SectionDraft(id="d", title="投资建议", markdown="正文"),
    ])
    heads = [ln for ln in render_markdown(report).splitlines() if ln.startswith("## ") or ln.startswith("### ")]
    assert heads == ["## 目录", "## 一、市场行情回顾", "## 二、前沿行业动态", "### （一）前沿技术动态",
                     "### （二）前沿政策动态", "## 三、投资建议"]
