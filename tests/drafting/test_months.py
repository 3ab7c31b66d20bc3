"""Months the sample never showed (scripts/make_months.py): the generator is deterministic and its truth matches
what it wrote; every month drafts offline with no failed section, no error text, nothing lost silently, policy rows
from home and abroad, and a neutral line where a section has nothing to say."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
import yaml

from assistant.evaluation.months import evaluate_month, load_truth
from drafting.conftest import DraftedMonth, load_make_months


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_generator_is_deterministic_and_writes_the_contract_files(tmp_path: Path) -> None:
    make = load_make_months()
    names = make.month_names()
    assert len(names) >= 4
    make.build_months(tmp_path / "a", names[:2])
    make.build_months(tmp_path / "b", names[:2])
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    for name in names[:2]:
        root = tmp_path / "a" / name
        assert {p.name for p in (root / "pack").iterdir()} >= {"pack.yaml", "prices.csv", "constituents.csv",
                                                                "financials.csv", "funds.csv", "fund_navs.csv"}
        assert (root / "corpus.jsonl").is_file() and (root / "truth.yaml").is_file()


@pytest.fixture(scope="module")
def built(months_dir: Path) -> dict[str, tuple[Path, dict[str, object], list[dict[str, str]]]]:
    out = {}
    for root in sorted(p.parent for p in months_dir.glob("*/truth.yaml")):
        truth = yaml.safe_load((root / "truth.yaml").read_text(encoding="utf-8"))
        corpus = [json.loads(line) for line in (root / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
        out[root.name] = (root, truth, corpus)
    return out


def test_each_truth_names_items_the_corpus_holds(built: dict[str, tuple[Path, dict[str, object], list[dict[str, str]]]]) -> None:
    for name, (_, truth, corpus) in built.items():
        titles = [c["title"] for c in corpus]
        text = "\n".join(c["title"] + c["body"] for c in corpus)
        for item in truth["items"]:  # type: ignore[attr-defined]
            assert any(item["anchor"] in t for t in titles), (name, item["anchor"])
        for row in truth["funding"]:  # type: ignore[attr-defined]
            assert row["融资方"] in text, (name, row)


def _decliners_and_ttm(root: Path) -> tuple[int, float]:
    prices = list(csv.DictReader((root / "pack" / "prices.csv").open(encoding="utf-8")))
    members = {r["code"] for r in csv.DictReader((root / "pack" / "constituents.csv").open(encoding="utf-8"))}
    month = yaml.safe_load((root / "pack" / "pack.yaml").read_text(encoding="utf-8"))["month"]
    closes: dict[str, list[tuple[str, float]]] = {}
    for r in prices:
        if r["code"] in members:
            closes.setdefault(r["code"], []).append((r["date"], float(r["close"])))
    falls = 0
    for series in closes.values():
        before = [c for d, c in series if d < f"{month}-01"][-1]
        falls += series[-1][1] < before
    fin = csv.DictReader((root / "pack" / "financials.csv").open(encoding="utf-8"))
    ttm = sum(float(r["net_profit"]) for r in fin if r["period"] == "TTM" and r["code"] in members)
    return falls, ttm


def test_the_months_stress_what_july_does_not(built: dict[str, tuple[Path, dict[str, object], list[dict[str, str]]]]) -> None:
    stresses = {s for _, truth, _ in built.values() for s in truth["stresses"]}  # type: ignore[attr-defined]
    assert stresses >= {"no_policy", "only_overseas_policy", "only_local_policy", "single_item_sections",
                        "funding_30_plus", "company_only_in_body", "non_financing_investments", "english_heavy",
                        "long_items", "no_outline", "pack_without_disclosure_keys", "rally",
                        "fewer_than_ten_decliners", "loss_making_index"}
    for name, (root, truth, corpus) in built.items():
        tags = set(truth["stresses"])  # type: ignore[call-overload]
        cats = [c.get("category") for c in corpus]
        pack = yaml.safe_load((root / "pack" / "pack.yaml").read_text(encoding="utf-8"))
        falls, ttm = _decliners_and_ttm(root)
        if "no_policy" in tags:
            assert "policy" not in [c for c, item in zip(cats, corpus, strict=True)
                                    if item["date"].startswith(str(truth["month"]))], name
        if "funding_30_plus" in tags:
            assert cats.count("funding") >= 30 and len(truth["non_financing"]) >= 4  # type: ignore[arg-type]
        if "pack_without_disclosure_keys" in tags:
            assert not {"legal_entity", "qualification", "contacts"} & set(pack)
        if "no_outline" in tags:
            assert not (root / "pack" / "views.yaml").exists()
        if "fewer_than_ten_decliners" in tags:
            assert 0 < falls < 10, name
        if "loss_making_index" in tags:
            assert ttm < 0, name
        if "english_heavy" in tags:
            assert sum(not re.search(r"[\u4e00-\u9fff]", c["body"]) for c in corpus) >= 5
        if "rally" in tags:
            assert truth["market"]["theme_return_pct"] >= 15  # type: ignore[index]


@pytest.mark.slow
def test_every_month_drafts_with_no_failed_section_no_error_text_and_nothing_lost(
        drafted_months: dict[str, DraftedMonth]) -> None:
    assert len(drafted_months) >= 4
    for name, month in drafted_months.items():
        score = evaluate_month(month.report, month.truth, report_md=month.markdown)
        assert score.exit_status == 0 and not score.failed_sections, (name, score.failed_sections)
        assert not score.error_text, (name, score.error_text)
        assert not score.unplaced, (name, score.unplaced)


@pytest.mark.slow
def test_policy_rows_from_home_and_abroad_carry_level_and_issuer(drafted_months: dict[str, DraftedMonth]) -> None:
    checked = 0
    for name, month in drafted_months.items():
        section = month.report.section("policy_frontier")
        assert section is not None
        titles = {s.marker: s.title for s in month.report.sources}
        rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in section.markdown.splitlines()
                if line.startswith("| ") and not line.startswith("| 中央/地方")]
        for want in month.truth.policy:
            row = next((r for r in rows if any(want["anchor"] in titles.get(int(m), "")
                                               for m in re.findall(r"\[(\d+)\]", r[-1]))), None)
            assert row is not None, (name, want["anchor"], section.markdown[:600])
            assert (row[0], row[1]) == (want["level"], want["issuer"]), (name, row[:2], want)
            checked += 1
    assert checked >= 6


@pytest.mark.slow
def test_a_section_with_nothing_to_say_prints_one_neutral_line_and_tells_the_editor(
        drafted_months: dict[str, DraftedMonth]) -> None:
    month = next(m for m in drafted_months.values() if "no_policy" in m.truth.stresses)
    section = month.report.section("policy_frontier")
    assert section is not None and section.status == "draft"
    assert re.fullmatch(r"\d+月未收录政策相关动态，本节从略。", section.markdown)
    assert [f.kind for f in section.findings] == ["section_empty"]
    assert "月未收录政策相关动态，本节从略。" in month.markdown


def test_truth_loads_as_july_gold_plus_month_keys(months_dir: Path) -> None:
    for path in months_dir.glob("*/truth.yaml"):
        truth = load_truth(path)
        assert truth.items and truth.month
