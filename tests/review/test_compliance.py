"""Compliance workflow on SQLite and PostgreSQL: imported findings, resolve, send back, re-run checks, sign-off
and the export gate that needs it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from review_factories import make_report, seed_users, write_out_dir

from assistant.errors import PermissionDenied, ReviewError
from assistant.models import Finding, Report
from assistant.review import ReviewService, UserView
from assistant.review.compliance import ComplianceService, open_counts
from assistant.review.highlight import figures, highlight_spans, offending_terms
from assistant.review.rechecking import FIXED_REASON

Store = tuple[ReviewService, ComplianceService, dict[str, UserView], int]

UNSUPPORTED = Finding(section="core_views", kind="unsupported", severity="blocking",
                      detail="引用来源中找不到：12.50%", sentence="第一段：7月人工智能指数上涨 12.50% [1]。",
                      evidence="英伟达在7月发布了面向推理的新一代GPU，算力提升 15.20%。", marker=1)
WORDING = Finding(section="market_review", kind="forbidden_wording", severity="blocking",
                  detail="禁用表述“强烈推荐”", sentence="我们强烈推荐买入。")
HEDGE = Finding(section="compute_dynamics", kind="missing_hedge", severity="warning", detail="缺少审慎表述")


def _report() -> Report:
    report = make_report()
    passed = Finding(section="core_views", kind="weak_support", ok=True, detail="通过")
    report.checks = [UNSUPPORTED, WORDING, HEDGE, passed]
    report.sections[0].findings = [UNSUPPORTED]  # drafting reported it too: stored once
    return report


def _drafted_checks(report: Report, _items: dict[str, Any], **_: Any) -> list[Finding]:
    """The import's check run, fixed for these workflow tests: the findings the checks would report."""
    assert report.checks == [] and not any(s.findings for s in report.sections)  # the file's are never seen
    return [UNSUPPORTED, WORDING, HEDGE, Finding(section="core_views", kind="weak_support", ok=True)]


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> Iterator[Store]:
    service = ReviewService.open(db_url, check_fn=_drafted_checks)
    users = seed_users(service)
    report_id = service.import_report(write_out_dir(tmp_path / "out", _report()), users["analyst"])
    yield service, ComplianceService(service), users, report_id
    service.engine.dispose()


def _approve_all(service: ReviewService, users: dict[str, UserView], report_id: int) -> None:
    for section in service.sections(report_id):
        if section.status != "approved":
            service.approve(section.pk, section.current_version, users["editor"])


def _resolve_blocking(comp: ComplianceService, users: dict[str, UserView], report_id: int) -> None:
    for finding in comp.findings(report_id, include_resolved=False):
        if finding.severity == "blocking":
            comp.resolve(finding.id, "已核对原文，数字来自公司公告", users["compliance"])


def test_import_stores_the_findings_of_its_own_check_run(store: Store) -> None:
    _service, comp, _users, report_id = store
    findings = comp.findings(report_id)
    # no corpus recorded in the folder: the citations could only be compared with the file's own passages
    assert [(f.section_id, f.kind, f.version, f.status) for f in findings] == [
        ("core_views", "unsupported", 1, "open"), ("market_review", "forbidden_wording", 1, "open"),
        ("compute_dynamics", "missing_hedge", 1, "open"), ("sources", "evidence_unavailable", None, "open")]
    assert findings[0].evidence.startswith("英伟达") and findings[0].marker == 1
    counts = open_counts(findings)
    assert counts["core_views"]["blocking"] == 1 and counts["compute_dynamics"]["warning"] == 1


def test_resolving_needs_compliance_and_a_reason(store: Store) -> None:
    service, comp, users, report_id = store
    finding = comp.findings(report_id)[0]
    before = len(service.audit_log())
    for role in ("editor", "admin", "analyst"):
        with pytest.raises(PermissionDenied):
            comp.resolve(finding.id, "理由", users[role])
    with pytest.raises(ReviewError, match="必须填写理由"):
        comp.resolve(finding.id, "   ", users["compliance"])
    assert len(service.audit_log()) == before and comp.finding(finding.id).status == "open"
    done = comp.resolve(finding.id, "原文第二段有此数字", users["compliance"])
    assert (done.status, done.resolved_by, done.reason) == ("resolved", "compliance", "原文第二段有此数字")
    assert done.resolved_at is not None
    entry = service.audit_log(object_type="finding")[0]
    assert entry.action == "resolve_finding" and entry.detail["reason"] == "原文第二段有此数字"
    with pytest.raises(ReviewError, match="已被处理"):
        comp.resolve(finding.id, "再处理一次", users["compliance"])


