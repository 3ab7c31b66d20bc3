"""Service-layer behaviour on SQLite and PostgreSQL: versions, exact-version approvals, locking, roles, audit."""

from __future__ import annotations

from pathlib import Path

import pytest
from review_factories import make_report, sign_off_report, write_out_dir
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from assistant.errors import ConcurrentEditError, PermissionDenied, ReviewError
from assistant.models import Citation, Provenance, SectionDraft, SourceRef
from assistant.review import ReviewService, UserView, set_active
from assistant.review.db import Section

Seeded = tuple[ReviewService, dict[str, UserView], int]


def _first(service: ReviewService, report_id: int) -> int:
    return service.sections(report_id)[0].pk


def test_import_creates_version_one_per_section(seeded: Seeded) -> None:
    service, _users, report_id = seeded
    sections = service.sections(report_id)
    assert [s.section_id for s in sections] == ["core_views", "market_review", "compute_dynamics"]
    assert all(s.current_version == 1 and s.status == "draft" and s.origin == "drafted" for s in sections)
    v1 = service.version(sections[0].pk, 1)
    assert v1.author == "analyst" and v1.provenance and v1.provenance["engine"] == "offline"
    assert [s.marker for s in service.sources(report_id)] == [1, 2, 3]
    assert [s.marker for s in service.section_sources(sections[0])] == [1, 2]
    entry = next(e for e in service.audit_log(object_type="report") if e.action == "import")
    assert (entry.action, entry.actor, entry.detail["sections"]) == ("import", "analyst", 3)
    summary = service.list_reports()[0]
    assert (summary.section_count, summary.approved_count, summary.month) == (3, 0, "2024-07")


def test_edit_creates_new_immutable_version_with_citations(seeded: Seeded) -> None:
    service, users, report_id = seeded
    pk = _first(service, report_id)
    v2 = service.save_edit(pk, 1, "改写后的文本 [3] 与 [1]。", users["editor"])
    assert (v2.number, v2.origin, v2.author) == (2, "edited", "editor")
    assert [c.marker for c in v2.citations] == [3, 1]
    assert service.version(pk, 1).markdown.startswith("## 章节 core_views")
    assert service.section(pk).current_version == 2
    entry = service.audit_log(object_type="section", object_id=pk)[0]
    assert (entry.action, entry.before_version, entry.after_version) == ("edit", 1, 2)


def test_edit_with_unknown_marker_is_refused_and_nothing_stored(seeded: Seeded) -> None:
    service, users, report_id = seeded
    pk = _first(service, report_id)
    with pytest.raises(ReviewError, match=r"\[9\]"):
        service.save_edit(pk, 1, "引用了不存在的来源 [9]", users["editor"])
    assert service.section(pk).current_version == 1
    assert service.version_numbers(pk) == [1]


def test_lost_update_second_editor_is_refused_and_shown_the_other_edit(seeded: Seeded) -> None:
    service, users, report_id = seeded
    pk = _first(service, report_id)
    service.save_edit(pk, 1, "v2 by analyst", users["analyst"])
    service.save_edit(pk, 2, "v3 by analyst", users["analyst"])
    # Both editors open v3 ...
    opened_a = service.section(pk).current_version
    opened_b = service.section(pk).current_version
    service.save_edit(pk, opened_a, "editor A text", users["editor"])
    with pytest.raises(ConcurrentEditError) as info:
        service.save_edit(pk, opened_b, "admin B text", users["admin"])
    err = info.value
    assert (err.current_version, err.current_markdown, err.current_author) == (4, "editor A text", "editor")
    assert [v.markdown for v in service.versions(pk)][-1] == "editor A text"
    # B merges and saves on top of A's version: nothing is lost.
    v5 = service.save_edit(pk, err.current_version or 0, "editor A text + admin B text", users["admin"])
    assert v5.number == 5 and service.version_numbers(pk) == [1, 2, 3, 4, 5]


def test_lock_version_catches_a_writer_that_read_before_a_concurrent_commit(seeded: Seeded) -> None:
    service, users, report_id = seeded
    pk = _first(service, report_id)
    with Session(service.engine) as stale:
        row = stale.get_one(Section, pk)
        service.save_edit(pk, 1, "committed meanwhile", users["editor"])
        row.status = "approved"
        with pytest.raises(StaleDataError):
            stale.flush()


