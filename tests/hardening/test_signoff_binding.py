"""A sign-off bound to content and a tamper-evident audit log, on SQLite and PostgreSQL.

The database refuses UPDATE/DELETE of versions, reviews, sign-offs and resolved findings. Past those triggers
(the table owner can lift them), a changed signed text is still caught at export and by ``verify``, and a
forged or deleted audit row is reported by ``verify``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from review_factories import approve_and_sign
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from assistant.cli import main
from assistant.errors import ReviewError
from assistant.review import ReviewService, UserView
from assistant.review.compliance import ComplianceService
from assistant.review.exporting import export_final

Seeded = tuple[ReviewService, dict[str, UserView], int]


def _signed(seeded: Seeded) -> Seeded:
    service, _users, report_id = approve_and_sign(seeded)
    assert service.export_gate(report_id).allowed
    return seeded


def _lift(engine: Engine, table: str, trigger_sqlite: str, trigger_pg: str) -> None:
    """What only the tables' owner can do: lift an append-only trigger."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {trigger_pg}"))
        else:
            conn.execute(text(f"DROP TRIGGER {trigger_sqlite}"))


def _verify(url: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["verify", "--db", url])
    return code, capsys.readouterr().out


def test_a_clean_store_verifies(seeded: Seeded, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    _signed(seeded)
    code, out = _verify(db_url, capsys)
    assert code == 0, out
    assert "异常 0 条" in out


APPEND_ONLY_STATEMENTS = [
    "UPDATE section_versions SET markdown = 'x'",
    "DELETE FROM section_versions",
    "UPDATE reviews SET decision = 'reject'",
    "DELETE FROM reviews",
    "UPDATE signoffs SET comment = 'x'",
    "DELETE FROM signoffs",
    "DELETE FROM findings WHERE status = 'resolved'",
    "UPDATE findings SET detail = 'x' WHERE status = 'resolved'",
    "UPDATE findings SET kind = 'x'",
]


def test_history_tables_are_append_only(seeded: Seeded) -> None:
    service, _users, _report_id = _signed(seeded)  # one signed store, every statement tried on it
    with service.engine.connect() as conn:
        counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                  for t in ("section_versions", "reviews", "signoffs", "findings")}
    assert all(counts.values()), counts
    for statement in APPEND_ONLY_STATEMENTS:
        with pytest.raises(DBAPIError), service.engine.begin() as conn:
            conn.execute(text(statement))
    with service.engine.connect() as conn:
        assert counts == {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in counts}


def test_an_updated_signed_text_is_refused_at_export_and_reported_by_verify(
    seeded: Seeded, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    service, users, report_id = _signed(seeded)
    section = service.sections(report_id)[0]
    with pytest.raises(DBAPIError), service.engine.begin() as conn:  # the trigger refuses it
        conn.execute(text("UPDATE section_versions SET markdown = 'x' WHERE section_pk = :pk"), {"pk": section.pk})
    _lift(service.engine, "section_versions", "section_versions_no_update", "section_versions_append_only")
    with service.engine.begin() as conn:
        conn.execute(text("UPDATE section_versions SET markdown = markdown || ' 稳赚不赔。' "
                          "WHERE section_pk = :pk AND number = :n"), {"pk": section.pk, "n": section.current_version})
    with pytest.raises(ReviewError, match="签字"):
        export_final(service, report_id, users["editor"], tmp_path / "final")
    assert not (tmp_path / "final" / "report.md").exists()  # nothing written
    code, out = _verify(db_url, capsys)
    assert code == 1
    assert "签字异常" in out and section.section_id in out


def test_a_forged_audit_row_is_reported_and_does_not_count_as_a_check_run(
    seeded: Seeded, db_url: str, capsys: pytest.CaptureFixture[str],
) -> None:
    service, users, report_id = seeded
    section = service.sections(report_id)[0]
    service.save_edit(section.pk, section.current_version, "改写后的段落 [2]。", users["editor"])
    comp = ComplianceService(service)
    versions = {s.section_id: s.current_version for s in service.sections(report_id)}
    assert comp.signoff_state(report_id).checked_versions != versions
    with service.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO audit_log (user_id, actor, action, object_type, object_id, detail, created_at) "
            "VALUES (NULL, 'compliance', 'run_checks', 'report', :rid, :detail, CURRENT_TIMESTAMP)"),
            {"rid": str(report_id), "detail": __import__("json").dumps({"versions": versions})})
    assert comp.signoff_state(report_id).checked_versions != versions  # the forged run is ignored
    code, out = _verify(db_url, capsys)
    assert code == 1
    assert "run_checks" in out and "伪造" in out


@pytest.mark.parametrize(("action", "says"), [("run_checks", "断链"), ("sign_off", "没有对应的审计记录")])
def test_a_deleted_audit_row_is_reported(seeded: Seeded, db_url: str, capsys: pytest.CaptureFixture[str],
                                         action: str, says: str) -> None:
    service, _users, _report_id = _signed(seeded)
    _lift(service.engine, "audit_log", "audit_log_no_delete", "audit_log_no_update_delete")
    with service.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE action = :a"), {"a": action})
    code, out = _verify(db_url, capsys)
    assert code == 1
    assert says in out
