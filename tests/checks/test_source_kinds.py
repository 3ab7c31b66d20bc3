"""Sources that may not be published (issue 21): a cited broker note or internal note, and a cited item whose
publisher is still 【来源待补】, are blocking; drafting never packs a non-citable item as a source."""

from __future__ import annotations

import datetime as dt

from assistant.checks import load_check_config, run_checks
from assistant.drafting.context import pack_context
from assistant.models import Hit, NewsItem, Provenance, Report, SectionDraft, SourceRef

NEWS = NewsItem(doc_id="a", date=dt.date(2024, 7, 12), source="新华网", title="智算中心订单增长",
                body="7月12日，多地智算中心订单同比增长 50%，国产芯片占比提升。")
BROKER = NEWS.model_copy(update={"doc_id": "b", "source": "远景证券研究所", "source_kind": "broker_research",
                                 "title": "AI 算力需求持续旺盛"})
CALL = NEWS.model_copy(update={"doc_id": "c", "source": "【来源待补】", "source_kind": "internal_note",
                               "source_pending": True, "title": "专家电话会纪要"})
PENDING = NEWS.model_copy(update={"doc_id": "d", "source": "【来源待补】", "source_pending": True, "title": "某新闻"})
ITEMS = {i.doc_id: i for i in (NEWS, BROKER, CALL, PENDING)}


def _findings(doc_id: str) -> set[tuple[str, str]]:
    item = ITEMS[doc_id]
    md = "7月12日，多地智算中心订单同比增长 50%，国产芯片占比提升[1]。"
    report = Report(month="2024-07", engine="offline", sections=[
        SectionDraft(id="compute_dynamics", title="算力", markdown=md,
                     provenance=Provenance(engine="offline", retrieved_doc_ids=[doc_id]))],
        sources=[SourceRef(marker=1, doc_id=doc_id, title=item.title, date=item.date, source=item.source)])
    found = run_checks(report, ITEMS, config=load_check_config())
    return {(f.kind, f.severity) for f in found if f.kind in ("uncitable_source", "source_pending")}


def test_citing_broker_research_or_an_internal_note_is_blocking() -> None:
    assert _findings("a") == set()
    assert _findings("b") == {("uncitable_source", "blocking")}
    assert _findings("c") == {("uncitable_source", "blocking"), ("source_pending", "blocking")}


def test_citing_an_item_whose_publisher_is_pending_is_blocking() -> None:
    assert _findings("d") == {("source_pending", "blocking")}


def test_packing_leaves_out_uncitable_items_and_keeps_a_news_copy_of_one() -> None:
    copy = NEWS.model_copy(update={"doc_id": "e", "duplicate_of": "b"})
    items = {**ITEMS, "e": copy}
    hits = [Hit(doc_id=d, chunk_id=f"{d}#0", text=items[d].body, score=1.0, title=items[d].title,
                date=items[d].date, source=items[d].source, category="compute") for d in ("b", "c", "e", "a")]
    packed = pack_context(hits, budget=10_000, count=len, items=items)
    assert [s.doc_id for s in packed.sources] == ["e", "a"]
    assert {(d.doc_id, d.reason) for d in packed.dropped} == {("b", "uncitable"), ("c", "uncitable")}