def test_release_holds_frees_only_the_users_sections_and_is_audited(seeded: Seeded) -> None:
    service, users, report_id = seeded
    first, second, third = (s.pk for s in service.sections(report_id))
    service.begin_edit(first, users["editor"])
    service.begin_edit(third, users["editor"])
    service.begin_edit(second, users["analyst"])
    locks = {s.pk: s.lock_version for s in service.sections(report_id)}
    set_active(service.engine, "editor", False)  # a deactivated account can still let go of its holds

    assert service.release_holds(users["editor"]) == [first, third]
    after = {s.pk: s for s in service.sections(report_id)}
    assert [after[pk].holder for pk in (first, second, third)] == [None, "analyst", None]
    assert {pk: s.lock_version for pk, s in after.items()} == locks  # advisory: a save meanwhile is not refused
    entries = [e for e in service.audit_log(object_type="section") if e.action == "release_edit"]
    assert sorted((int(e.object_id), e.actor, e.before_version, e.detail["reason"]) for e in entries) == [
        (first, "editor", 1, "sign_out"), (third, "editor", 1, "sign_out")]
    assert service.release_holds(users["editor"]) == []
    service.save_edit(second, 1, "分析师的修改 [2]。", users["analyst"])  # the other hold is still usable


def test_approval_applies_to_the_exact_current_version(seeded: Seeded) -> None:
    service, users, report_id = seeded
    pk = _first(service, report_id)
    service.save_edit(pk, 1, "v2 [1]", users["analyst"])
    with pytest.raises(ReviewError, match="v1 已过时"):
        service.approve(pk, 1, users["editor"])
    review = service.approve(pk, 2, users["editor"], "可以")
    assert (review.version_number, review.decision, review.reviewer) == (2, "approve", "editor")
    assert service.section(pk).status == "approved"
    assert [r.version_number for r in service.reviews(pk)] == [2]


def test_edit_after_approval_reopens_the_section(seeded: Seeded) -> None:
    service, users, report_id = seeded
    pk = _first(service, report_id)
    service.approve(pk, 1, users["editor"])
    service.save_edit(pk, 1, "批准后又改了 [2]", users["analyst"])
    section = service.section(pk)
    assert (section.status, section.current_version) == ("draft", 2)
    entry = service.audit_log(object_type="section", object_id=pk)[0]
    assert entry.detail["reopened"] is True and entry.detail["previous_status"] == "approved"


def test_reject_and_request_changes_need_a_comment(seeded: Seeded) -> None:
    service, users, report_id = seeded
    pk = _first(service, report_id)
    with pytest.raises(ReviewError, match="意见"):
        service.reject(pk, 1, users["editor"], "  ")
    service.request_changes(pk, 1, users["editor"], "数据需核对")
    assert service.section(pk).status == "changes_requested"
    service.reject(pk, 1, users["admin"], "不符合要求")
    assert service.section(pk).status == "rejected"


@pytest.mark.parametrize(("role", "action"), [
    ("analyst", "approve"), ("compliance", "approve"), ("compliance", "edit"), ("compliance", "regenerate"),
    ("editor", "import"), ("compliance", "import"), ("compliance", "export"),
])
def test_roles_are_enforced_by_the_service(seeded: Seeded, tmp_path: Path, role: str, action: str) -> None:
    service, users, report_id = seeded
    pk, user = _first(service, report_id), users[role]
    before = len(service.audit_log())
    calls = {
        "approve": lambda: service.approve(pk, 1, user),
        "edit": lambda: service.save_edit(pk, 1, "x", user),
        "regenerate": lambda: service.regenerate(pk, "更简洁", user),
        "import": lambda: service.import_report(write_out_dir(tmp_path / "o2", make_report()), user),
        "export": lambda: service.final_report(report_id, user),
    }
    if action == "export":
        for section in service.sections(report_id):
            service.approve(section.pk, 1, users["editor"])
        sign_off_report(service, users["compliance"], report_id)
        assert service.export_gate(report_id)  # only the role can refuse now
        before = len(service.audit_log())
    with pytest.raises(PermissionDenied):
        calls[action]()
    assert len(service.audit_log()) == before  # a refused action leaves no trace but its refusal