def test_send_back_returns_the_section_to_its_editor_with_the_finding(store: Store) -> None:
    service, comp, users, report_id = store
    _approve_all(service, users, report_id)
    wording = next(f for f in comp.findings(report_id) if f.kind == "forbidden_wording")
    with pytest.raises(PermissionDenied):
        comp.send_back(wording.id, users["editor"])
    sent = comp.send_back(wording.id, users["compliance"], "请改为审慎表述")
    section = service.section(sent.section_pk)
    assert section.status == "changes_requested" and sent.editor == "editor"
    review = service.reviews(section.pk)[-1]
    assert (review.reviewer, review.decision, review.version_number) == ("compliance", "request_changes", 1)
    assert "禁用表述“强烈推荐”" in review.comment and "我们强烈推荐买入" in review.comment
    assert "请改为审慎表述" in review.comment
    assert service.audit_log(object_type="section")[0].action == "send_back"
    assert comp.finding(wording.id).status == "open"  # the finding stays until the text is fixed


def test_report_level_findings_cannot_be_sent_back(db_url: str, tmp_path: Path) -> None:
    service = ReviewService.open(db_url, check_fn=lambda *_a, **_k: [
        Finding(section="header", kind="rating_missing", severity="warning", detail="无评级")])
    users = seed_users(service)
    report = make_report()
    report_id = service.import_report(write_out_dir(tmp_path / "o", report), users["analyst"])
    comp = ComplianceService(service)
    finding = comp.findings(report_id)[0]
    assert finding.version is None
    with pytest.raises(ReviewError, match="不是章节"):
        comp.send_back(finding.id, users["compliance"])
    service.engine.dispose()


def test_sign_off_rules_and_the_export_gate(store: Store) -> None:
    service, comp, users, report_id = store
    state = comp.signoff_state(report_id)
    assert not state.gate.allowed and any("草稿" in b for b in state.gate.blockers)
    assert sum("阻断问题未处理" in b for b in state.gate.blockers) == 3
    _approve_all(service, users, report_id)
    gate = service.export_gate(report_id)
    assert not gate and gate.blockers == ["合规尚未签字（签字后若有章节产生新版本，签字自动失效）"]
    with pytest.raises(ReviewError, match="阻断问题未处理"):
        comp.sign_off(report_id, users["compliance"])
    _resolve_blocking(comp, users, report_id)  # the warning may stay open
    for role in ("admin", "editor"):
        with pytest.raises(PermissionDenied):
            comp.sign_off(report_id, users[role])
    signed = comp.sign_off(report_id, users["compliance"], "披露齐全")
    assert signed.valid and signed.versions == {"core_views": 1, "market_review": 1, "compute_dynamics": 1}
    entry = service.audit_log(object_type="report")[0]
    assert (entry.action, entry.actor, entry.detail["versions"]) == ("sign_off", "compliance", signed.versions)
    assert service.report_state(report_id).signed_off_by == "compliance"
    assert service.export_gate(report_id)
    final = service.final_report(report_id, users["editor"])
    assert all(s.status == "approved" for s in final.sections)
    with pytest.raises(ReviewError, match="已签字"):
        comp.sign_off(report_id, users["compliance"])


def test_an_edit_after_sign_off_voids_it(store: Store) -> None:
    service, comp, users, report_id = store
    _approve_all(service, users, report_id)
    _resolve_blocking(comp, users, report_id)
    comp.sign_off(report_id, users["compliance"])
    pk = service.sections(report_id)[1].pk
    service.save_edit(pk, 1, "改写后的市场回顾 [2]。", users["analyst"])
    service.approve(pk, 2, users["editor"])
    assert service.report_state(report_id).signed_off_by is None
    gate = service.export_gate(report_id)
    assert not gate and "合规尚未签字" in gate.blockers[0]
    with pytest.raises(ReviewError, match="尚不能导出"):
        service.final_report(report_id, users["editor"])
    assert not comp.signoffs(report_id)[0].valid
    voided = [e for e in service.audit_log(object_type="report") if e.action == "signoff_invalidated"]
    assert len(voided) == 1 and voided[0].after_version == 2
    # The edited section was never checked: signing again needs a fresh check run first.
    with pytest.raises(ReviewError, match="尚未检查"):
        comp.sign_off(report_id, users["compliance"])


