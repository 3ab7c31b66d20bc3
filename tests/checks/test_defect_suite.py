"""The defect suite: a clean sample raises nothing blocking; each seeded defect is caught as blocking."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.checks import blocking, load_check_config, run_checks
from assistant.models import Report
from checks.defects import DEFECTS, Defect, generic_defects
from checks.sample import TABLESET, clean_report, items_by_id, sample_pack

CONFIG = load_check_config()


def _blocking_kinds(report: Report) -> set[str]:
    findings = run_checks(report, items_by_id(), tables=TABLESET, pack=sample_pack(), config=CONFIG)
    return {f.kind for f in blocking(findings)}


def test_clean_sample_has_no_blocking_finding() -> None:
    findings = run_checks(clean_report(), items_by_id(), tables=TABLESET, pack=sample_pack(), config=CONFIG)
    assert blocking(findings) == []
    # The uncited injection item in the corpus is still shown to the reviewer.
    assert [f.kind for f in findings] == ["instruction_like_in_corpus"]


@pytest.mark.parametrize("defect", DEFECTS, ids=[d.name for d in DEFECTS])
def test_each_defect_is_caught_as_blocking(defect: Defect) -> None:
    assert defect.kind in _blocking_kinds(defect.apply(clean_report()))


def test_detection_and_false_positive_counts(capsys: pytest.CaptureFixture[str]) -> None:
    detected = sum(d.kind in _blocking_kinds(d.apply(clean_report())) for d in DEFECTS)
    false_positives = len(_blocking_kinds(clean_report()))
    with capsys.disabled():
        print(f"\ndefect suite: detected {detected}/{len(DEFECTS)} seeded defects, "
              f"{false_positives} blocking false positives on the clean sample")
    assert (detected, false_positives) == (len(DEFECTS), 0)


@pytest.mark.slow
def test_real_offline_draft_of_the_sample(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The bundled sample drafted offline: its computed market prose must pass, seeded defects must not."""
    drafting = pytest.importorskip("assistant.drafting")
    from assistant import SAMPLE_DIR
    from assistant.checks.inputs import load_check_inputs
    from assistant.settings import get_settings

    settings = get_settings(engine="offline", embedding="hash", max_concurrency=1)
    drafting.draft_report(SAMPLE_DIR / "pack", SAMPLE_DIR / "corpus.jsonl", tmp_path, settings)
    inputs = load_check_inputs(tmp_path)
    failed = {s.id for s in inputs.report.sections if s.status == "failed"}

    def blocking_kinds(report: Report) -> set[tuple[str, str]]:
        found = run_checks(report, inputs.items, pack=inputs.pack, tables=inputs.tables, config=CONFIG)
        return {(f.section, f.kind) for f in blocking(found)}

    clean = blocking_kinds(inputs.report)
    # A section the drafting stage failed is itself a blocking finding; nothing else may be.
    assert clean == {(sid, "section_failed") for sid in failed}
    defects = generic_defects(inputs.report)
    detected = [d.name for d in defects if any(k == d.kind for _, k in blocking_kinds(d.apply(inputs.report)) - clean)]
    with capsys.disabled():
        print(f"\nreal draft: {len(inputs.report.sections)} sections ({len(failed)} failed in drafting), "
              f"{len(inputs.report.sources)} sources; seeded {len(defects)} defects, detected {len(detected)}; "
              f"{len(clean) - len(failed)} blocking false positives")
    assert len(defects) >= 4 and detected == [d.name for d in defects]
