"""End to end on the bundled sample: pack -> tables -> ingest -> offline draft -> checks -> export, and the CLI."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from assistant import SAMPLE_DIR
from assistant.cli import main
from assistant.corpus import read_corpus
from assistant.drafting import draft_report, regenerate_section
from assistant.models import Report
from assistant.progress import ProgressEvent
from assistant.settings import get_settings

pytestmark = pytest.mark.slow

PACK, CORPUS = SAMPLE_DIR / "pack", SAMPLE_DIR / "corpus.jsonl"


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, Path]:
    out = tmp_path_factory.mktemp("sample")
    report = draft_report(PACK, CORPUS, out, get_settings(engine="offline"))
    return report, out


def test_every_section_is_drafted_and_exported(drafted: tuple[Report, Path]) -> None:
    report, out = drafted
    assert [s.id for s in report.sections] == [
        "core_views", "market_review", "data_policy", "llm_dynamics", "compute_dynamics", "tech_frontier",
        "policy_frontier", "product_dynamics", "funding", "investment_advice", "risk_warnings", "disclosures"]
    assert all(s.status == "draft" and s.markdown.strip() for s in report.sections)
    for name in ("report.md", "report.docx", "report.json", "stages/tables.json", "stages/meta.json",
                 "stages/drafts/core_views.json", "stages/retrieval/llm_dynamics.json", "stages/sources.json"):
        assert (out / name).is_file(), name
    assert not (out / "calls.jsonl").exists()  # the offline engine calls no model
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["engine"] == "offline"


def test_every_marker_resolves_to_a_corpus_item_inside_the_month(drafted: tuple[Report, Path]) -> None:
    report, _ = drafted
    items = {i.doc_id: i for i in read_corpus(CORPUS).items}
    sources = {s.marker: s for s in report.sources}
    assert sources and sorted(sources) == list(range(1, len(sources) + 1))
    for section in report.sections:
        for n in map(int, re.findall(r"\[(\d+)\]", section.markdown)):
            item = items[sources[n].doc_id]
            assert dt.date(2024, 7, 1) <= item.date <= dt.date(2024, 7, 31), (section.id, n)
            assert "instruction_like" not in item.flags


def test_market_numbers_equal_the_computed_tables(drafted: tuple[Report, Path]) -> None:
    report, out = drafted
    facts = json.loads((out / "stages" / "tables.json").read_text(encoding="utf-8"))["facts"]
    text = report.section("market_review").markdown  # type: ignore[union-attr]
    assert f"收盘价为 {facts['theme_index.close']}，月涨跌幅为 {facts['theme_index.return']}" in text
    top = next(t for t in report.tables if t.id == "T1")
    name_col, ret_col = top.columns.index(next(c for c in top.columns if "简称" in c)), \
        top.columns.index(next(c for c in top.columns if "月涨跌幅" in c))
    best = max(top.rows, key=lambda r: float(r[ret_col].rstrip("%")))
    assert f"{best[name_col]}（{best[ret_col]}" in text


def test_seed_write_ups_are_present_with_sources(drafted: tuple[Report, Path]) -> None:
    report, _ = drafted
    tech = report.section("tech_frontier").markdown  # type: ignore[union-attr]
    product = report.section("product_dynamics").markdown  # type: ignore[union-attr]
    for text, topic in ((tech, "FlashAttention-3"), (tech, "JEST"), (tech, "PNN"), (product, "Mistral")):
        heading = re.search(rf"^#### \d+\. .*{topic}.*$", text, re.MULTILINE)
        assert heading, topic
        body = text[heading.end():].split("\n#### ")[0]
        assert re.search(r"\[\d+\]", body), topic


def test_no_blocking_check_apart_from_source_lines(drafted: tuple[Report, Path]) -> None:
    report, _ = drafted
    blocking = [f for f in report.checks if f.severity == "blocking" and not f.ok]
    assert all(f.sentence.startswith("资料来源") for f in blocking), [(f.kind, f.sentence[:60]) for f in blocking]
    assert not any("忽略" in s.markdown or "保证收益" in s.markdown for s in report.sections)


def test_rerun_reuses_stages_and_cli_runs(drafted: tuple[Report, Path], capsys: pytest.CaptureFixture[str]) -> None:
    _, out = drafted
    events: list[ProgressEvent] = []
    draft_report(PACK, CORPUS, out, get_settings(engine="offline"), progress=events.append)
    assert not [e for e in events if e.stage == "draft"]  # nothing stale, nothing redrafted
    code = main(["draft", "--sample", "--out", str(out), "--engine", "offline", "--sections", "funding",
                 "--force"])
    assert code == 0
    assert "投融资事件" in capsys.readouterr().out


def test_regenerate_section_applies_the_instruction(drafted: tuple[Report, Path]) -> None:
    report, out = drafted
    before = report.section("tech_frontier").markdown  # type: ignore[union-attr]
    shorter = regenerate_section(out, "tech_frontier", "更简洁", get_settings(engine="offline"))
    assert shorter.status == "draft" and len(shorter.markdown) < len(before)
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", shorter.markdown)}
    known = {s.marker for s in report.sources}
    assert markers and markers <= known  # same documents keep their report-global numbers
