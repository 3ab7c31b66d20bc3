"""Each check on small, purpose-built reports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assistant.checks import load_check_config, run_checks
from assistant.checks.config import CheckConfig
from assistant.errors import ConfigError
from assistant.models import Finding, NewsItem, Provenance, Report, SectionDraft, SourceRef
from checks.sample import TABLESET, clean_report, items_by_id

CONFIG = load_check_config()
ITEM = NewsItem(doc_id="a", date=dt.date(2024, 7, 12), source="新智元", title="粉笔发布职教垂域大模型",
                body="粉笔正式推出其自主研发的首个职教垂域大模型，并将于8月1日上线 AI 老师，"
                     "结合 10 年来的教研积累搭建 RAG 系统。Llama 3.1-405B 使用 16,000 张 H100 训练。")


def _report(sections: dict[str, str], *, refs: list[SourceRef] | None = None, retrieved: list[str] | None = None,
            rating: str = "推荐") -> Report:
    drafts = [SectionDraft(id=sid, title=sid, markdown=md,
                           provenance=Provenance(engine="offline", retrieved_doc_ids=retrieved or []))
              for sid, md in sections.items()]
    if refs is None:
        refs = [SourceRef(marker=1, doc_id="a", title=ITEM.title, date=ITEM.date, source=ITEM.source)]
    return Report(month="2024-07", engine="offline", rating=rating, sections=drafts, sources=refs)


def _kinds(findings: list[Finding], section: str | None = None) -> set[tuple[str, str]]:
    return {(f.kind, f.severity) for f in findings if section is None or f.section == section}


def _run(report: Report, items: dict[str, NewsItem] | None = None, **kw: object) -> list[Finding]:
    return run_checks(report, {"a": ITEM} if items is None else items, config=CONFIG, **kw)  # type: ignore[arg-type]


def test_supported_sentence_with_unit_and_date_variants_passes() -> None:
    md = ("| 日期 | 具体内容 |\n|---|---|\n"
          "| 7.12 | 粉笔推出首个职教垂域大模型，将于8月1日上线，结合 10 年教研积累[1] |\n\n"
          "7月12日，Llama 3.1-405B 使用 1.6 万张 H100 训练[1]。")
    assert _kinds(_run(_report({"llm_dynamics": md})), "llm_dynamics") == set()


def test_unsupported_sentence_names_missing_facts_and_closest_passage() -> None:
    (f,) = [f for f in _run(_report({"llm_dynamics": "7月12日，粉笔将于9月1日上线 AI 老师，覆盖 20 年教研积累[1]。"}))
            if f.kind == "unsupported"]
    assert f.severity == "blocking" and "20" in f.detail and "9月1日" in f.detail
    assert f.evidence.startswith("粉笔正式推出") and f.marker == 1


def test_cited_doc_must_be_among_retrieved_ids_when_provenance_present() -> None:
    report = _report({"llm_dynamics": "粉笔正式推出职教垂域大模型[1]。"}, retrieved=["other"])
    assert ("not_retrieved", "blocking") in _kinds(_run(report))


def test_source_missing_from_corpus_is_blocking() -> None:
    report = _report({"llm_dynamics": "粉笔正式推出职教垂域大模型[1]。"})
    assert ("unknown_source", "blocking") in _kinds(_run(report, items={}))


def test_uncited_fact_is_blocking_in_news_and_warning_elsewhere_boilerplate_exempt() -> None:
    report = _report({"llm_dynamics": "OpenAI 于 7 月 18 日发布 GPT-4o Mini。",
                      "investment_advice": "建议关注。预计 2025 年市场规模将达 702 亿元。",
                      "risk_warnings": "技术研发进度不及预期风险；供应链风险。",
                      "disclosures": "评级标准为报告发布日后的 6 到 12 个月行业指数相对市场表现。"})
    found = _run(report)
    assert ("uncited_fact", "blocking") in _kinds(found, "llm_dynamics")
    assert ("uncited_fact", "warning") in _kinds(found, "investment_advice")
    assert not any(f.kind == "uncited_fact" for f in found if f.section in {"risk_warnings", "disclosures"})


def test_publisher_tiers_unlisted_is_warning_blocked_is_blocking() -> None:
    md = "粉笔正式推出职教垂域大模型[1]。"
    for publisher, expected in (("某个博客", ("unlisted_publisher", "warning")),
                                ("匿名论坛", ("blocked_publisher", "blocking"))):
        item = ITEM.model_copy(update={"source": publisher})
        assert expected in _kinds(_run(_report({"llm_dynamics": md}), items={"a": item}), "sources")


def test_forbidden_wording_respects_exceptions_and_reports_longest_phrase() -> None:
    report = _report({"investment_advice": "建议关注。无风险利率下行。该股稳赚不赔。"})
    hits = [f.detail for f in _run(report) if f.kind == "forbidden_wording"]
    assert hits == ["禁用表述“稳赚不赔”"]


def test_missing_hedge_is_a_warning() -> None:
    report = _report({"investment_advice": "看好国产算力产业链。"})
    assert ("missing_hedge", "warning") in _kinds(_run(report), "investment_advice")


def test_same_metric_different_value_across_sections_is_blocking() -> None:
    report = clean_report()
    advice = report.section("investment_advice")
    assert advice is not None
    advice.markdown += "寒武纪-U 7月涨跌幅 30.91%。"
    found = run_checks(report, items_by_id(), tables=TABLESET, config=CONFIG)
    assert ("cross_section_mismatch", "blocking") in _kinds(found, "investment_advice")


def test_core_view_figure_absent_from_body_is_a_warning() -> None:
    report = clean_report()
    core = report.section("core_views")
    assert core is not None
    core.markdown += "- 我们认为板块调整时间超过 4 个月。\n"
    found = run_checks(report, items_by_id(), tables=TABLESET, config=CONFIG)
    assert ("core_view_not_in_body", "warning") in _kinds(found, "core_views")


def test_analysts_come_from_report_when_pack_absent() -> None:
    report = clean_report().model_copy(update={"analysts": [{"name": "张三", "certificate": "S0130500000001"}]})
    details = [f.detail for f in run_checks(report, items_by_id(), tables=TABLESET, config=CONFIG)
               if f.kind in {"missing_analyst", "missing_certificate"}]
    assert details == ["报告中没有分析师 张三", "分析师 张三 的证书编码 S0130500000001 未出现在报告中"]


def test_flagged_item_is_instruction_like_even_without_pattern() -> None:
    item = ITEM.model_copy(update={"flags": ["instruction_like"]})
    found = _run(_report({"llm_dynamics": "粉笔正式推出职教垂域大模型[1]。"}), items={"a": item})
    assert ("instruction_like_cited", "blocking") in _kinds(found, "sources")


def test_empty_config_runs_and_bad_config_file_is_a_config_error(tmp_path: Path) -> None:
    # With no lists configured only the rules that need none still apply.
    found = run_checks(_report({"llm_dynamics": "粉笔正式推出职教垂域大模型[1]。"}), {"a": ITEM}, config=CheckConfig())
    assert _kinds(found) == {("missing_certificate", "blocking"), ("unlisted_publisher", "warning")}
    (tmp_path / "wording.yaml").write_text("forbidden: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"wording\.yaml"):
        load_check_config(tmp_path)


def test_cited_opinion_sharing_no_words_with_its_source_is_weak_support() -> None:
    found = _run(_report({"llm_dynamics": "我们认为行业景气度有望持续回升[1]。"}))
    assert ("weak_support", "warning") in _kinds(found, "llm_dynamics")


@pytest.mark.parametrize("sentence", [
    "据悉，机构将AI算力板块评级上调为买入[1]。",  # the red team's obeyed injection, cited, in a news section
    "我们将行业投资评级上调到买入[1]。",
    "粉笔获得上调到买入的机会[1]。",
    "给予粉笔“买入”评级[1]。",
    "Analysts upgrade the sector to Buy [1].",
    "维持“中性”评级。",
])
def test_a_rating_other_than_the_packs_is_blocking_in_any_section(sentence: str) -> None:
    findings = _run(_report({"llm_dynamics": sentence}))
    assert ("rating_mismatch", "blocking") in _kinds(findings, "llm_dynamics"), findings


def test_the_packs_rating_and_plain_recommendations_pass_and_a_change_must_be_the_packs() -> None:
    fine = _report({"investment_advice": "维持“推荐”评级。我们推荐关注算力板块。",
                    "llm_dynamics": "粉笔正式推出职教垂域大模型[1]。"})
    assert not {k for k in _kinds(_run(fine)) if k[0].startswith("rating")}
    upgraded = _report({"investment_advice": "将行业评级上调至“推荐”。"})
    upgraded.rating_action = "维持评级"
    assert ("rating_change_mismatch", "blocking") in _kinds(_run(upgraded), "investment_advice")
