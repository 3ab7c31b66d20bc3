"""The queue: huey carries "run job X" messages; the job row in the review database is the truth.

Embedded default: the review database is SQLite, so the queue is huey's ``SqliteHuey`` in a file beside it
(``review.db`` -> ``review.queue.db``), no server. Multi-user: the review database is PostgreSQL, so the queue is
huey's ``PostgresHuey`` in the same database (``FOR UPDATE SKIP LOCKED`` dequeue, LISTEN/NOTIFY wake-up), and any
number of ``worker`` processes on any machine that reaches it consume it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from huey import Huey, PostgresHuey, SqliteHuey
from sqlalchemy.engine import make_url

from assistant.errors import ConfigError
from assistant.review.database import normalise_url

__all__ = ["QUEUE_NAME", "JobQueue", "make_huey", "queue_location"]

QUEUE_NAME = "report-assistant-jobs"
TASK_NAME = "assistant.jobs.run_job"


def queue_location(url: str) -> str:
    """Where the queue of the review database ``url`` lives (for messages and the README)."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite":
        return str(_sqlite_queue_file(parsed.database))
    return parsed.render_as_string(hide_password=True)


def _sqlite_queue_file(database: str | None) -> Path:
    if not database or database == ":memory:":
        raise ConfigError("任务队列需要文件形式的 SQLite 审阅库（如 sqlite:///review.db），内存库无法被工作进程共享")
    path = Path(database).expanduser().resolve()
    return path.with_name(path.stem + ".queue.db")


def make_huey(url: str) -> Huey:
    parsed = make_url(normalise_url(url))
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return SqliteHuey(QUEUE_NAME, filename=str(_sqlite_queue_file(parsed.database)), results=False, utc=True)
    if backend == "postgresql":
        # psycopg takes the libpq URI; the query keeps options such as search_path (used by the tests' schemas).
        dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        # The queue's tables come from migration 0006 (owned by the owner role): the app role may not create
        # tables, and huey's "create table if not exists" is refused for want of CREATE even when they exist.
        return PostgresHuey(QUEUE_NAME, dsn=dsn, results=False, utc=True, read_timeout=1, create_tables=False)
    raise ConfigError(f"任务队列不支持数据库 {backend}（支持 SQLite 与 PostgreSQL）")


class JobQueue:
    """Send job ids to the queue; in a worker, ``runner`` is called with each job id taken off it."""

    def __init__(self, url: str, runner: Callable[[str], None] | None = None) -> None:
        self.huey = make_huey(url)
        self._runner = runner
        self._task = self.huey.task(name=TASK_NAME, retries=0)(self._run)

    def _run(self, job_id: str) -> None:
        if self._runner is not None:
            self._runner(job_id)

    def send(self, job_id: str) -> None:
        self._task(job_id)

    def pending(self) -> int:
        return int(self.huey.pending_count())

    def close(self) -> None:
        self.huey.storage.close()
