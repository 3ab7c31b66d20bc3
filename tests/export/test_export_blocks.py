"""The section-markdown parser and the pure text helpers export is built on."""

from __future__ import annotations

import pytest

from assistant.export.blocks import (
    BulletList,
    CodeBlock,
    Heading,
    ListItem,
    MdTable,
    Paragraph,
    Quote,
    Ref,
    parse_markdown,
    split_row,
)
from assistant.export.text import (
    chapter_level,
    escape_data,
    inline_runs,
    neutralize_html,
    number_title,
    plain_text,
    strip_number,
)
from assistant.numerals import chinese_numeral


def test_parse_mixed_section() -> None:
    md = ("### (一) 整体行情\n指数收盘 5257.12，\n月涨 0.52%[1]。\n\n"
          "- 第一点\n  续行\n    - 子项\n1. 编号\n\n"
          "| 日期 | 事件 |\n|:---|---:|\n| 7月3日 | a\\|b |\n\n> 引用\n\n```\n<b>x</b>\n```")
    assert parse_markdown(md) == [
        Heading(3, "(一) 整体行情"),
        Paragraph("指数收盘 5257.12，\n月涨 0.52%[1]。"),
        BulletList((ListItem("第一点 续行"), ListItem("子项", depth=1), ListItem("编号", marker="1."))),
        MdTable(("日期", "事件"), (("7月3日", "a\\|b"),)),
        Quote("引用"),
        CodeBlock("<b>x</b>"),
    ]


def test_refs_inside_a_paragraph_are_split_out() -> None:
    blocks = parse_markdown("见下表：{{table:T1}}以及{{ chart : F2 }}。")
    assert blocks == [Paragraph("见下表："), Ref("table", "T1"), Paragraph("以及"), Ref("chart", "F2"),
                      Paragraph("。")]


def test_list_depth_follows_indentation_of_any_width() -> None:
    blocks = parse_markdown("- a\n    - b\n        - c\n    - d\n- e")
    assert blocks == [BulletList(tuple(ListItem(t, depth=d) for t, d in
                                       (("a", 0), ("b", 1), ("c", 2), ("d", 1), ("e", 0))))]


def test_pipe_text_without_delimiter_row_is_a_paragraph() -> None:
    assert parse_markdown("A | B\n不是表格") == [Paragraph("A | B\n不是表格")]


def test_split_row_keeps_escaped_pipes() -> None:
    assert split_row("| a\\|b | c |") == ("a\\|b", "c")
    assert split_row("a | b") == ("a", "b")


def test_unclosed_fence_keeps_the_rest_as_code() -> None:
    assert parse_markdown("```python\nx = 1") == [CodeBlock("x = 1", info="python")]


def test_crlf_input() -> None:
    assert parse_markdown("# 标题\r\n\r\n正文") == [Heading(1, "标题"), Paragraph("正文")]


@pytest.mark.parametrize(("text", "expected"), [
    ("<img>", "\\<img>"),
    ("\\<img>", "\\<img>"),  # already escaped
    ("\\\\<img>", "\\\\\\<img>"),  # an escaped backslash does not escape the <
    ("`a<b` <c", "`a<b` \\<c"),
])
def test_neutralize_html(text: str, expected: str) -> None:
    assert neutralize_html(text) == expected


def test_escape_data_is_one_literal_line() -> None:
    assert escape_data("a|b\n*c*_[d]_ <e>") == "a\\|b \\*c\\*\\_\\[d\\]\\_ \\<e\\>"


def test_inline_runs_bold_links_escapes() -> None:
    runs = inline_runs("**要点。**正文[3]，见[原文](https://x.cn)，a\\|b")
    assert runs == [("要点。", True), ("正文[3]，见原文（https://x.cn），a|b", False)]
    assert plain_text("`code` \\*x\\*") == "code *x*"


def test_numbering_helpers() -> None:
    assert strip_number("表 3：人工智能主题基金一览") == "人工智能主题基金一览"
    assert strip_number("图12: 标题") == "标题"
    assert number_title("表", 2, "表 9：旧编号") == "表 2：旧编号"
    assert [chinese_numeral(n) for n in (1, 10, 12, 20, 99)] == ["一", "十", "十二", "二十", "九十九"]
    assert [chapter_level(t) for t in ("一、市场", "（二）估值", "(三) x", "1. PNN", "风险提示")] == [2, 3, 3, 4, None]
