"""The answer check and the digest mapping as pure functions, plus the editor mark on uncited model judgement."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.checks import run_checks
from assistant.drafting.digest import match_groups, render_digest, source_number
from assistant.drafting.template import load_template
from assistant.engine.answer import AWAITING_EDITOR, check_answer, tag_uncited_judgement
from assistant.engine.packed import PackedContext, Source
from assistant.models import Report, SectionDraft, SourceRef

TEMPLATE = load_template("monthly_ai")
OTHERS = [s.title for s in TEMPLATE.sections]
WRITEUP = ("本月前沿技术进展密集[1]。\n\n#### 1. FlashAttention-3 提升注意力计算效率\n\n"
           "FlashAttention-3 在 H100 上把 FP16 注意力计算速度提高 1.5 到 2 倍[1]。该方法利用异步与低精度[1]。")


def _check(section: str, markdown: str, citations: int = 1, prompts: tuple[str, ...] = ()) -> tuple[str, set[str]]:
    verdict = check_answer(TEMPLATE.section(section), markdown, citations=citations, prompt_texts=prompts,
                           other_titles=OTHERS)
    return verdict.status, {f.kind.removeprefix("answer_check:") for f in verdict.findings}


def test_a_real_writeup_passes() -> None:
    assert _check("tech_frontier", WRITEUP, citations=1) == ("passed", set())


@pytest.mark.parametrize(("section", "markdown", "citations", "rule"), [
    ("market_review", "无", 0, "no_answer"),
    ("tech_frontier", "抱歉，我无法完成这个任务。", 0, "no_answer"),
    ("tech_frontier", "本月前沿技术进展密集[n]。\n\n#### 1. 标题\n\n内容很多，值得关注[n]。", 0, "placeholder_left"),
    ("market_review", "### （一）整体行情\n\n指数收盘于 {收盘价}，涨幅 {涨跌幅}。\n\n{{table:IDX}}", 0, "placeholder_left"),
    ("data_policy", "本月数据要素政策密集[1]。", 1, "no_rows"),
    ("tech_frontier", "#### 1. 标题\n\n只有标题和没有引用的正文段落。", 0, "no_paragraph"),
    ("core_views", "本月行情平稳，政策密集出台，算力需求旺盛[1]。", 1, "no_bullet"),
    ("market_review", "### （一）整体行情\n\n{{table:IDX}}\n\n{{chart:F1}}", 0, "no_prose"),
    ("tech_frontier", WRITEUP + "\n\n" + "模型能力持续提升，推理成本继续下降，应用加速落地。" * 6, 1, "repetition_loop"),
])
def test_holes_fail(section: str, markdown: str, citations: int, rule: str) -> None:
    status, rules = _check(section, markdown, citations)
    assert status == "failed" and rule in rules


def test_prompt_echo_fails_but_sources_briefs_and_own_titles_do_not_count() -> None:
    prompt = ("请撰写“（一）前沿技术动态”一节。\n每个主题写两到四段：背景、核心进展与关键数据、影响与意义；每段句末用 [n] 标注来源。\n"
              '<source n="1" title="t">FlashAttention-3 在 H100 上把 FP16 注意力计算速度提高 1.5 到 2 倍。</source>')
    assert _check("tech_frontier", WRITEUP, prompts=(prompt,))[0] == "passed"
    echoed = WRITEUP + "\n\n每个主题写两到四段：背景、核心进展与关键数据、影响与意义[1]。"
    assert _check("tech_frontier", echoed, prompts=(prompt,)) == ("failed", {"prompt_echo"})


def test_heading_of_another_section_needs_review() -> None:
    status, rules = _check("tech_frontier", WRITEUP + "\n\n### （一）前沿产品动态\n\n产品更新很多[1]。")
    assert (status, rules) == ("needs_review", {"other_section_heading"})


def test_news_section_without_citations_fails() -> None:
    assert "no_citation" in _check("tech_frontier", WRITEUP, citations=0)[1]


@pytest.mark.parametrize(("value", "number"), [(3, 3), (3.0, 3), ("3", 3), (" [3] ", 3), ("n=3", 3),
                                               ("n", None), (True, None), (None, None), ("3a", None)])
def test_source_numbers_as_models_write_them(value: object, number: int | None) -> None:
    assert source_number(value) == number


def test_groups_match_exactly_then_by_fuzzy_title_then_by_position() -> None:
    titles = ["数据要素最新新闻及政策", "数据交易所最新新闻及政策"]
    assert match_groups(titles, ["数据交易所新闻", "数据要素政策"]) == {
        0: ("数据交易所最新新闻及政策", "fuzzy"), 1: ("数据要素最新新闻及政策", "fuzzy")}
    assert match_groups(titles, ["表名", "表名"]) == {0: (titles[0], "position"), 1: (titles[1], "position")}
    assert match_groups(["相关政策法规"], ["政策法规"]) == {0: ("相关政策法规", "fuzzy")}


def _source(n: int, group: str) -> Source:
    return Source(number=n, doc_id=f"d{n}", title=f"标题{n}", date=dt.date(2024, 7, n), source="新华网",
                  group=group, passage="正文。")


def test_unplaceable_rows_and_groups_are_findings_never_silence() -> None:
    spec = TEMPLATE.section("data_policy")
    packed = PackedContext(sources=[_source(1, "数据要素最新新闻及政策"), _source(2, "数据交易所最新新闻及政策")])
    data = {"lead": "导语[1]。", "groups": [
        {"title": "完全无关的表", "rows": [{"source": "2", "title": "A", "summary": "B"}]},
        {"title": "数据要素最新新闻及政策", "rows": [{"source": 1, "title": "C", "summary": "D"},
                                                 {"source": 1, "title": "dup", "summary": "dup"},
                                                 {"source": 9, "title": "E", "summary": "F"}]}]}
    markdown, findings = render_digest(data, packed, spec, "某证券")
    kinds = sorted(f.kind for f in findings)
    assert kinds == ["duplicate_row", "invented_citation"]
    # the unknown group's row followed its source's retrieval group instead of vanishing
    assert "表：数据交易所最新新闻及政策" in markdown and "**A**：B[2]" in markdown


def test_uncited_model_judgement_is_tagged_and_blocks_until_the_mark_is_deleted() -> None:
    text, tagged = tag_uncited_judgement("- **算力**：本月算力需求旺盛[1]。我们认为板块有望持续走强。\n- **短**：好。")
    assert tagged == ["我们认为板块有望持续走强。"] and f"持续走强{AWAITING_EDITOR}。" in text
    section = SectionDraft(id="core_views", title="核心观点", markdown=text)
    report = Report(month="2024-07", engine="openai", sections=[section])
    found = [f for f in run_checks(report, {}) if f.kind == "uncited_model_judgement"]
    assert len(found) == 1 and found[0].severity == "blocking"
    confirmed = report.model_copy(update={"sections": [section.model_copy(
        update={"markdown": text.replace(AWAITING_EDITOR, "")})]})
    assert not [f for f in run_checks(confirmed, {}) if f.kind == "uncited_model_judgement"]


def test_checks_repeat_the_answer_check_for_sections_sent_to_review_until_fixed() -> None:
    bad = WRITEUP + "\n\n### （一）前沿产品动态\n\n产品更新很多[1]。"
    section = SectionDraft(id="tech_frontier", title="（一）前沿技术动态", markdown=bad, answer_check="needs_review")
    source = SourceRef(marker=1, doc_id="fa3", title="FlashAttention-3", date=dt.date(2024, 7, 12), source="机器之心")
    report = Report(month="2024-07", engine="openai", template_id="monthly_ai", sections=[section],
                    sources=[source])
    kinds = [f.kind for f in run_checks(report, {}) if f.kind.startswith("answer_check:")]
    assert kinds == ["answer_check:other_section_heading"]
    fixed = report.model_copy(update={"sections": [section.model_copy(update={"markdown": WRITEUP})]})
    assert not [f for f in run_checks(fixed, {}) if f.kind.startswith("answer_check:")]
