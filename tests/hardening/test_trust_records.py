"""Records that cannot be rewritten quietly (SQLite and PostgreSQL): every tampering the red team used, then verify.

Each test plays someone who can write the database (past the append-only triggers, which only the tables' owner
can lift) but does not hold the audit key, which lives outside the database.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
from review_factories import approve_and_sign, make_report, seed_users, write_out_dir
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from assistant.cli import main
from assistant.errors import ConfigError
from assistant.review import ReviewService, UserView
from assistant.review.audit import legacy_hash
from assistant.review.auditkey import audit_key, default_key_file
from assistant.review.compliance import ComplianceService
from assistant.review.db import AuditLog

Seeded = tuple[ReviewService, dict[str, UserView], int]


def _lift(engine: Engine, table: str) -> None:
    """What only the tables' owner can do: lift the append-only triggers of ``table``."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        else:
            names = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
                                 {"t": table}).scalars().all()
            for name in names:
                conn.execute(text(f"DROP TRIGGER {name}"))


def _verify(url: str, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["verify", "--db", url, *extra])
    return code, capsys.readouterr().out


def _head(out: str) -> str:
    return out.rsplit("：", 1)[1].split()[0]


def test_a_clean_store_verifies_and_prints_its_head(seeded: Seeded, db_url: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    approve_and_sign(seeded)
    code, out = _verify(db_url, capsys)
    assert code == 0, out
    head = _head(out)
    assert _verify(db_url, capsys, "--anchor", head)[0] == 0


def test_rewriting_an_approvals_actor_and_recomputing_the_chain_is_detected(
        seeded: Seeded, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The red team's forgery: change the actor, recompute every later seal with the public sha256 formula."""
    service, _users, _report_id = approve_and_sign(seeded)
    _lift(service.engine, "audit_log")
    with Session(service.engine) as session, session.begin():
        rows = list(session.scalars(select(AuditLog).order_by(AuditLog.id)))
        start = next(i for i, r in enumerate(rows) if r.action == "approve")
        rows[start].actor = "compliance"
        prev = rows[start].prev_hash or ""
        for row in rows[start:]:
            row.prev_hash = prev
            row.row_hash = prev = legacy_hash(prev, row)
    code, out = _verify(db_url, capsys)
    assert code == 1 and "内容与签名不符" in out


def test_recomputing_with_a_guessed_key_is_detected(seeded: Seeded, db_url: str,
                                                    capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    service, users, report_id = approve_and_sign(seeded)
    real = os.environ["RA_AUDIT_KEY"]
    monkeypatch.setenv("RA_AUDIT_KEY", "a-guessed-key-that-is-not-the-real-one-0123456789")
    section = service.sections(report_id)[0]
    service.save_edit(section.pk, section.current_version, "改写 [2]。", users["analyst"])  # sealed with the wrong key
    monkeypatch.setenv("RA_AUDIT_KEY", real)
    code, out = _verify(db_url, capsys)
    assert code == 1 and "另一把密钥" in out


def test_a_changed_signed_text_with_its_new_hash_written_into_the_signoff_is_detected(
        seeded: Seeded, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    service, _users, report_id = approve_and_sign(seeded)
    section = service.sections(report_id)[0]
    _lift(service.engine, "section_versions")
    _lift(service.engine, "signoffs")
    changed = service.version(section.pk, section.current_version).markdown + " 稳赚不赔。"
    with service.engine.begin() as conn:
        conn.execute(text("UPDATE section_versions SET markdown = :m WHERE section_pk = :pk AND number = :n"),
                     {"m": changed, "pk": section.pk, "n": section.current_version})
        raw = conn.execute(text("SELECT text_hashes FROM signoffs")).scalar_one()
        hashes = json.loads(raw) if isinstance(raw, str) else dict(raw)
        hashes[section.section_id] = "h1:" + hashlib.sha256(changed.encode()).hexdigest()
        conn.execute(text("UPDATE signoffs SET text_hashes = :h"), {"h": json.dumps(hashes)})
    code, out = _verify(db_url, capsys)
    assert code == 1 and "签字异常" in out and section.section_id in out


def test_deleting_the_newest_rows_is_detected_by_the_anchor_and_the_state(
        seeded: Seeded, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    service, users, report_id = approve_and_sign(seeded)
    section = service.sections(report_id)[1]
    service.save_edit(section.pk, section.current_version, "改写后的市场回顾 [2]。", users["analyst"])
    code, out = _verify(db_url, capsys)  # the edit voided the sign-off: the store is intact
    assert code == 0, out
    head = _head(out)
    _lift(service.engine, "audit_log")
    with service.engine.begin() as conn:  # cut off everything from the edit on
        first = conn.execute(text("SELECT min(id) FROM audit_log WHERE action = 'signoff_invalidated'")).scalar_one()
        conn.execute(text("DELETE FROM audit_log WHERE id >= :i"), {"i": first})
    code, out = _verify(db_url, capsys, "--anchor", head)
    assert code == 1
    assert "已不存在" in out  # the kept head (given, and in the SQLite anchor file)
    assert "状态异常" in out and section.section_id in out  # the section is v2 but the log ends at v1 approved


def test_an_inserted_system_signoff_invalidated_row_is_detected(seeded: Seeded, db_url: str,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    service, _users, report_id = approve_and_sign(seeded)
    section = service.sections(report_id)[0]
    with service.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO audit_log (user_id, actor, action, object_type, object_id, after_version, detail, "
            "created_at) VALUES (NULL, 'system', 'signoff_invalidated', 'report', :rid, 1, :d, CURRENT_TIMESTAMP)"),
            {"rid": str(report_id), "d": json.dumps({"section_pk": section.pk, "version": 1})})
    code, out = _verify(db_url, capsys)
    assert code == 1 and "未被其后的签名记录覆盖" in out


def test_approving_and_deleting_findings_behind_the_service_is_detected(
        seeded: Seeded, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """What the app role could do on PostgreSQL: approve by UPDATE, delete the open findings; then a real
    sign-off. verify recomputes the state from the log."""
    service, users, report_id = seeded
    comp = ComplianceService(service)
    comp.rerun_checks(report_id, users["compliance"])
    opened = [f for f in comp.findings(report_id) if f.status == "open"]
    assert opened
    with service.engine.begin() as conn:
        conn.execute(text("UPDATE sections SET status = 'approved' WHERE report_id = :r"), {"r": report_id})
        conn.execute(text("DELETE FROM findings WHERE report_id = :r AND status = 'open'"), {"r": report_id})
    comp.sign_off(report_id, users["compliance"])
    code, out = _verify(db_url, capsys)
    assert code == 1
    assert out.count("状态异常") >= len(service.sections(report_id)) and "被直接删除" in out


def test_the_sqlite_key_file_is_created_private_and_postgresql_needs_one(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RA_AUDIT_KEY", raising=False)
    url = f"sqlite:///{tmp_path / 'review.db'}"
    service = ReviewService.open(url)
    try:
        users = seed_users(service)
        service.import_report(write_out_dir(tmp_path / "o", make_report()), users["analyst"])
    finally:
        service.engine.dispose()
    path = default_key_file(url)
    assert path is not None and path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert audit_key(url) == path.read_text().strip().encode()
    with pytest.raises(ConfigError, match="RA_AUDIT_KEY"):
        audit_key("postgresql+psycopg://ra_app@127.0.0.1/x")
