"""Identity (SQLite and PostgreSQL): one name form for the throttle, CLI actions proven by a password, the password
policy, anonymous failures counted per window, and an HttpOnly session cookie."""

from __future__ import annotations

from pathlib import Path

import pytest
from review_factories import PASSWORD, seed_users
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.cli import main
from assistant.errors import InputError
from assistant.review import ReviewService
from assistant.review.db import AuditLog
from assistant.review.sessions import LOCK_AFTER, cookie_header, sign_in
from assistant.review.users import check_password


def _count(service: ReviewService, action: str) -> int:
    with Session(service.engine) as session:
        return int(session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == action)) or 0)


@pytest.fixture
def store(db_url: str):  # type: ignore[no-untyped-def]
    service = ReviewService.open(db_url)
    users = seed_users(service)
    yield service, users
    service.engine.dispose()


def test_a_full_width_or_upper_case_name_shares_the_lock(store) -> None:  # type: ignore[no-untyped-def]
    service, _users = store
    for _ in range(LOCK_AFTER):
        assert sign_in(service.engine, "admin", "wrong-password-x").user is None
    for variant in ("ａｄｍｉｎ", "Admin", " admin "):
        result = sign_in(service.engine, variant, PASSWORD)
        assert result.user is None and "锁定" in result.message, variant


@pytest.mark.parametrize("password", ["12345678", " " * 12, "aaaaaaaaaaaa", "password123", "1234567890",
                                      "qwertyuiop", "password1234"])
def test_weak_passwords_are_refused(password: str) -> None:
    with pytest.raises(InputError, match="密码"):
        check_password(password, "editor")


def test_a_strong_password_passes() -> None:
    check_password(PASSWORD, "editor")
    check_password("银河研究院-算力月报-7", "analyst")


def test_anonymous_failures_make_one_audit_row_per_window(store) -> None:  # type: ignore[no-untyped-def]
    service, _users = store
    for i in range(25):
        sign_in(service.engine, f"nobody{i}", "whatever-password", "10.0.0.9")
    for _ in range(25):
        sign_in(service.engine, "ghost", "whatever-password", "10.0.0.10")
    assert _count(service, "login_failed_unknown") == 1
    # at most one "throttled" and one "locked" row per subject (the address 10.0.0.9, the name ghost), not 50
    assert _count(service, "login_throttled") + _count(service, "login_locked") <= 4


def test_cli_actions_as_a_user_need_that_users_or_an_admins_password(
        store, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
        capsys: pytest.CaptureFixture[str]) -> None:
    service, _users = store
    monkeypatch.delenv("RA_PASSWORD", raising=False)
    monkeypatch.setenv("RA_JOBS_DIR", str(tmp_path / "jobs"))
    base = ["jobs", "submit", "--db", db_url, "--sample", "--sections", "core_views", "--as", "analyst"]
    assert main(base) == 1
    assert "密码" in capsys.readouterr().err
    monkeypatch.setenv("RA_PASSWORD", "not-the-password-1")
    assert main(base) == 1
    monkeypatch.delenv("RA_PASSWORD")
    good = tmp_path / "pw"
    good.write_text(PASSWORD + "\n", encoding="utf-8")
    assert main([*base, "--password-file", str(good)]) == 0
    assert main([*base, "--admin", "editor", "--password-file", str(good)]) == 1  # not an admin
    assert main([*base, "--admin", "admin", "--password-file", str(good)]) == 0
    assert _count(service, "act_as") == 1


def test_the_session_cookie_is_httponly_and_secure_under_tls() -> None:
    header = cookie_header("abc.def-ghi", secure=True)
    assert "HttpOnly" in header and "Secure" in header and "SameSite=Strict" in header
    assert "Secure" not in cookie_header("abc", secure=False)
    with pytest.raises(ValueError):
        cookie_header("a; Domain=evil", secure=False)
