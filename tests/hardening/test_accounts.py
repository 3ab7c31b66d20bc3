"""Accounts and the database edge: confusable names, stale actors, concurrent first start, broken databases."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from assistant.errors import InputError, PermissionDenied, ReviewError
from assistant.review import add_user, authenticate, init_db, list_users, set_active

PASSWORD = "correct-horse-9"
ROOT = Path(__file__).resolve().parents[2]


HOSTILE_NAMES: list[tuple[str, type[Exception], str]] = [
    ("ｅ１", ReviewError, "已存在"),  # full-width: NFKC makes it e1
    ("e\u200b1", InputError, "不可见"),
    ("\u202eadmin", InputError, "不可见"),
    ("e1\nadmin", InputError, "不可见"),
    ("е1", ReviewError, "形近"),  # Cyrillic е
    ("аdmin", InputError, "混用"),  # Cyrillic а + Latin
    ("x" * 81, InputError, "最多 80"),
    ("e 1", InputError, "只能含"),
    ("  ", InputError, "不能为空"),
]


def test_confusable_or_invalid_names_are_refused(db_url: str) -> None:
    engine = init_db(db_url)
    try:
        add_user(engine, "e1", "editor", PASSWORD)
        for name, error, says in HOSTILE_NAMES:
            with pytest.raises(error, match=says) as caught:
                add_user(engine, name, "admin", PASSWORD)
            assert "argon2" not in str(caught.value), name
        assert authenticate(engine, "e1", PASSWORD) is not None  # nothing already saved is lost
        assert [u.name for u in list_users(engine)] == ["e1"]
    finally:
        engine.dispose()


def test_names_are_stored_normalised(db_url: str) -> None:
    engine = init_db(db_url)
    try:
        assert add_user(engine, "ｗａｎｇ．ｅｄ", "editor", PASSWORD).name == "wang.ed"
        assert authenticate(engine, "ｗａｎｇ．ｅｄ", PASSWORD) is not None
        assert authenticate(engine, "x" * 500, PASSWORD) is None  # a huge name is just a failed sign-in
        assert authenticate(engine, "wang\x00.ed", PASSWORD) is None  # NUL: no DataError on PostgreSQL
        with pytest.raises(ReviewError, match="不存在"):
            set_active(engine, "wang\x00.ed", False)
    finally:
        engine.dispose()


def test_add_user_and_set_active_reread_the_actor(db_url: str) -> None:
    engine = init_db(db_url)
    try:
        admin = add_user(engine, "boss", "admin", PASSWORD)
        add_user(engine, "ed", "editor", PASSWORD, actor=admin)
        with engine.begin() as conn:  # demoted since the UserView was handed out
            conn.execute(text("UPDATE users SET role = 'editor' WHERE name = 'boss'"))
        with pytest.raises(PermissionDenied):
            add_user(engine, "mallory", "admin", PASSWORD, actor=admin)
        with pytest.raises(PermissionDenied):
            set_active(engine, "ed", False, actor=admin)
        assert authenticate(engine, "ed", PASSWORD) is not None
    finally:
        engine.dispose()


def test_concurrent_first_start_is_safe(db_url: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = "import sys; from assistant.review import init_db; init_db(sys.argv[1]).dispose()"
    procs = [subprocess.Popen([sys.executable, "-c", code, db_url], env=env, stderr=subprocess.PIPE)
             for _ in range(3)]
    results = [(p.wait(timeout=300), p.stderr.read().decode() if p.stderr else "") for p in procs]
    assert [rc for rc, _ in results] == [0, 0, 0], results


def test_unknown_revision_gives_one_clear_message(db_url: str) -> None:
    engine = init_db(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    engine.dispose()
    with pytest.raises(ReviewError, match="结构版本无法识别"):
        init_db(db_url)


@pytest.mark.parametrize("content", [b"this is not a database" * 100, b"SQLite format 3\x00" + b"\xff" * 4000])
def test_corrupt_sqlite_file_gives_one_clear_message(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "review.db"
    path.write_bytes(content)
    with pytest.raises(ReviewError, match="无法打开审阅数据库"):
        init_db(f"sqlite:///{path}")
