"""Jobs fixtures: a review store on SQLite and on PostgreSQL (fresh schema per test), users, a shared news store.

Worker processes are real (``python -m assistant worker``); they draft with the offline engine and the hashing
embedding into a store ingested once per session, so a job spends its time drafting, not embedding.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from jobs_support import ROOT, WorkerFactory, make_users

sys.path.insert(0, str(ROOT / "tests" / "review"))

from review_factories import PASSWORD

from assistant.jobs import JobService
from assistant.review import UserView
from assistant.review.users import hash_password
from assistant.settings import get_settings

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _pg_admin():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", autocommit=True, connect_timeout=3)


@pytest.fixture(scope="session")
def pg_prefix() -> Iterator[str]:
    import psycopg

    try:
        conn = _pg_admin()
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    prefix = f"ra_jobs_{uuid.uuid4().hex[:8]}"
    yield prefix
    with conn:
        for (name,) in conn.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s",
                                    (prefix + "%",)).fetchall():
            conn.execute(f'DROP SCHEMA "{name}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'review.db'}"
    schema = f"{request.getfixturevalue('pg_prefix')}_{uuid.uuid4().hex[:6]}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


@pytest.fixture
def job_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Settings for this test's jobs: folders under tmp_path, short leases so abandonment shows within seconds."""
    env = {"RA_JOBS_DIR": str(tmp_path / "jobs"), "RA_JOBS_HEARTBEAT_S": "0.5", "RA_JOBS_LEASE_S": "8",
           "RA_ENGINE": "offline", "RA_EMBEDDING": "hash", "RA_MAX_CONCURRENCY": "1"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
def jobs(db_url: str, job_env: dict[str, str], password_hash: str) -> Iterator[tuple[JobService, dict[str, UserView]]]:
    service = JobService.open(db_url, settings=get_settings())
    users = make_users(service.engine, password_hash)
    yield service, users
    service.queue.close()
    service.engine.dispose()


@pytest.fixture(scope="session")
def shared_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus ingested once (hash embedding); jobs given ``store_dir`` find every item unchanged."""
    from assistant.jobs import sample_inputs
    from assistant.store import ingest

    store = tmp_path_factory.mktemp("store")
    ingest(sample_inputs()[1], get_settings(store_dir=store, embedding="hash"))
    return store


@pytest.fixture
def start_worker(db_url: str, job_env: dict[str, str], tmp_path: Path) -> Iterator[WorkerFactory]:
    procs: list[subprocess.Popen[bytes]] = []

    def start(*, burst: bool = True, name: str = "w") -> subprocess.Popen[bytes]:
        env = dict(os.environ, **job_env, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
        args = [sys.executable, "-m", "assistant", "worker", "--db", db_url] + (["--burst"] if burst else [])
        log = (tmp_path / f"{name}-{len(procs)}.log").open("wb")
        proc = subprocess.Popen(args, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
