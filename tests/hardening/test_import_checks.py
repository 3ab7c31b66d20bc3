"""Checks are the store's, not the file's: an import re-runs the checks on what it imports (SQLite and PostgreSQL).

The red team's bypass: a drafted folder whose report.json was hand-edited (findings emptied, 稳赚不赔 and 保证收益
added) was loaded, approved and signed off with zero findings.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from review_factories import make_report, seed_users, write_out_dir
from sqlalchemy.orm import Session

from assistant.cli import main
from assistant.errors import ReviewError
from assistant.models import Finding, Report
from assistant.review import ReviewService
from assistant.review.checking import EVIDENCE_UNAVAILABLE
from assistant.review.compliance import ComplianceService, _checked_versions, _section_views

PHRASE = "本主题稳赚不赔，保证收益。"


def _tampered() -> Report:
    """A report whose file says 'no findings' although its text carries forbidden wording."""
    report = make_report(evil_source=False)
    first = report.sections[0]
    report.sections[0] = first.model_copy(update={"markdown": first.markdown + "\n\n" + PHRASE, "findings": []})
    report.checks = [Finding(section="core_views", kind="forbidden_wording", ok=True, detail="通过")]
    return report


def _write_corpus(out: Path, report: Report, corpus: Path) -> None:
    """The draft's record of its evidence (``stages/meta.json``) and a corpus holding the cited items."""
    lines = [json.dumps({"id": s.doc_id, "date": s.date.isoformat(), "title": s.title, "body": s.passage * 3,
                         "source": s.source, "url": s.url or ""}, ensure_ascii=False) for s in report.sources]
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out / "stages").mkdir(parents=True, exist_ok=True)
    (out / "stages" / "meta.json").write_text(json.dumps({"corpus_path": str(corpus)}), encoding="utf-8")


@pytest.mark.parametrize("with_corpus", [False, True])
def test_a_hand_edited_report_json_cannot_be_signed_off(db_url: str, tmp_path: Path, with_corpus: bool,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    service = ReviewService.open(db_url)
    try:
        users = seed_users(service)
        report = _tampered()
        out = write_out_dir(tmp_path / "out", report)
        if with_corpus:
            _write_corpus(out, report, tmp_path / "corpus.jsonl")
        assert main(["load", str(out), "--db", db_url]) == 0, capsys.readouterr()
        report_id = service.list_reports()[0].id
        comp = ComplianceService(service)
        kinds = {(f.kind, f.severity) for f in comp.findings(report_id)}
        assert ("forbidden_wording", "blocking") in kinds
        # without the recorded corpus the citations cannot be checked: a blocking finding, not a pass
        assert ((EVIDENCE_UNAVAILABLE, "blocking") in kinds) is not with_corpus
        for section in service.sections(report_id):
            service.approve(section.pk, section.current_version, users["editor"])
        state = comp.signoff_state(report_id)
        assert not state.gate.allowed
        assert state.checked_versions == {s.section_id: 1 for s in service.sections(report_id)}
        with pytest.raises(ReviewError, match="阻断问题"):
            comp.sign_off(report_id, users["compliance"])
    finally:
        service.engine.dispose()


def test_findings_in_the_file_are_ignored_and_the_import_run_is_audited(db_url: str, tmp_path: Path) -> None:
    service = ReviewService.open(db_url)
    try:
        users = seed_users(service)
        report = make_report(evil_source=False)
        fake = Finding(section="market_review", kind="forbidden_wording", severity="blocking", detail="文件自称的问题")
        report.checks = [fake]
        report_id = service.import_report(write_out_dir(tmp_path / "o", report), users["analyst"])
        details = [f.detail for f in ComplianceService(service).findings(report_id)]
        assert "文件自称的问题" not in details
        entries = [e for e in service.audit_log(object_type="report", object_id=report_id) if e.action == "run_checks"]
        assert len(entries) == 1
        assert entries[0].detail["at"] == "import" and entries[0].detail["ignored_file_findings"] == 1
    finally:
        service.engine.dispose()


def test_without_a_recorded_check_run_nothing_counts_as_checked(db_url: str, tmp_path: Path) -> None:
    """Findings that came in a file are not a check run: with no sealed ``run_checks`` entry, no version is
    checked (an older store, or a report whose entry was deleted)."""
    service = ReviewService.open(db_url)
    try:
        users = seed_users(service)
        report_id = service.import_report(write_out_dir(tmp_path / "o", make_report()), users["analyst"])
        assert ComplianceService(service).signoff_state(report_id).checked_versions
        with Session(service.engine) as session:
            assert _checked_versions(session, report_id + 1000, _section_views(session, report_id)) == {}
    finally:
        service.engine.dispose()
