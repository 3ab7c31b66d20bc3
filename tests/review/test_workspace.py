"""The editor's workspace on the real store: suggestions, four eyes, identical saves, restore, unsaved edits,
the inbox and the edit length limit."""

from __future__ import annotations

from pathlib import Path

import pytest
from review_factories import PASSWORD

from assistant.errors import ConcurrentEditError, PermissionDenied, ReviewError
from assistant.review import ReviewService, UserView, add_user
from assistant.review.compliance import ComplianceService

Seeded = tuple[ReviewService, dict[str, UserView], int]


def test_suggestion_makes_a_version_only_when_accepted(seeded: Seeded) -> None:
    service, users, report_id = seeded
    pk = service.sections(report_id)[0].pk
    before = service.section(pk)
    kept = service.suggest(pk, base_version=1, markdown="更短的正文 [2]。", instruction="更简洁", engine="offline",
                           user=users["analyst"], job_id="job-1")
    rejected = service.suggest(pk, base_version=1, markdown="另一稿 [1]。", instruction="突出算力",
                               engine="offline", user=users["analyst"])
    assert [s.id for s in service.open_suggestions(pk)] == [rejected.id, kept.id]
    assert service.section(pk).current_version == 1 and service.count_versions(pk) == 1

    service.reject_suggestion(rejected.id, users["editor"], "不需要")
    assert service.section(pk) == before  # a rejected preview leaves the section as it was
    with pytest.raises(ReviewError, match="已处理"):
        service.accept_suggestion(rejected.id, users["editor"])

    version = service.accept_suggestion(kept.id, users["editor"])
    assert (version.number, version.origin, version.instruction) == (2, "regenerated", "更简洁")
    assert service.suggestion(kept.id).version_number == 2 and service.open_suggestions(pk) == []
    stale = service.suggest(pk, base_version=1, markdown="过时的建议 [2]。", instruction="更简洁", engine="offline",
                            user=users["analyst"])
    with pytest.raises(ConcurrentEditError):  # the lost-update rule applies to suggestions too
        service.accept_suggestion(stale.id, users["editor"])
    with pytest.raises(ReviewError, match=r"\[9\]"):
        service.suggest(pk, base_version=2, markdown="未知来源 [9]", instruction="x", engine="offline",
                        user=users["analyst"])
    actions = [e.action for e in service.audit_log(object_type="section", object_id=pk)]
    assert {"suggest", "reject_suggestion", "accept_suggestion"} <= set(actions)


def test_four_eyes_identical_save_and_idempotent_approval(seeded: Seeded) -> None:
    service, users, report_id = seeded
    pk = service.sections(report_id)[0].pk
    editor, admin = users["editor"], users["admin"]
    same = service.save_edit(pk, 1, service.section(pk).markdown, editor)
    assert same.number == 1 and service.count_versions(pk) == 1  # identical text makes no version

    service.save_edit(pk, 1, "编辑改写 [1]。", editor)
    with pytest.raises(ReviewError, match="四眼原则"):
        service.approve(pk, 2, editor)
    first = service.approve(pk, 2, admin)
    again = service.approve(pk, 2, admin)
    assert (again.reviewer, again.version_number) == (first.reviewer, 2)
    assert len(service.reviews(pk)) == 1  # approving the approved version is a no-op

    with pytest.raises(PermissionDenied):
        service.set_setting("four_eyes", False, editor)
    service.set_setting("four_eyes", False, admin)
    service.save_edit(pk, 2, "小团队：自己批准 [1]。", editor)
    assert service.approve(pk, 3, editor).reviewer == "editor"
    assert service.audit_log(object_type="setting")[0].detail == {"old": True, "new": False}


def test_four_eyes_cover_every_change_since_the_last_approval(seeded: Seeded) -> None:
    """The red team's case: A writes the text, B saves a one-space change, A approves -> refused."""
    service, users, report_id = seeded
    pk = service.sections(report_id)[0].pk
    a, b = users["editor"], users["admin"]
    service.save_edit(pk, 1, "编辑 A 写的正文 [1]。", a)
    service.save_edit(pk, 2, "编辑 A 写的正文 [1]。 ", b)
    with pytest.raises(ReviewError, match=r"四眼原则.*v2"):
        service.approve(pk, 3, a)
    assert service.section(pk).status == "draft"
    # after someone else approved v3, a later change by B is A's to approve: A wrote nothing since v3
    c = add_user(service.engine, "editor2", "editor", PASSWORD)
    service.approve(pk, 3, c)
    service.save_edit(pk, 3, "编辑 B 的补充 [1]。", b)
    assert service.approve(pk, 4, a).reviewer == "editor"


