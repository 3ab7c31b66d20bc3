"""A cited news figure is judged against its cited source, never against the market tables (issue 20 item 11)."""

from __future__ import annotations

import datetime as dt

from assistant.checks import load_check_config, run_checks
from assistant.models import Finding, NewsItem, Report, SectionDraft, SourceRef
from checks.sample import TABLESET, clean_report, items_by_id

CONFIG = load_check_config()
ORDER = NewsItem(doc_id="cambricon-order", date=dt.date(2024, 7, 20), source="证券时报网", category="compute",
                 title="寒武纪-U 营收规模有望达 30 亿元", body="寒武纪-U 表示，公司今年营收规模有望达 30 亿元，"
                                                       "主要来自智算中心项目。")


def _with(sections: dict[str, str]) -> tuple[Report, dict[str, NewsItem]]:
    report = clean_report()
    for sid, markdown in sections.items():
        draft = report.section(sid)
        if draft is None:
            report.sections.append(SectionDraft(id=sid, title=sid, markdown=markdown))
        else:
            draft.markdown += markdown
    report.sources.append(SourceRef(marker=9, doc_id=ORDER.doc_id, title=ORDER.title, date=ORDER.date,
                                    source=ORDER.source, passage=ORDER.body))
    return report, {**items_by_id(), ORDER.doc_id: ORDER}


def _about(found: list[Finding], kind: str) -> list[Finding]:
    return [f for f in found if f.kind == kind and ("30" in f"{f.sentence}{f.detail}{f.evidence}"
                                                    or "40" in f"{f.sentence}{f.detail}{f.evidence}")]


def test_a_cited_headline_figure_about_a_pack_name_is_not_a_table_mismatch() -> None:
    # 寒武纪-U is in the movers table (32.91%, 264.06 …): 30 亿 is the news's figure, cited (a proposed thesis's
    # headline is its item's title and carries its marker), and in the source
    bullet = "\n- **寒武纪-U 营收规模有望达 30 亿元[9]：**寒武纪-U 表示，公司今年营收规模有望达 30 亿元[9]。\n"
    report, items = _with({"core_views": bullet})
    found = run_checks(report, items, tables=TABLESET, config=CONFIG)
    assert not _about(found, "table_mismatch")
    assert not [f for f in found if f.section == "core_views" and f.severity == "blocking"
                and "30" in f"{f.sentence}{f.detail}"]


def test_a_cited_figure_the_source_does_not_hold_is_unsupported_not_a_table_mismatch() -> None:
    bullet = "\n- **寒武纪-U 营收规模有望达 40 亿元[9]：**寒武纪-U 表示，公司今年营收规模有望达 30 亿元[9]。\n"
    report, items = _with({"core_views": bullet})
    found = run_checks(report, items, tables=TABLESET, config=CONFIG)
    unsupported = [f for f in found if f.kind == "unsupported" and f.section == "core_views"]
    assert unsupported and "40 亿" in unsupported[0].detail and unsupported[0].severity == "blocking"
    assert not _about(found, "table_mismatch")


def test_a_cited_news_figure_elsewhere_is_no_cross_section_mismatch_but_an_uncited_one_still_is() -> None:
    report, items = _with({"investment_advice": "寒武纪-U 营收规模有望达 30 亿元，月涨跌幅 30 亿元[9]。"})
    found = run_checks(report, items, tables=TABLESET, config=CONFIG)
    assert not [f for f in found if f.kind == "cross_section_mismatch" and f.section == "investment_advice"]
    report, items = _with({"investment_advice": "寒武纪-U 7月涨跌幅 30.91%。"})
    found = run_checks(report, items, tables=TABLESET, config=CONFIG)
    assert [f for f in found if f.kind == "cross_section_mismatch" and f.section == "investment_advice"]


def test_an_uncited_market_figure_about_a_pack_name_is_still_checked_against_the_tables() -> None:
    report, items = _with({"market_review": "\n寒武纪-U 月涨跌幅为 31.91%。\n"})
    found = run_checks(report, items, tables=TABLESET, config=CONFIG)
    assert [f for f in found if f.kind == "table_mismatch" and "31.91" in f.detail]


def test_an_uncited_headline_about_a_pack_name_is_checked_against_the_tables() -> None:
    report, items = _with({"core_views": "\n- **寒武纪-U 月涨跌幅 31.91%：**寒武纪-U 表示，公司今年营收规模有望达 30 亿元[9]。\n"})
    found = run_checks(report, items, tables=TABLESET, config=CONFIG)
    assert [f for f in found if f.kind == "table_mismatch" and "31.91" in f.detail]


def test_a_funding_rows_cells_from_the_items_structured_fields_are_supported() -> None:
    record = ORDER.model_copy(update={"doc_id": "round", "title": "智元机器人完成数亿元A+++ 轮融资",
                                      "body": "智元机器人宣布完成数亿元A+++ 轮融资。",
                                      "fields": {"investors": "北汽产投、上汽集团", "company": "智元机器人"}})
    report, items = _with({"funding": "| 智元机器人 | 数亿元 | 北汽产投、上汽集团[9] |\n"})
    found = run_checks(report, {**items, ORDER.doc_id: record}, tables=TABLESET, config=CONFIG)
    assert not [f for f in found if f.kind == "unsupported" and "上汽集团" in f.detail]