def test_rerun_checks_replaces_open_findings_and_keeps_resolutions(store: Store) -> None:
    service, _comp, users, report_id = store
    seen: list[Report] = []

    def fake_checks(report: Report, items: dict[str, Any], **_: Any) -> list[Finding]:
        seen.append(report)
        market = report.section("market_review")
        assert market is not None
        sentence = market.markdown
        return [UNSUPPORTED, Finding(section="market_review", kind="unsupported", detail="找不到：3.5亿",
                                     sentence=sentence, marker=2), HEDGE.model_copy(update={"ok": True})]

    comp = ComplianceService(service, check_fn=fake_checks)
    first = comp.findings(report_id)[0]
    comp.resolve(first.id, "数字见公告", users["compliance"])
    pk = service.sections(report_id)[1].pk
    service.save_edit(pk, 1, "市场回顾：成交额 3.5亿 [2]。", users["analyst"])
    with pytest.raises(PermissionDenied):
        comp.rerun_checks(report_id, users["editor"])
    result = comp.rerun_checks(report_id, users["compliance"])
    assert seen[0].section("market_review").markdown == "市场回顾：成交额 3.5亿 [2]。"  # type: ignore[union-attr]
    assert [s.marker for s in seen[0].sources] == [1, 2, 3] and seen[0].checks == []
    assert (result.opened, result.kept_resolved, result.corpus) == (2, 1, None)
    assert result.versions == {"core_views": 1, "market_review": 2, "compute_dynamics": 1}
    now = comp.findings(report_id)
    fixed = [f for f in now if f.reason == FIXED_REASON]  # no longer raised: closed, kept with their ids
    assert {f.kind for f in fixed} == {"forbidden_wording", "missing_hedge"}
    assert [(f.kind, f.status, f.version) for f in now if f not in fixed] == [("unsupported", "resolved", 1),
                                                                             ("unsupported", "open", 2),
                                                                             ("evidence_unavailable", "open", None)]
    assert comp.signoff_state(report_id).checked_versions["market_review"] == 2
    assert service.audit_log(object_type="report")[0].action == "run_checks"


def test_rerun_with_the_real_checks_on_stored_passages(store: Store) -> None:
    _service, comp, users, report_id = store
    result = comp.rerun_checks(report_id, users["admin"])  # admin may re-run, not judge
    assert result.corpus is None and "已存来源段落" in result.note
    kinds = {f.kind for f in comp.findings(report_id) if f.reason != FIXED_REASON}
    assert "missing_disclosure" in kinds  # the factory report has no disclosures section
    assert "forbidden_wording" not in kinds  # the imported finding's sentence is not in the current text


def test_offending_figures_and_phrases_are_highlighted() -> None:
    in_sentence, in_evidence = offending_terms(UNSUPPORTED.sentence, UNSUPPORTED.evidence, UNSUPPORTED.detail, 1)
    assert in_sentence == ["12.50%"] and in_evidence == ["15.20%"]
    assert offending_terms(WORDING.sentence, "", WORDING.detail)[0] == ["强烈推荐"]
    assert offending_terms("国产算力加速 [2]。", "", "[2] 引用的 n002 不在本章节检索到的文档中", 2)[0] == ["[2]"]
    assert figures("n002 的 910B 增长 1,234.5亿 [3]") == ["1,234.5亿"]
    assert highlight_spans("2024-07 的 7 月 17 日", ["7"]) == [("2024-07 的 ", False), ("7", True),
                                                              (" 月 17 日", False)]
    assert highlight_spans("无", []) == [("无", False)]


def test_migration_0002_downgrades_and_upgrades_again(store: Store) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from assistant.review.database import alembic_config, init_db

    service, _comp, _users, _report_id = store
    config = alembic_config(service.engine.url.render_as_string(hide_password=False))
    with service.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001_initial")
    assert not {"findings", "signoffs"} & set(inspect(service.engine).get_table_names())
    init_db(service.engine)
    assert {"findings", "signoffs"} <= set(inspect(service.engine).get_table_names())
