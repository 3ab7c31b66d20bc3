"""Job messages through Redis (``RA_JOBS_QUEUE_URL=redis://...``, huey's RedisHuey) with the job rows still in the
review database: two drafts, one burst worker process, both done and each imported once.

Needs the ``redis`` client package (the ``redis`` extra) and the Redis server at 127.0.0.1:6379; each test uses a
queue name of its own and removes its keys afterwards.
"""

from __future__ import annotations

import importlib.util
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from jobs_support import WorkerFactory, make_users
from sqlalchemy import func, select

from assistant.errors import ConfigError
from assistant.jobs import JobService, queue_location, sample_inputs
from assistant.jobs.queue import make_huey
from assistant.review import UserView
from assistant.review.db import AuditLog, ReportRow
from assistant.settings import get_settings

REDIS = "redis://127.0.0.1:6379/0"
HAS_CLIENT = importlib.util.find_spec("redis") is not None


def test_a_redis_queue_without_the_client_package_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import huey.storage

    monkeypatch.setattr(huey.storage, "Redis", None)  # what huey holds when ``import redis`` failed
    with pytest.raises(ConfigError, match=r"没有安装 Python 包 redis.*pip install"):
        make_huey("sqlite:///x.db", get_settings(jobs_queue_url=REDIS))


def test_queue_url_must_be_redis_and_its_password_is_never_shown() -> None:
    with pytest.raises(ConfigError, match="只支持 Redis"):
        make_huey("sqlite:///x.db", get_settings(jobs_queue_url="amqp://guest:secret@127.0.0.1:5672/"))
    where = queue_location("sqlite:///x.db", get_settings(jobs_queue_url="redis://:s3cret@10.0.0.5:6379/2"))
    assert where == "redis://***@10.0.0.5:6379/2"


@pytest.fixture
def redis_queue(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if not HAS_CLIENT:
        pytest.skip("the redis client package is not installed (pip install 'report-assistant[redis]')")
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=2).close()
    except OSError as exc:
        pytest.skip(f"Redis not reachable: {exc}")
    name = f"ra-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("RA_JOBS_QUEUE_URL", REDIS)
    monkeypatch.setenv("RA_JOBS_QUEUE_NAME", name)
    yield name
    huey = make_huey("sqlite:///unused.db", get_settings())
    huey.storage.flush_all()  # this queue's keys only (they carry its name)
    huey.storage.close()


@pytest.mark.slow
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_two_drafts_through_redis_with_a_burst_worker(redis_queue: str, db_url: str, job_env: dict[str, str],
                                                      password_hash: str, start_worker: WorkerFactory,
                                                      shared_store: Path) -> None:
    service = JobService.open(db_url, settings=get_settings())
    users: dict[str, UserView] = make_users(service.engine, password_hash)
    try:
        assert type(service.queue.huey).__name__ == "RedisHuey"
        pack, corpus = sample_inputs()
        ids = [service.submit_draft(users[name], pack=pack, corpus=corpus, sections=["funding"],
                                    store_dir=shared_store) for name in ("ana", "bo")]
        assert service.queue.pending() == 2  # the messages are in Redis ...
        assert not Path(db_url.removeprefix("sqlite:///")).with_name("review.queue.db").exists()  # ... not SQLite
        worker = start_worker(burst=True)
        assert worker.wait(timeout=240) == 0
        done = [service.job(i) for i in ids]
        assert [j.state for j in done] == ["done", "done"], [(j.id, j.state, j.error) for j in done]
        with service.engine.connect() as conn:
            imports = conn.scalars(select(AuditLog.detail).where(AuditLog.action == "import")).all()
            assert sorted(str(d.get("job_id")) for d in imports) == sorted(ids)  # each imported exactly once
            assert conn.scalar(select(func.count()).select_from(ReportRow)) == 2
        assert service.queue.pending() == 0
    finally:
        service.queue.close()
        service.engine.dispose()
