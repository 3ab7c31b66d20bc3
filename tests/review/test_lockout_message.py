"""The lockout message names the lock's real length: a 15-minute lock says 15 minutes, not 16."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from review_factories import PASSWORD, seed

from assistant.review.sessions import LOCK_AFTER, LOCK_FOR, sign_in

T0 = dt.datetime(2024, 8, 1, 9, 0, tzinfo=dt.UTC)


def test_a_fresh_lock_says_its_minutes_exactly(tmp_path: Path) -> None:
    service, _users, _ = seed(f"sqlite:///{tmp_path / 'r.db'}", tmp_path / "out")
    for _ in range(LOCK_AFTER):
        sign_in(service.engine, "editor", "wrong-password", "10.0.0.7", now=T0)
    refused = sign_in(service.engine, "editor", PASSWORD, "10.0.0.7", now=T0)
    minutes = int(LOCK_FOR.total_seconds() // 60)
    assert refused.user is None and f"请 {minutes} 分钟后再试" in refused.message, refused.message
    later = sign_in(service.engine, "editor", PASSWORD, "10.0.0.7", now=T0 + dt.timedelta(seconds=61))
    assert f"请 {minutes - 1} 分钟后再试" in later.message, later.message  # 13 min 59 s left: 14 minutes
    service.engine.dispose()
