"""Core views and investment directions are assembled by code: the analyst's words verbatim, a model's proposal
marked, empty slots visible and held by the checks; market wording follows the sign of the numbers."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from fakes.drafting_data import make_tables
from fakes.jobs import char_count, make_job
from fakes.openai_server import FakeOpenAIServer, Step

from assistant.checks import run_checks
from assistant.drafting.context import Source
from assistant.drafting.market import (
    core_market_facts,
    driver_sentence,
    market_gaps,
    market_sentences,
    missing_tables,
)
from assistant.drafting.orchestrator import with_outline
from assistant.drafting.placeholders import fill_placeholders
from assistant.drafting.runner import draft_sections
from assistant.drafting.thesis_names import evidence_names, mentions, shortest_list, view_names
from assistant.drafting.views import render_advice, render_core_views
from assistant.engine.request import AdviceBrief, DepBrief, ThesisBrief
from assistant.llm.calllog import CallLog
from assistant.llm.engine import OpenAIEngine
from assistant.models import Report, SectionDraft, Table, TableSet
from assistant.outline.model import Outline, Thesis
from assistant.outline.slots import ADVICE_SLOT, MODEL_MARK, STOCK_SLOT, VIEW_SLOT
from assistant.settings import get_settings
from assistant.tables.derived import relative_facts

VALUES = {"industry": "计算机行业", "rating": "推荐", "rating_action": "维持评级"}


def _tables() -> TableSet:
    tables = make_tables()
    return tables.model_copy(update={"facts": {**tables.facts, **relative_facts(tables.facts)}})


def test_the_analysts_view_is_printed_verbatim_whatever_a_model_answers() -> None:
    theses = [ThesisBrief(headline="国产算力加速。", view="我们认为，国产算力迎来拐点。", sources=(1,)),
              ThesisBrief(headline="端侧 AI 落地", sources=(2,)),
              ThesisBrief(headline="数据要素", sources=())]
    data = {"theses": [{"facts": "昇腾芯片量产[1]。", "view": "我们认为，模型改写的观点。"},
                       {"facts": "AI 手机密集发布[2]", "view": "我们认为，端侧 AI 值得跟踪。"},
                       {"facts": "", "view": ""}]}
    briefs = [DepBrief(section="risk_warnings", label="风险提示", lead="供应链风险。")]
    text, findings = render_core_views(data, theses, briefs, _tables(), "core_views")
    lines = text.splitlines()
    assert lines[0] == "- **国产算力加速。**昇腾芯片量产[1]。我们认为，国产算力迎来拐点。"
    assert lines[1] == f"- **端侧 AI 落地：**AI 手机密集发布[2]。{MODEL_MARK}我们认为，端侧 AI 值得跟踪。"
    assert lines[2].endswith(VIEW_SLOT) and "未检索到" in lines[2]
    assert lines[3] == "- **风险提示：**供应链风险。"
    assert [f.kind for f in findings] == ["thesis_without_evidence"]


def test_a_proposed_thesis_cites_its_headline_and_a_sentence_backs_one_thesis_only() -> None:
    # the headline of a proposed thesis is a news title: it carries its marker, so the checks judge its figures
    # against that item (not the overseas table's cells for 英伟达)
    theses = [ThesisBrief(headline="英伟达拟投资 300 亿美元建设数据中心", sources=(3,), proposed=True),
              ThesisBrief(headline="算力投资加速", view="我们认为，算力投资加速。", sources=(3,),
                          unsupported=("Blackwell",))]
    same = "英伟达宣布拟投资 300 亿美元建设数据中心[3]。"
    data = {"theses": [{"facts": same, "view": ""}, {"facts": same + "多家厂商跟进[3]。", "view": ""}]}
    text, findings = render_core_views(data, theses, [], _tables(), "core_views")
    lines = text.splitlines()
    assert lines[0].startswith("- **英伟达拟投资 300 亿美元建设数据中心[3]：**英伟达宣布")
    assert same not in lines[1] and "多家厂商跟进[3]。" in lines[1]
    assert "【待分析师补充证据：Blackwell】" in lines[1]
    assert "thesis_name_unsupported" in [f.kind for f in findings]


def test_a_market_thesis_states_the_month_against_each_benchmark_by_placeholder() -> None:
    tables = _tables()
    text, gaps = core_market_facts(tables)
    assert not gaps and "{fact:theme_index.return}" in text and "{fact:relative." in text
    filled, _ = fill_placeholders(text, tables)
    theme = float(tables.facts["theme_index.return"].rstrip("%"))
    for code in [k.split(".", 1)[1].rsplit(".", 1)[0] for k in tables.facts if k.startswith("benchmark.")
                 and k.endswith(".return")]:
        other = float(tables.facts[f"benchmark.{code}.return"].rstrip("%"))
        word = "跑赢" if theme > other else "跑输"
        assert f"{word}{tables.facts[f'benchmark.{code}.name']} {abs(theme - other):.2f} 个百分点" in filled


def test_model_drafted_views_and_slots_are_blocking_until_an_editor_replaces_them() -> None:
    report = Report(month="2024-07", engine="openai", sections=[
        SectionDraft(id="core_views", title="核心观点", markdown=f"- **标题：**事实。{MODEL_MARK}我们认为，……"),
        SectionDraft(id="investment_advice", title="五、投资建议", markdown=f"1. **主题**：相关标的：{STOCK_SLOT}。")])
    found = [f for f in run_checks(report, {}) if f.kind == "view_awaiting_analyst"]
    assert [(f.section, f.severity) for f in found] == [("core_views", "blocking"), ("investment_advice", "blocking")]
    edited = report.model_copy(update={"sections": [
        SectionDraft(id="core_views", title="核心观点", markdown="- **标题：**事实。我们认为，分析师改写后的观点。")]})
    assert not [f for f in run_checks(edited, {}) if f.kind == "view_awaiting_analyst"]


def test_advice_without_an_outline_lists_themes_and_only_linked_stocks_with_slots() -> None:
    advice = [AdviceBrief(theme="算力", sources=(1,), stocks=("浪潮信息",), proposed=True),
              AdviceBrief(theme="大模型", sources=(2,), proposed=True)]
    text, _ = render_advice({"advice": [{"catalysts": "昇腾芯片量产[1]"}, {"catalysts": ""}]}, advice, VALUES, "a")
    assert text.startswith("我们维持计算机行业“推荐”评级。本月值得跟踪的主题：1、算力；2、大模型。" + ADVICE_SLOT)
    assert "1. **算力**：本月催化：昇腾芯片量产[1]。相关标的：浪潮信息。" in text
    assert f"2. **大模型**：相关标的：{STOCK_SLOT}。" in text
    empty, findings = render_advice({}, [], VALUES, "a")
    assert ADVICE_SLOT in empty and findings[0].kind == "view_awaiting_analyst"


def _movers(returns: list[str]) -> TableSet:
    rows = [[f"00000{i}.SZ", f"股票{i}", "10.00", r, r] for i, r in enumerate(returns)]
    table = Table(id="T1", key="top_movers", title="涨幅前十", source="资料来源：Wind",
                  columns=["股票代码", "股票简称", "收盘价", "月涨跌幅", "相对"],
                  rows=rows)
    return TableSet(tables=[table, table.model_copy(update={"id": "T2", "key": "bottom_movers"})],
                    facts={}, month="2024-07")


def test_mover_wording_matches_the_sign() -> None:
    falling = market_sentences(_movers(["-1.50%", "-2.00%", "-3.10%"]))["movers_sentence"]
    assert "涨幅居前" not in falling and "跌幅较小的为股票0" in falling and "跌幅居前的为股票2" in falling
    rising = re.sub(r"\{[^}]*\}", "", market_sentences(_movers(["3.00%", "2.00%", "1.00%"]))["movers_sentence"])
    assert "涨幅居前的为股票0" in rising and "涨幅较小的为股票2" in rising and "跌幅" not in rising


def test_a_loss_making_index_rewords_the_valuation_and_says_so() -> None:
    tables = make_tables()
    tables = tables.model_copy(update={"facts": {**tables.facts, "valuation.profit_cagr": "",
                                                 "valuation.pe_ttm": "-35.20"}})
    sentence = market_sentences(tables)["valuation_sentence"]
    assert "PE(TTM) 不适用" in sentence and "亏损" in sentence and "profit_cagr" not in sentence
    assert "{fact:valuation.ps_ttm}" in sentence
    fill_placeholders(sentence, tables)  # every placeholder left resolves: the section does not fail
    gaps = market_gaps(tables)
    assert any("净利润复合增长率" in g for g in gaps) and any("-35.20" in g for g in gaps)


def test_an_empty_movers_table_is_said_in_words_and_an_extreme_pe_carries_its_reason() -> None:
    tables = _movers(["3.00%", "2.00%"])
    tables = tables.model_copy(update={"tables": [tables.tables[0], tables.tables[1].model_copy(update={"rows": []})]})
    movers = re.sub(r"\{[^}]*\}", "", market_sentences(tables)["movers_sentence"])
    assert "本月成分股无下跌个股" in movers and "涨幅居前的为股票0" in movers
    assert missing_tables(tables, ["T1", "T2"]) == []  # an empty movers table does not fail the section
    extreme = make_tables()
    extreme = extreme.model_copy(update={"facts": {**extreme.facts, "valuation.pe_ttm": "2404.54",
                                                   "valuation.pe_year_start": "75.50",
                                                   "valuation.year_start_date": "2023-12-29"}})
    sentence = market_sentences(extreme)["valuation_sentence"]
    assert "PE(TTM) {fact:valuation.pe_ttm} 倍（成分股整体微利，PE 不具参考意义）" in sentence
    assert "上年末" not in sentence  # no comparison of a meaningless multiple
    assert any("2404.54" in g and "不具参考意义" in g for g in market_gaps(extreme))


def test_the_market_prose_names_the_months_driver_only_when_an_item_reports_one() -> None:
    def source(n: int, title: str, passage: str, background: bool = False) -> Source:
        return Source(number=n, doc_id=f"d{n}", title=title, date=dt.date(2024, 9, 30), source="证券时报",
                      passage=passage, background=background)

    rally = source(2, "AI 板块大涨", "9 月 24 日起，受一揽子增量政策提振，人工智能板块大幅上涨，成分股多数涨停。")
    other = source(1, "大模型发布", "某公司发布新一代大模型，性能提升。")
    old = source(3, "旧闻", "人工智能板块大幅下跌。", background=True)
    assert driver_sentence([other, rally]) == "行情方面，9 月 24 日起，受一揽子增量政策提振，人工智能板块大幅上涨，成分股多数涨停[2]。"
    assert driver_sentence([other, old]) == ""  # nothing this month says why: the prose stays factual
    assert market_sentences(make_tables(), [other])["driver_sentence"] == ""


def test_valuation_is_set_against_the_previous_year_end_when_the_pack_allows() -> None:
    tables = make_tables()
    facts = {**tables.facts, "valuation.pe_ttm": "62.33", "valuation.pe_year_start": "75.50",
             "valuation.year_start_date": "2023-12-29"}
    sentence = market_sentences(tables.model_copy(update={"facts": facts}))["valuation_sentence"]
    assert "当前 PE(TTM) 低于上年末（{fact:valuation.year_start_date}，按上年净利润计）的 {fact:valuation.pe_year_start} 倍" \
        in sentence
    higher = market_sentences(tables.model_copy(update={"facts": {**facts, "valuation.pe_year_start": "40.00"}}))
    assert "高于上年末" in higher["valuation_sentence"]
    no_history = market_sentences(tables.model_copy(update={"facts": {**facts, "valuation.pe_year_start": ""}}))
    assert "上年末" not in no_history["valuation_sentence"]


def test_through_the_openai_engine_the_analysts_view_wins_and_a_drafted_one_is_marked(tmp_path: Path) -> None:
    outline = Outline(theses=[Thesis(headline="训练效率成为焦点。", view="我们认为，训练效率决定算力需求结构。",
                                     evidence="FlashAttention-3 H100 利用率"),
                              Thesis(headline="数据要素市场化提速", evidence="数据要素 行动方案")])
    answer = json.dumps({"theses": [{"facts": "FlashAttention-3 使 H100 利用率提升至 75%[1]。",
                                     "view": "我们认为，模型想改写分析师的观点。"},
                                    {"facts": "河南省出台“数据要素×”行动实施方案[2]。",
                                     "view": "我们认为，数据要素市场化将持续提速。"}]}, ensure_ascii=False)
    with FakeOpenAIServer() as server:
        server.script("“核心观点”", Step("ok", answer))
        settings = get_settings(engine="openai", openai_api_key="sk-test", openai_base_url=server.base_url,
                                model="fake-model", max_retries=0)
        engine = OpenAIEngine(settings, log=CallLog(tmp_path / "calls.jsonl"), count=char_count, backoff_s=0.01)
        job = make_job(engine, tmp_path)
        job.template = with_outline(job.template, outline)
        outcomes = draft_sections(job, job.template.sections, {})
    core = outcomes["core_views"].draft
    assert core.status == "draft", core.error
    lines = core.markdown.splitlines()
    assert lines[0].startswith("- **训练效率成为焦点。**") and lines[0].endswith("我们认为，训练效率决定算力需求结构。")
    assert "模型想改写" not in core.markdown
    assert lines[1].endswith(f"{MODEL_MARK}我们认为，数据要素市场化将持续提速。")
    assert {c.doc_id for c in core.citations} >= {"fa3"}


def test_thesis_names_are_products_versions_and_known_names_not_vocabulary() -> None:
    names = evidence_names("苹果 Apple Intelligence 推迟上线，端侧 AI 商业化仍需时间。", "我们认为，端侧 AI 的体验打磨周期较长。",
                           "Apple Intelligence iOS 18.1 端侧 芯片")
    assert {"Apple Intelligence", "iOS 18.1", "苹果"} <= set(names)
    assert not {"AI", "芯片", "Intel", "端侧"} & set(names)  # vocabulary, and "Intel" is not inside "Intelligence"
    assert shortest_list(view_names("苹果 Apple Intelligence 推迟上线", "", (), "iOS 18.1")) == \
        ["Apple Intelligence", "iOS 18.1"]
    assert mentions("英伟达 Blackwell 芯片据报延迟", "Nvidia") and mentions("Meta 发布 Llama 3.1 405B", "Llama 3.1-405B")
    assert mentions("开展智能网联汽车“车路云”一体化应用试点", "车路云一体化")
    assert mentions("阿里通义千问开源 QwQ-32B-Preview", "Qwen QwQ") and not mentions("Anthropic 开源 MCP", "Claude")
