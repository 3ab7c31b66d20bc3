"""Sentence splitting and the normalisation of figures, dates and names."""

from __future__ import annotations

import pytest

from assistant.checks.text import (
    extract_dates,
    extract_figures,
    extract_latin_entities,
    extract_org_names,
    split_sentences,
)


def test_sentences_split_on_chinese_punctuation_bullets_headings_and_table_rows() -> None:
    md = ("### 国外大模型\n"
          "- **Llama 3.1 横空出世。**Meta 发布 Llama 3.1[1]。OpenAI 发布 GPT-4o Mini！价格更低？是的；\n\n"
          "| 日期 | 具体内容 |\n| --- | --- |\n| 7.18 | 上海数据交易所碳板块上线[2][3] |\n")
    sentences = split_sentences("llm", md)
    assert [s.kind for s in sentences] == ["heading", "heading", "prose", "prose", "prose", "prose",
                                           "table_header", "table_row"]
    assert sentences[2].markers == (1,) and sentences[2].plain == "Meta 发布 Llama 3.1。"
    assert sentences[-1].markers == (2, 3)


def test_marker_after_full_stop_belongs_to_the_sentence_before() -> None:
    sentences = split_sentences("x", "Vidu 全球上线。[3] 另一句话。")
    assert [(s.plain, s.markers) for s in sentences] == [("Vidu 全球上线。", (3,)), ("另一句话。", ())]


@pytest.mark.parametrize(("text", "value"), [
    ("使用1.6万张芯片", 16000.0),
    ("超过 15 万亿个 token", 15e12),
    ("总市值 2,712.41 亿", 2712.41e8),
    ("使用１６０００张", 16000.0),
    ("涨跌幅为-0.30%", -0.30),
])
def test_figures_are_normalised(text: str, value: float) -> None:
    (fig,) = extract_figures(text)
    assert fig.value == pytest.approx(value)


def test_rounded_figure_matches_its_precise_source() -> None:
    (fig,) = extract_figures("约 1.6 万张")
    assert fig.matches(16000) and fig.matches(15960) and not fig.matches(17000)


def test_codes_dates_enumerations_and_latin_names_are_not_figures() -> None:
    figures = extract_figures("人工智能指数（884201.WI）7月12日上涨，1、算力；2024/7/12 见 2024-07-12")
    assert figures == []


@pytest.mark.parametrize("text", ["7月12日", "2024/7/12", "2024-07-12", "2024 年 7 月 12 号"])
def test_date_forms_agree(text: str) -> None:
    (date,) = extract_dates(text)
    assert (date.month, date.day) == (7, 12)


def test_names_latin_and_chinese_organisations() -> None:
    text = "由上海体育大学与百度合作，OpenAI 发布 GPT-4o mini，使用 H100 与 token（000300.SH）"
    assert extract_latin_entities(text, frozenset({"ai"})) == ["OpenAI", "GPT-4o", "H100"]
    assert extract_org_names(text) == ["上海体育大学"]


def test_source_lines_under_tables_are_not_claims() -> None:
    md = "| 日期 | 具体内容 |\n| --- | --- |\n| 7.23 | 上海数据交易所上线公共数据专区[1] |\n\n资料来源：新华网、光明网，中国银河证券研究院整理\n"
    kinds = [s.kind for s in split_sentences("data_policy", md)]
    assert kinds == ["table_header", "table_row", "source_line"]
