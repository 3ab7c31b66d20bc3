"""Schema migration, users and password hashing, report.json import errors, database URL resolution."""

from __future__ import annotations

from pathlib import Path

import pytest
from review_factories import PASSWORD
from sqlalchemy import inspect, select

from assistant.errors import InputError, ReviewError
from assistant.review import ReviewService, add_user, authenticate, init_db, list_users, resolve_database_url
from assistant.review.db import User
from assistant.review.importing import read_report_json


def test_init_db_creates_schema_and_is_idempotent(db_url: str) -> None:
    engine = init_db(db_url)
    init_db(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"users", "reports", "sections", "section_versions", "reviews", "sources", "audit_log"} <= tables
    engine.dispose()


def test_users_hash_passwords_and_authenticate(db_url: str) -> None:
    service = ReviewService.open(db_url)
    add_user(service.engine, "王编辑", "editor", PASSWORD)
    with service.engine.connect() as conn:
        stored = conn.execute(select(User.password_hash)).scalar_one()
    assert stored.startswith("$argon2") and PASSWORD not in stored
    assert authenticate(service.engine, "王编辑", PASSWORD) == list_users(service.engine)[0]
    assert authenticate(service.engine, "王编辑", "wrong-password") is None
    assert authenticate(service.engine, "nobody", PASSWORD) is None
    # newest first; an unknown name is counted per window, not audited as the name typed
    actions = [e.action for e in service.audit_log(object_type="user")][:3]
    assert actions == ["login_failed_unknown", "login_failed", "login"]
    with pytest.raises(ReviewError, match="已存在"):
        add_user(service.engine, "王编辑", "analyst", PASSWORD)
    with pytest.raises(InputError, match="role"):
        add_user(service.engine, "x", "boss", PASSWORD)
    with pytest.raises(InputError, match="password"):
        add_user(service.engine, "y", "analyst", "short")
    service.engine.dispose()


def test_only_admins_manage_users(tmp_path: Path) -> None:
    from assistant.errors import PermissionDenied

    engine = init_db(f"sqlite:///{tmp_path / 'r.db'}")
    admin = add_user(engine, "admin", "admin", PASSWORD)
    editor = add_user(engine, "ed", "editor", PASSWORD, actor=admin)
    with pytest.raises(PermissionDenied):
        add_user(engine, "z", "admin", PASSWORD, actor=editor)


def test_bad_report_json_names_file_and_field(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"report\.json"):
        read_report_json(tmp_path)
    (tmp_path / "report.json").write_text('{"month": "2024-07", "sections": [{"title": "x"}]}', encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_report_json(tmp_path)
    assert info.value.file and info.value.file.endswith("report.json") and info.value.field == "engine"


def test_database_url_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RA_DATABASE_URL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert resolve_database_url().startswith("sqlite:///")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    assert resolve_database_url() == "postgresql+psycopg://u@h/db"
    monkeypatch.setenv("RA_DATABASE_URL", "sqlite:///a.db")
    assert resolve_database_url() == "sqlite:///a.db"
    assert resolve_database_url(explicit="/tmp/x.db") == "sqlite:////tmp/x.db"