def test_role_is_reread_from_the_database(seeded: Seeded) -> None:
    service, users, report_id = seeded
    pk = _first(service, report_id)
    forged = users["analyst"].model_copy(update={"role": "admin"})
    with pytest.raises(PermissionDenied):
        service.approve(pk, 1, forged)
    set_active(service.engine, "editor", False)
    with pytest.raises(PermissionDenied, match="停用"):
        service.approve(pk, 1, users["editor"])


def test_export_only_when_every_section_is_approved(seeded: Seeded) -> None:
    service, users, report_id = seeded
    sections = service.sections(report_id)
    service.save_edit(sections[0].pk, 1, "终稿 [1]", users["analyst"])
    service.approve(sections[0].pk, 2, users["editor"])
    gate = service.export_gate(report_id)
    assert not gate and len(gate.blockers) == 3 and "合规尚未签字" in gate.blockers[-1]
    with pytest.raises(ReviewError, match="尚不能导出"):
        service.final_report(report_id, users["editor"])
    for section in sections[1:]:
        service.approve(section.pk, 1, users["admin"])
    gate = service.export_gate(report_id)
    assert not gate and len(gate.blockers) == 1  # every section approved: the sign-off is still missing
    with pytest.raises(ReviewError, match="合规尚未签字"):
        service.final_report(report_id, users["editor"])
    sign_off_report(service, users["compliance"], report_id)
    assert service.export_gate(report_id)
    final = service.final_report(report_id, users["editor"])
    assert final.sections[0].markdown == "终稿 [1]" and final.sections[0].citations[0].marker == 1
    assert all(s.status == "approved" for s in final.sections) and final.tables[0].id == "T1"
    assert service.audit_log(object_type="report")[0].action == "export"


def test_regenerate_stores_a_regenerated_version_and_new_sources(seeded: Seeded) -> None:
    service, users, report_id = seeded
    pk = _first(service, report_id)
    out_dir = Path(service.out_dir(report_id))
    report = make_report()
    report.sources.append(SourceRef(marker=4, doc_id="n004", title="新来源", date=report.sources[0].date,
                                    source="机器之心"))
    write_out_dir(out_dir, report)
    seen: dict[str, object] = {}

    def fake_regenerate(out: Path, section_id: str, instruction: str, settings: object, *,
                        current_markdown: str | None = None) -> SectionDraft:
        seen.update(out=out, section_id=section_id, instruction=instruction, current=current_markdown)
        return SectionDraft(id=section_id, title="t", markdown="更简洁的文本 [4]。",
                            citations=[Citation(marker=4, doc_id="n004")],
                            provenance=Provenance(engine="offline", template_id="monthly_ai"))

    service._regenerate_fn = fake_regenerate
    version = service.regenerate(pk, "更简洁", users["editor"])
    assert (version.number, version.origin, version.instruction) == (2, "regenerated", "更简洁")
    assert seen["section_id"] == "core_views" and str(seen["current"]).startswith("## 章节")
    assert seen["out"] == out_dir
    assert version.provenance and version.provenance["engine"] == "offline"
    assert [s.title for s in service.section_sources(service.section(pk))] == ["新来源"]
    assert service.audit_log(object_type="section", object_id=pk)[0].action == "regenerated"


def test_diff_between_any_two_versions(seeded: Seeded) -> None:
    service, users, report_id = seeded
    pk = _first(service, report_id)
    service.save_edit(pk, 1, "## 章节 core_views\n\n第一段：改过了 [1]。", users["editor"])
    diff = service.diff(pk, 1, 2)
    assert "-第一段：7月人工智能指数上涨 [1]。" in diff.unified and "+第一段：改过了 [1]。" in diff.unified
    assert diff.changed and {r.tag for r in diff.rows} >= {"equal", "replace"}
    assert not service.diff(pk, 2, 2).changed


def test_audit_log_rejects_update_and_delete_in_the_database(seeded: Seeded) -> None:
    service, _users, _report_id = seeded
    statements = ["UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"]
    if service.engine.dialect.name == "postgresql":
        statements.append("TRUNCATE audit_log")
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"), service.engine.begin() as conn:
            conn.execute(text(statement))
    with Session(service.engine) as session:
        actors = set(session.scalars(select(text("actor")).select_from(text("audit_log"))))
    assert "mallory" not in actors and "analyst" in actors
