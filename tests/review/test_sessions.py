"""Sign-in throttle and sessions on the real store (SQLite): delays, lock, per-address limit, revocation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from review_factories import PASSWORD, seed

from assistant.review import set_active
from assistant.review.sessions import (
    FREE_FAILURES,
    LOCK_AFTER,
    LOCK_FOR,
    end_session,
    session_user,
    sign_in,
    start_session,
    throttle_wait,
)

T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def test_throttle_delay_grows_then_locks() -> None:
    fails = [T0 + dt.timedelta(seconds=i) for i in range(FREE_FAILURES)]
    assert throttle_wait(fails[:1], T0, LOCK_AFTER) == 0
    assert throttle_wait(fails, fails[-1], LOCK_AFTER) == 1
    more = [*fails, T0 + dt.timedelta(seconds=10)]
    assert throttle_wait(more, more[-1], LOCK_AFTER) == 2
    locked = [T0 + dt.timedelta(seconds=i) for i in range(LOCK_AFTER)]
    assert throttle_wait(locked, locked[-1], LOCK_AFTER) > 60 * 14
    assert throttle_wait(locked, locked[-1] + LOCK_FOR + dt.timedelta(seconds=2), LOCK_AFTER) == 0


def test_wrong_passwords_lock_the_name_and_the_right_one_waits(tmp_path: Path) -> None:
    service, _users, _ = seed(f"sqlite:///{tmp_path / 'r.db'}", tmp_path / "out")
    engine = service.engine
    now = T0
    for _ in range(12):  # 12 wrong passwords in quick succession (the scenario)
        sign_in(engine, "editor", "wrong-password", "10.0.0.7", now=now)
        now += dt.timedelta(seconds=1)
    refused = sign_in(engine, "editor", PASSWORD, "10.0.0.7", now=now)
    assert refused.user is None and "锁定" in refused.message
    assert sign_in(engine, "analyst", PASSWORD, "10.0.0.8", now=now).user is not None  # other names unaffected
    later = sign_in(engine, "editor", PASSWORD, "10.0.0.7", now=now + LOCK_FOR + dt.timedelta(seconds=5))
    assert later.user is not None and later.user.name == "editor"
    actions = [e.action for e in service.audit_log(object_type="user", limit=100)]
    assert "login_locked" in actions and "login_failed" in actions
    service.engine.dispose()


def test_session_survives_reload_until_sign_out(tmp_path: Path) -> None:
    service, users, _ = seed(f"sqlite:///{tmp_path / 'r.db'}", tmp_path / "out")
    engine = service.engine
    token = start_session(engine, users["editor"], "127.0.0.1")
    assert session_user(engine, token) == users["editor"]  # a reload or a new tab presents the same cookie
    assert session_user(engine, token[:-2] + "xx") is None  # altered cookie
    assert session_user(engine, "not-a-token") is None
    end_session(engine, token, users["editor"])
    assert session_user(engine, token) is None  # sign-out holds server-side, whatever the browser kept
    other = start_session(engine, users["analyst"])
    set_active(engine, "analyst", False)
    assert session_user(engine, other) is None
    service.engine.dispose()
