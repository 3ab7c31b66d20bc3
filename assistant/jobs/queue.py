"""The queue: huey carries "run job X" messages; the job row in the review database is the truth.

Embedded default: the review database is SQLite, so the queue is huey's ``SqliteHuey`` in a file beside it
(``review.db`` -> ``review.queue.db``), no server. Multi-user: the review database is PostgreSQL, so the queue is
huey's ``PostgresHuey`` in the same database (``FOR UPDATE SKIP LOCKED`` dequeue, LISTEN/NOTIFY wake-up), and any
number of ``worker`` processes on any machine that reaches it consume it. Optionally (``jobs_queue_url =
redis://...``) the messages go through Redis (huey's ``RedisHuey``) while the job rows stay in the review database:
a deployment that already runs Redis takes the polling load off its database.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from huey import Huey, PostgresHuey, SqliteHuey
from sqlalchemy.engine import make_url

from assistant.errors import ConfigError
from assistant.jobs.errors import QueueUnavailable
from assistant.review.database import normalise_url
from assistant.settings import Settings, get_settings

__all__ = ["QUEUE_NAME", "JobQueue", "make_huey", "queue_location", "transport_name"]

QUEUE_NAME = "report-assistant-jobs"
TASK_NAME = "assistant.jobs.run_job"


def _redis_url(settings: Settings) -> str | None:
    secret = settings.jobs_queue_url
    value = secret.get_secret_value().strip() if secret is not None else ""
    if not value:
        return None
    if not value.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"jobs_queue_url（RA_JOBS_QUEUE_URL）只支持 Redis 地址（redis://主机:6379/0），收到 "
                          f"{_without_password(value)}")
    return value


def _without_password(value: str) -> str:
    """A queue address for messages, without its password."""
    head, sep, tail = value.rpartition("@")
    if not sep:
        return value
    scheme, _, _auth = head.partition("://")
    return f"{scheme}://***@{tail}"


def queue_location(url: str, settings: Settings | None = None) -> str:
    """Where the queue of the review database ``url`` lives (for messages and the README)."""
    redis = _redis_url(settings or get_settings())
    if redis is not None:
        return _without_password(redis)
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite":
        return str(_sqlite_queue_file(parsed.database))
    return parsed.render_as_string(hide_password=True)


def transport_name(settings: Settings) -> str:
    """The transport every submitter and worker of one review database must share (stored with the database):
    ``database`` (the queue beside the review database) or the Redis address without its password."""
    redis = _redis_url(settings)
    return _without_password(redis) if redis is not None else "database"


def _sqlite_queue_file(database: str | None) -> Path:
    if not database or database == ":memory:":
        raise ConfigError("任务队列需要文件形式的 SQLite 审阅库（如 sqlite:///review.db），内存库无法被工作进程共享")
    path = Path(database).expanduser().resolve()
    return path.with_name(path.stem + ".queue.db")


def _redis_huey(name: str, redis_url: str) -> Huey:
    try:
        from huey import RedisHuey
        from huey.exceptions import ConfigurationError
    except ImportError as exc:  # pragma: no cover - huey always ships RedisHuey
        raise ConfigError(f"huey 不支持 Redis：{exc}") from exc
    try:
        return RedisHuey(name, url=redis_url, results=False, utc=True, blocking=True, read_timeout=1)
    except ConfigurationError as exc:  # huey says so when the redis client library is absent
        raise ConfigError(f"任务队列配置为 Redis（{_without_password(redis_url)}），但没有安装 Python 包 redis："
                          f"请运行 pip install 'report-assistant[redis]'（或 pip install redis）") from exc


def make_huey(url: str, settings: Settings | None = None) -> Huey:
    settings = settings or get_settings()
    name = settings.jobs_queue_name or QUEUE_NAME
    redis = _redis_url(settings)
    if redis is not None:
        return _redis_huey(name, redis)
    parsed = make_url(normalise_url(url))
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return SqliteHuey(name, filename=str(_sqlite_queue_file(parsed.database)), results=False, utc=True)
    if backend == "postgresql":
        # psycopg takes the libpq URI; the query keeps options such as search_path (used by the tests' schemas).
        dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        # The queue's tables come from migration 0006 (owned by the owner role): the app role may not create
        # tables, and huey's "create table if not exists" is refused for want of CREATE even when they exist.
        return PostgresHuey(name, dsn=dsn, results=False, utc=True, read_timeout=1, create_tables=False)
    raise ConfigError(f"任务队列不支持数据库 {backend}（支持 SQLite 与 PostgreSQL，或用 RA_JOBS_QUEUE_URL 指定 Redis）")


class JobQueue:
    """Send job ids to the queue; in a worker, ``runner`` is called with each job id taken off it."""

    def __init__(self, url: str, runner: Callable[[str], None] | None = None, *,
                 settings: Settings | None = None) -> None:
        self.huey = make_huey(url, settings)
        self.location = queue_location(url, settings)
        self._runner = runner
        self._task = self.huey.task(name=TASK_NAME, retries=0)(self._run)

    def _run(self, job_id: str) -> None:
        if self._runner is not None:
            self._runner(job_id)

    def send(self, job_id: str) -> None:
        try:
            self._task(job_id)
        except Exception as exc:  # each transport's client raises its own errors (redis, psycopg, sqlite3)
            raise self._unavailable(exc) from exc

    def ping(self) -> None:
        """Reach the transport once, so that a wrong address is one message at start, not a traceback later."""
        try:
            conn = getattr(self.huey.storage, "conn", None)
            if conn is not None and hasattr(conn, "ping"):
                conn.ping()
            else:
                self.huey.pending_count()
        except Exception as exc:  # as in send: the client's own error classes
            raise self._unavailable(exc) from exc

    def _unavailable(self, exc: Exception) -> QueueUnavailable:
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        return QueueUnavailable(f"无法连接任务队列 {self.location}：{reason}。任务未提交，请检查队列地址"
                                f"（RA_JOBS_QUEUE_URL）或服务是否在运行")

    def pending(self) -> int:
        return int(self.huey.pending_count())

    def close(self) -> None:
        self.huey.storage.close()
