"""The offline engine end to end over in-code fixtures: structure, numbers, citations, injection, determinism."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fakes.drafting_data import INJECTION, make_items
from fakes.jobs import make_job

from assistant.drafting.assemble import globalise
from assistant.drafting.offline import OfflineEngine
from assistant.drafting.runner import SectionOutcome, draft_sections, packed_of, run_section
from assistant.engine.request import parse_instruction
from assistant.models import SectionDraft, SourceRef
from assistant.outline.slots import VIEW_SLOT
from assistant.safety import find_forbidden


@pytest.fixture(scope="module")
def drafted() -> tuple[list[SectionDraft], list[SourceRef], dict[str, SectionOutcome]]:
    job = make_job(OfflineEngine())
    outcomes = draft_sections(job, job.template.sections, {})
    ordered = [outcomes[s.id].draft for s in job.template.sections]
    sections, sources = globalise(ordered, packed_of(outcomes))
    return sections, sources, outcomes


def _section(drafted, sid: str) -> SectionDraft:  # type: ignore[no-untyped-def]
    return next(s for s in drafted[0] if s.id == sid)


def test_every_section_is_drafted_in_template_order(drafted) -> None:  # type: ignore[no-untyped-def]
    sections = drafted[0]
    assert [s.id for s in sections][:3] == ["core_views", "market_review", "data_policy"]
    assert all(s.status == "draft" and s.markdown for s in sections), [(s.id, s.error) for s in sections]
    assert _section(drafted, "llm_dynamics").chapter == ""
    assert _section(drafted, "data_policy").chapter == "二、人工智能产业政策动态"


def test_market_numbers_are_the_table_cells(drafted) -> None:  # type: ignore[no-untyped-def]
    text = _section(drafted, "market_review").markdown
    assert "收盘价为 5257.12，月涨跌幅为 0.52%" in text
    assert "寒武纪-U（32.91%）" in text and "太极股份（-25.11%）" in text
    assert "PE(TTM) 62.33 倍" in text
    assert "{{table:IDX}}" in text and "{{table:T1}}" in text and "{{chart:F1}}" in text and "{{chart:F2}}" not in text
    assert not re.search(r"\{(fact:|T\d\.)", text)
    assert _section(drafted, "market_review").tables == ["IDX", "CONS", "T1", "T2", "VAL", "T3", "T4", "T5"]


def test_every_marker_resolves_to_a_july_item(drafted) -> None:  # type: ignore[no-untyped-def]
    sections, sources, _ = drafted
    by_marker = {s.marker: s for s in sources}
    items = {i.doc_id: i for i in make_items()}
    assert sorted(by_marker) == list(range(1, len(sources) + 1))
    for section in sections:
        for n in map(int, re.findall(r"\[(\d+)\]", section.markdown)):
            ref = by_marker[n]
            assert items[ref.doc_id].date.month == 7 and ref.date == items[ref.doc_id].date
            assert {c.marker: c.doc_id for c in section.citations}[n] == ref.doc_id
    assert "june" not in {s.doc_id for s in sources}


def test_write_ups_have_one_titled_sub_section_per_topic(drafted) -> None:  # type: ignore[no-untyped-def]
    tech = _section(drafted, "tech_frontier").markdown
    for title in ("FlashAttention-3", "JEST", "PNN"):
        assert re.search(rf"^#### \d\. .*{title}", tech, re.MULTILINE), title
    assert "75%" in tech
    product = _section(drafted, "product_dynamics").markdown
    assert re.search(r"^#### 1\. .*Mistral NeMo", product, re.MULTILINE)
    assert re.search(r"Mistral NeMo.*\[\d+\]", product)


def test_digest_tables_are_dated_and_cited(drafted) -> None:  # type: ignore[no-untyped-def]
    text = _section(drafted, "data_policy").markdown
    assert "表：数据要素最新新闻及政策" in text and "表：数据交易所最新新闻及政策" in text
    rows = [ln for ln in text.splitlines() if re.match(r"\| \d+\.\d+ \|", ln)]
    assert len(rows) >= 3 and all(re.search(r"\[\d+\][。！？；]? \|$", r) for r in rows)
    funding = _section(drafted, "funding").markdown
    assert "| 逐际动力 |" in funding and "2024/7/15" in funding and "A轮" in funding


def test_injected_instructions_change_nothing(drafted) -> None:  # type: ignore[no-untyped-def]
    sections, sources, outcomes = drafted
    everything = "\n".join(s.markdown for s in sections if s.id != "disclosures")
    assert "忽略" not in everything and INJECTION not in everything
    assert find_forbidden(everything) is None
    assert "inject" not in {s.doc_id for s in sources}  # flagged instruction_like: never used
    dropped = outcomes["data_policy"].record.packed.dropped
    assert any(d.doc_id == "inject" and d.reason == "instruction_like" for d in dropped)


def test_core_views_without_an_outline_propose_theses_with_evidence_and_empty_view_slots(drafted) -> None:  # type: ignore[no-untyped-def]
    core = _section(drafted, "core_views").markdown
    bullets = [ln for ln in core.splitlines() if ln.startswith("- **")]
    theses = [b for b in bullets if not b.startswith(("- **投资建议", "- **风险提示"))]
    assert len(theses) >= 3 and "0.52%" in theses[0]
    assert all(b.endswith(VIEW_SLOT) for b in theses)  # the offline engine never writes an opinion of its own
    assert all(re.search(r"\[\d+\]", b) for b in theses[1:])
    assert "我们认为" not in core
    assert "**风险提示：**" in core and "**投资建议：**" in core


def test_disclosures_come_from_the_pack(drafted) -> None:  # type: ignore[no-untyped-def]
    text = _section(drafted, "disclosures").markdown
    assert "S0130519070001" in text and "吴砚靖" in text and "中国银河证券研究院" in text
    assert "| 评级标准 | 评级 | 说明 |" in text
    assert _section(drafted, "disclosures").provenance.engine == "template"  # type: ignore[union-attr]


def test_offline_engine_is_deterministic(drafted) -> None:  # type: ignore[no-untyped-def]
    job = make_job(OfflineEngine())
    again = draft_sections(job, job.template.sections, {})
    first = drafted[2]
    assert all(again[k].draft.markdown == first[k].draft.markdown for k in first)


def test_provenance_records_template_hash_and_retrieval(drafted) -> None:  # type: ignore[no-untyped-def]
    prov = _section(drafted, "tech_frontier").provenance
    assert prov is not None and prov.engine == "offline" and prov.template_id == "tech_frontier.v1"
    assert len(prov.template_hash) == 64 and "fa3" in prov.retrieved_doc_ids
    assert prov.pack_hash == "p" * 64 and prov.corpus_hash == "c" * 64


def test_regenerate_instructions_concise_and_emphasis(drafted) -> None:  # type: ignore[no-untyped-def]
    job = make_job(OfflineEngine())
    spec = job.template.section("tech_frontier")
    base = run_section(job, spec, {}).draft.markdown
    concise = run_section(job, spec, {}, editing=parse_instruction("更简洁一些")).draft.markdown
    assert len(concise) < len(base)
    focus = run_section(job, spec, {}, editing=parse_instruction("突出FP8")).draft.markdown
    fa3 = focus.split("#### 2.")[0]
    assert "FP8" in fa3
    assert parse_instruction("请突出“算力”，更简洁").prefer == ("算力",)


def test_window_is_the_report_month() -> None:
    job = make_job(OfflineEngine())
    run_section(job, job.template.section("llm_dynamics"), {})
    calls = job.retriever.calls  # type: ignore[union-attr]
    assert calls and all(c["date_from"] == dt.date(2024, 7, 1) and c["date_to"] == dt.date(2024, 7, 31)
                         for c in calls)
    assert {tuple(c["categories"]) for c in calls} == {("llm_domestic",), ("llm_foreign",)}  # type: ignore[arg-type]
