"""The JSON answers are read into the typed models of ``engine.answers`` row by row: a row or entry the model got
wrong is a finding naming the field, and every other row is still printed."""

from __future__ import annotations

import datetime as dt
import json

from assistant.drafting.digest import render_digest
from assistant.drafting.template import load_template
from assistant.drafting.views import render_core_views
from assistant.engine.answers import FundingAnswer, answer_model
from assistant.engine.packed import PackedContext, Source
from assistant.engine.request import ThesisBrief
from assistant.llm.structured import validate_answer
from assistant.models import TableSet

TEMPLATE = load_template("monthly_ai")


def _source(n: int, group: str) -> Source:
    return Source(number=n, doc_id=f"d{n}", title=f"标题{n}", date=dt.date(2024, 7, n), source="新华网",
                  group=group, passage="正文。")


def test_a_funding_row_with_an_object_amount_is_named_and_the_other_rows_print() -> None:
    spec = TEMPLATE.section("funding")
    group = spec.retrieval[0].title
    packed = PackedContext(sources=[_source(1, group), _source(2, group), _source(3, group)])
    bad = {"source": 2, "company": "乙公司", "amount": {"value": 1, "unit": "亿"}, "investors": "丙"}
    data = {"lead": "导语[1]。", "groups": [{"title": group, "rows": [
        {"source": "1", "company": "甲公司", "track": "AI", "round": "A 轮", "amount": 100000000, "investors": "丁",
         "missing": "简介"},
        bad,
        {"source": 3.0, "company": "戊公司", "amount": None, "investors": "己"}]}]}
    markdown, findings = render_digest(data, packed, spec, "某证券")
    assert "| 甲公司 | AI | 【待补】 | 2024/7/1 | A 轮 | 100000000 | 丁[1] |" in markdown  # a number cell is read
    # null is an empty cell, which a funding table prints as 【待补】, never "-"
    assert "| 戊公司 | 【待补】 | 【待补】 | 2024/7/3 | 【待补】 | 【待补】 | 己[3] |" in markdown
    assert "乙公司" not in markdown
    malformed = [f for f in findings if f.kind == "malformed_row"]
    assert len(malformed) == 1 and malformed[0].marker == 2 and "amount" in malformed[0].detail
    assert malformed[0].sentence == json.dumps(bad, ensure_ascii=False)
    # the dropped row's item is also named as not printed, as any retrieved item the section leaves out
    assert [f.marker for f in findings if f.kind == "not_printed"] == [2]
    missing = [f for f in findings if f.kind == "funding_cell_missing"]
    assert len(missing) == 1 and "资料未写明简介" in missing[0].detail


def test_a_news_row_whose_source_is_no_number_is_an_invented_citation_and_the_others_print() -> None:
    spec = TEMPLATE.section("data_policy")
    group = spec.retrieval[0].title
    packed = PackedContext(sources=[_source(1, group), _source(3, group)])
    data = {"rows": [  # no groups wrapper: one untitled group
        {"source": "第3条", "title": "坏行", "summary": "内容"},
        "不是对象",
        {"source": "n=3", "title": "好行", "summary": "摘要"},
        {"source": "[1]", "title": 2024, "summary": "数字标题"}]}
    markdown, findings = render_digest(data, packed, spec, "某证券")
    assert "**好行**：摘要[3]" in markdown and "**2024**：数字标题[1]" in markdown and "坏行" not in markdown
    invented = [f for f in findings if f.kind == "invented_citation"]
    assert [f.marker for f in invented] == [None, None]
    assert "'第3条'" in invented[0].detail and invented[1].sentence == '"不是对象"'
    assert not [f for f in findings if f.kind in ("malformed_row", "not_printed")]


def test_others_items_are_read_one_by_one_and_a_bad_one_is_named() -> None:
    spec = TEMPLATE.section("policy_frontier")
    group = spec.retrieval[0].title
    packed = PackedContext(sources=[_source(1, group), _source(2, group), _source(4, group)])
    data = {"lead": "", "groups": [{"title": group, "rows": [
        {"source": 1, "level": "中央", "issuer": "部委", "name": "通知", "summary": "提出目标[1]。"}],
        "others": [{"source": "[2]", "summary": "联合体成立[2]。"}, {"source": 4, "summary": ["列表"]}, 7]}]}
    markdown, findings = render_digest(data, packed, spec, "某证券")
    assert "7 月 2 日，联合体成立[2]。" in markdown
    kinds = sorted(f.kind for f in findings)
    assert kinds == ["invented_citation", "malformed_row", "not_printed"]
    assert "summary" in next(f.detail for f in findings if f.kind == "malformed_row")


def test_a_core_views_entry_the_model_got_wrong_is_read_as_empty_and_named() -> None:
    theses = [ThesisBrief(headline="国产算力", sources=(1,)), ThesisBrief(headline="端侧 AI", sources=(2,))]
    data = {"theses": [{"facts": {"text": "对象"}, "view": "观点"}, {"facts": "AI 手机发布[2]", "view": None}]}
    text, findings = render_core_views(data, theses, [], TableSet(month="2024-07"), "core_views")
    lines = text.splitlines()
    assert "未检索到" in lines[0] and "对象" not in lines[0]
    assert lines[1].startswith("- **端侧 AI：**AI 手机发布[2]。")
    kinds = [f.kind for f in findings]
    assert kinds == ["malformed_row", "thesis_without_evidence"]
    assert "facts" in findings[0].detail


def test_the_model_path_checks_the_same_models() -> None:
    spec = TEMPLATE.section("funding")
    assert answer_model(spec) is FundingAnswer
    answer = json.dumps({"lead": "", "groups": [{"title": "t", "rows": [{"source": "n=3", "amount": 5}],
                                                "others": [{"source": "4", "title": "外文标题"}]}]})
    parsed = json.loads(validate_answer(spec, answer))
    assert parsed["groups"][0]["rows"][0]["source"] == 3 and parsed["groups"][0]["rows"][0]["amount"] == "5"
    assert parsed["groups"][0]["others"][0] == {"source": 4, "title": "外文标题", "summary": ""}


def test_a_non_text_lead_and_non_object_groups_are_named_not_lost() -> None:
    spec = TEMPLATE.section("data_policy")
    first, second = (r.title for r in spec.retrieval[:2])
    packed = PackedContext(sources=[_source(1, first), _source(2, second)])
    data = {"lead": ["导语", "[1]"], "groups": [
        "不是对象",
        {"title": first, "rows": [{"source": 1, "title": "甲", "summary": "摘要甲"}]},
        {"title": second, "rows": [{"source": 2, "title": "乙", "summary": "摘要乙"}]}]}
    markdown, findings = render_digest(data, packed, spec, "某证券")
    assert "**甲**：摘要甲[1]" in markdown and "**乙**：摘要乙[2]" in markdown  # the others keep their tables
    assert "导语" not in markdown
    malformed = [f.detail for f in findings if f.kind == "malformed_row"]
    assert len(malformed) == 2
    assert "lead: ['导语', '[1]']" in malformed[0] and "groups[0]: '不是对象'" in malformed[1]
    assert not [f for f in findings if f.kind == "digest_group_remapped"]  # the bad group shifts no position