def test_restore_unsaved_edits_length_limit_and_inbox(seeded: Seeded) -> None:
    service, users, report_id = seeded
    pk = service.sections(report_id)[1].pk
    analyst, editor = users["analyst"], users["editor"]
    service.save_edit(pk, 1, "第二版 [2]。", analyst)
    restored = service.restore(pk, 1, 2, editor)
    assert restored.number == 3 and restored.markdown == service.version(pk, 1).markdown
    assert restored.provenance == {"restored_from": 1}
    assert service.audit_log(object_type="section", object_id=pk)[0].action == "restore"
    with pytest.raises(ReviewError, match="无需恢复"):
        service.restore(pk, 1, 3, editor)

    service.keep_draft(pk, 3, "还没保存的半句", editor)
    kept = service.kept_draft(pk, editor)
    assert kept is not None and (kept.base_version, kept.markdown) == (3, "还没保存的半句")
    assert service.kept_draft(pk, analyst) is None  # kept per user
    service.save_edit(pk, 3, "保存了 [2]。", editor)
    assert service.kept_draft(pk, editor) is None

    service.set_setting("max_edit_chars", 20, users["admin"])
    with pytest.raises(ReviewError, match="超过上限 20 字"):
        service.save_edit(pk, 4, "长" * 21, editor)

    service.request_changes(pk, 4, users["admin"], "请补充昇腾出货的数据来源，并删去“稳赚”一词。")
    inbox = service.inbox(analyst)
    sent = [i for i in inbox if i.kind == "sent_back"]
    assert sent and sent[0].section_pk == pk and "请补充昇腾出货的数据来源，并删去“稳赚”一词。" in sent[0].detail
    to_approve = {i.section_pk for i in service.inbox(editor) if i.kind == "to_approve"}
    assert pk not in to_approve and service.sections(report_id)[0].pk in to_approve


def test_inbox_tells_compliance_of_findings_and_a_voided_sign_off(seeded: Seeded) -> None:
    from review_factories import sign_off_report

    service, users, report_id = seeded
    for section in service.sections(report_id):
        service.approve(section.pk, 1, users["editor"])
    sign_off_report(service, users["compliance"], report_id)
    assert not [i for i in service.inbox(users["compliance"]) if i.kind == "signoff_voided"]
    pk = service.sections(report_id)[0].pk
    service.save_edit(pk, 1, "签字后改了 [1]。", users["analyst"])
    kinds = {i.kind for i in service.inbox(users["compliance"])}
    assert "signoff_voided" in kinds
    ComplianceService(service).rerun_checks(report_id, users["compliance"])
    assert all(i.kind in {"signoff_voided", "findings"} for i in service.inbox(users["compliance"]))


def test_empty_or_gutted_required_sections_are_blocking_findings() -> None:
    from assistant.models import Report, SectionDraft
    from assistant.review.required import required_parts_findings

    sections = [SectionDraft(id="risk_warnings", title="风险提示", markdown="  \n"),
                SectionDraft(id="core_views", title="核心观点", markdown="本月观点：算力与应用共振，详见正文各章。"),
                SectionDraft(id="disclosures", title="披露", markdown="### 分析师承诺\n\n本人承诺……\n\n### 免责声明\n\n略"),
                SectionDraft(id="investment_advice", title="投资建议", markdown="我们维持计算机行业“推荐”评级。"),
                SectionDraft(id="llm_dynamics", title="大模型", markdown="")]
    found = required_parts_findings(Report(month="2024-07", title="t", engine="offline", sections=sections))
    by_section = {f.section: f for f in found}
    assert set(by_section) == {"risk_warnings", "core_views", "disclosures"}
    assert all(f.kind == "empty_section" and f.severity == "blocking" for f in found)
    assert "为空" in by_section["risk_warnings"].detail and "评级标准" in by_section["disclosures"].detail


def test_loading_the_same_folder_twice_asks(seeded: Seeded, tmp_path: Path) -> None:
    from assistant.review.service import DuplicateImportError

    service, users, report_id = seeded
    out = tmp_path / "out"
    with pytest.raises(DuplicateImportError, match=f"#{report_id}"):
        service.import_report(out, users["analyst"])
    replaced = service.import_report(out, users["analyst"], on_duplicate="replace")
    assert [r.id for r in service.list_reports()] == [replaced]
    service.save_edit(service.sections(replaced)[0].pk, 1, "改过了 [1]", users["analyst"])
    with pytest.raises(DuplicateImportError, match="不能替换"):
        service.import_report(out, users["analyst"], on_duplicate="replace")
    twin = service.import_report(out, users["analyst"], on_duplicate="new")
    assert [r.id for r in service.list_reports()] == [twin, replaced]
