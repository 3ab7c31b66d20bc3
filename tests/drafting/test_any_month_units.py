"""The pieces that let any month draft (fast, no store): policy rows from home and abroad, rows no table takes,
items nothing prints, a news section with nothing of its kind, a failed section's slot."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fakes.drafting_data import make_items
from fakes.jobs import make_job
from fakes.retriever import FakeRetriever

from assistant.drafting.coverage import unused_items
from assistant.drafting.digest import render_digest
from assistant.drafting.offline import OfflineEngine
from assistant.drafting.policy import policy_row_fields
from assistant.drafting.runner import draft_sections, failed_slot
from assistant.drafting.template import load_template
from assistant.engine.packed import PackedContext, Source
from assistant.models import Citation, NewsItem, Report, SectionDraft

TEMPLATE = load_template("monthly_ai")


def test_policy_rows_name_level_and_issuer_at_home_and_abroad() -> None:
    eu = policy_row_fields("欧盟《人工智能法案》正式生效", "8 月 1 日，欧盟《人工智能法案》正式生效。", "新华社")
    assert eu == {"level": "海外", "issuer": "欧盟", "name": "人工智能法案"}
    state = policy_row_fields("California lawmakers pass AI safety bill SB 1047",
                              "California's state assembly on Wednesday passed SB 1047, a bill that would require "
                              "safety tests.", "Reuters")
    assert state is not None and (state["level"], state["issuer"]) == ("海外", "美国加利福尼亚州")
    us = policy_row_fields("美国商务部发布人工智能安全新指南草案", "美国商务部发布《双重用途基础模型滥用风险管理》指南草案。",
                           "财联社")
    assert us is not None and (us["level"], us["issuer"]) == ("海外", "美国商务部")  # a 商务部, but not China's
    council = policy_row_fields("国务院常务会议研究部署深入推进“人工智能+”行动",
                                "国务院总理主持召开国务院常务会议，研究部署深入推进“人工智能+”行动。", "中国政府网")
    assert council == {"level": "中央", "issuer": "国务院", "name": "国务院常务会议研究部署深入推进“人工智能+”行动"}
    local = policy_row_fields("北京市出台算力基础设施建设实施方案",
                              "北京市经济和信息化局等部门印发《北京市算力基础设施建设实施方案（2024—2027 年）》。", "北京日报")
    assert local is not None and (local["level"], local["issuer"]) == ("地方", "北京市经济和信息化局")
    # company news and 产学研: no authority acts, no row
    assert policy_row_fields("萝卜快跑无人驾驶出租车快速走红", "百度旗下萝卜快跑在武汉投放 1000 台无人车。", "第一财经") is None
    assert policy_row_fields("长三角人工智能+产业创新联合体正式成立", "联合体由多家高校和企业发起。", "新华网") is None


def _source(n: int, group: str, title: str) -> Source:
    return Source(number=n, doc_id=f"d{n}", title=title, date=dt.date(2024, 7, n), source="新华网", group=group,
                  passage="正文。")


def test_a_row_no_table_takes_goes_to_other_news_not_lost() -> None:
    spec = TEMPLATE.section("compute_dynamics")  # one table: a second group the model invents has no home
    packed = PackedContext(sources=[_source(1, spec.retrieval[0].title, "甲发布芯片"),
                                    _source(2, "（不在本节）", "乙发布大模型")])
    data = {"lead": "", "groups": [{"title": spec.retrieval[0].title, "rows": [
        {"source": 1, "title": "甲发布芯片", "summary": "甲发布芯片[1]。"}]},
        {"title": "完全无关的表名", "rows": [{"source": 2, "title": "乙", "summary": "乙发布[2]。"}]}]}
    markdown, findings = render_digest(data, packed, spec, "某证券")
    assert "其他相关动态：乙发布大模型[2]。" in markdown
    unplaced = [f for f in findings if f.kind == "unplaced_row"]
    assert len(unplaced) == 1 and unplaced[0].severity == "warning"
    assert not [f for f in findings if f.kind == "not_printed"]


def test_items_nothing_prints_are_named_once_and_background_is_not() -> None:
    day = dt.date(2024, 7, 5)
    items = {i: NewsItem(doc_id=i, date=d, title=f"条目{i}", body="正文", source="新华网", category=c)
             for i, d, c in (("a", day, "funding"), ("b", day, "other"), ("c", day, "policy"),
                             ("old", dt.date(2024, 6, 30), "funding"))}
    report = Report(month="2024-07", engine="offline", sections=[
        SectionDraft(id="policy_frontier", title="政策", markdown="条目c[1]", citations=[Citation(marker=1,
                                                                                               doc_id="c")])])
    found = unused_items(report, items, (dt.date(2024, 7, 1), dt.date(2024, 7, 31)), TEMPLATE)
    assert [(f.section, f.sentence) for f in found] == [("funding", "条目a"), ("core_views", "条目b")]
    assert all(f.kind == "item_not_used" and "未采用" in f.detail for f in found)
    assert "没有对应的章节" in found[1].detail


def test_news_sections_with_nothing_of_their_kind_print_a_neutral_line(tmp_path: Path) -> None:
    only_compute = [i for i in make_items() if i.category == "compute"]
    job = make_job(OfflineEngine(), tmp_path, retriever=FakeRetriever(only_compute))
    outcomes = draft_sections(job, job.template.sections, {})
    assert not [k for k, o in outcomes.items() if o.draft.status == "failed"]
    funding = outcomes["funding"].draft
    assert funding.markdown == f"{job.values['month_label']}未收录投融资相关动态，本节从略。"
    assert [f.kind for f in funding.findings] == ["section_empty"] and funding.findings[0].severity == "warning"
    assert "[" in outcomes["compute_dynamics"].draft.markdown  # the section that has items drafts them


def test_a_failed_slot_lists_its_candidates_cited_or_says_there_are_none() -> None:
    text, cites = failed_slot("（二）投融资事件", [_source(3, "g", "甲完成 A 轮融资。"), _source(5, "g", "乙获投资")])
    assert text.splitlines()[0] == "【本节待补：（二）投融资事件未能自动起草，请分析师依据以下本月条目补写。】"
    assert "- 7.3 甲完成 A 轮融资[3]" in text and "- 7.5 乙获投资[5]" in text
    assert [(c.marker, c.doc_id) for c in cites] == [(3, "d3"), (5, "d5")]
    empty, none = failed_slot("（二）投融资事件", [])
    assert empty.startswith("【本节待补：") and "没有可供本节使用的条目" in empty and none == []
