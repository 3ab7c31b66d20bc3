"""Store fixtures: every store test runs on SQLite and on PostgreSQL (a fresh schema per test)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from review_factories import seed

from assistant.review import ReviewService, UserView

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _pg_admin_connection():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", autocommit=True,
                           connect_timeout=3)


@pytest.fixture(scope="session")
def pg_run_prefix() -> Iterator[str]:
    """One prefix per test run; every schema made under it is dropped at the end."""
    import psycopg

    try:
        conn = _pg_admin_connection()
    except psycopg.OperationalError as exc:
        print(f"\nPostgreSQL at 127.0.0.1:5432/test does not answer ({exc}); PostgreSQL store tests skipped")
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    prefix = f"ra_review_{uuid.uuid4().hex[:8]}"
    yield prefix
    with conn:
        schemas = conn.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s",
                               (prefix + "%",)).fetchall()
        for (name,) in schemas:
            conn.execute(f'DROP SCHEMA "{name}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'review.db'}"
    prefix = request.getfixturevalue("pg_run_prefix")
    schema = f"{prefix}_{uuid.uuid4().hex[:6]}"
    with _pg_admin_connection() as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


@pytest.fixture
def seeded(db_url: str, tmp_path: Path) -> Iterator[tuple[ReviewService, dict[str, UserView], int]]:
    service, users, report_id = seed(db_url, tmp_path / "out")
    yield service, users, report_id
    service.engine.dispose()
