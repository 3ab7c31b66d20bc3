"""Database adapter: URL resolution, engine creation and ``init_db`` (Alembic ``upgrade head``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from filelock import FileLock
from filelock import Timeout as FileLockTimeout
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError

from assistant.errors import ConfigError, DatabaseFullError, ReviewError
from assistant.review.roles import can_run_ddl, role_names
from assistant.settings import Settings

__all__ = [
    "MIGRATIONS_DIR",
    "UPGRADE_COMMAND",
    "alembic_config",
    "head_revision",
    "init_db",
    "make_engine",
    "resolve_admin_url",
    "resolve_database_url",
    "upgrade_db",
]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def resolve_database_url(settings: Settings | None = None, *, explicit: str | None = None) -> str:
    """``explicit`` > ``RA_DATABASE_URL`` > ``DATABASE_URL`` > the settings default (SQLite file)."""
    if explicit:
        url = explicit
    elif os.environ.get("RA_DATABASE_URL"):
        url = os.environ["RA_DATABASE_URL"]
    elif os.environ.get("DATABASE_URL"):
        url = os.environ["DATABASE_URL"]
    else:
        url = (settings or Settings()).database_url
    return normalise_url(url)


def resolve_admin_url(settings: Settings | None = None, *, explicit: str | None = None) -> str:
    """The URL migrations run with: ``explicit`` > ``RA_ADMIN_DATABASE_URL`` (setting ``admin_database_url``) >
    the app's own URL (fine for SQLite and for a single-role PostgreSQL set-up)."""
    if explicit:
        return normalise_url(explicit)
    admin = (settings or Settings()).admin_database_url
    return normalise_url(admin) if admin else resolve_database_url(settings)


def normalise_url(url: str) -> str:
    """Plain ``postgresql://`` URLs would ask for psycopg2, which is not a dependency: use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if "://" not in url:  # a bare path means an SQLite file
        url = f"sqlite:///{Path(url).expanduser()}"
    return url


def _enable_sqlite_foreign_keys(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets foreign keys on and a busy timeout so two UI sessions can share it."""
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"数据库地址无效: {url}") from exc
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    event.listen(engine, "handle_error", _disk_full)
    return engine


_DISK_FULL = ("database or disk is full", "no space left on device", "could not extend file", "disk full")


def _disk_full(context: Any) -> DatabaseFullError | None:
    """A full disk under SQLite or PostgreSQL becomes one ``DiskFullError`` (the transaction is rolled back, so
    nothing half-saved) instead of a driver traceback."""
    message = str(context.original_exception).lower()
    if any(m in message for m in _DISK_FULL):
        return DatabaseFullError(context.engine.url.render_as_string(hide_password=True) if context.engine else "数据库",
                             "数据库")
    return None


def alembic_config(url: str) -> Config:
    """An Alembic config built in code, so no ``alembic.ini`` is needed anywhere."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


_PG_MIGRATION_LOCK = 0x5241_4D47  # "RAMG": one advisory lock id for schema upgrades


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """Two processes starting on a fresh database must not both create the schema: upgrades run one at a time.

    PostgreSQL: a session advisory lock (held on the migrating connection). SQLite: a lock file beside the
    database file (SQLite's own locking only starts with the first write, too late for ``CREATE TABLE``).
    """
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        with FileLock(f"{database}.migrate.lock", timeout=120):
            yield
    else:
        yield


UPGRADE_COMMAND = "python -m assistant db upgrade --db <管理员连接地址>"
_INSUFFICIENT_PRIVILEGE = "42501"


@lru_cache(maxsize=1)
def _scripts() -> tuple[str | None, frozenset[str]]:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return script.get_current_head(), frozenset(s.revision for s in script.walk_revisions())


def head_revision() -> str:
    """The newest migration this program ships."""
    head = _scripts()[0]
    if head is None:  # the package was installed without its migrations
        raise ReviewError(f"找不到数据库迁移脚本（{MIGRATIONS_DIR}）")
    return head


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _unknown_revision(shown: str, detail: str) -> ReviewError:
    return ReviewError(f"审阅数据库 {shown} 的结构版本无法识别（{detail}）：它可能由更新版本的程序创建，"
                       "请使用对应版本或联系管理员")


def _needs_upgrade(shown: str, user: str, state: str) -> ReviewError:
    return ReviewError(f"审阅数据库 {shown} {state}，本程序需要 {head_revision()}；当前连接角色 {user} 无权修改结构"
                       f"（应用角色只读写数据）。请管理员用管理员账号升级：{UPGRADE_COMMAND}"
                       "（或设置 RA_ADMIN_DATABASE_URL 后运行 python -m assistant db upgrade），然后重新启动")


def _pg_ready(engine: Engine, shown: str) -> bool:
    """PostgreSQL before any lock: True when the schema is already at head (the app role needs nothing more).

    When it is not and the connected role may not run DDL (the app role), one message naming the upgrade
    command, rather than a migration failing half-way on "must be owner".
    """
    with engine.connect() as connection:
        may_migrate, user = can_run_ddl(connection, role_names()[1])
        try:
            current = _current_revision(connection)
        except DatabaseError as exc:
            if getattr(exc.orig, "sqlstate", None) != _INSUFFICIENT_PRIVILEGE:
                raise
            raise _needs_upgrade(shown, user, "的结构版本无法读取（该角色无权读取 alembic_version）") from None
    if current == head_revision():
        return True
    if current is not None and current not in _scripts()[1]:
        raise _unknown_revision(shown, f"Can't locate revision identified by '{current}'")
    if not may_migrate:
        raise _needs_upgrade(shown, user, f"的结构版本为 {current}" if current else "尚未建立结构")
    return False


def _upgrade(engine: Engine, shown: str) -> None:
    """``upgrade head`` under the migration lock, with one ReviewError for each failure an operator can meet."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    try:
        with _migration_lock(engine), engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except CommandError as exc:
        raise _unknown_revision(shown, str(exc)) from None
    except FileLockTimeout:
        raise ReviewError(f"审阅数据库 {shown} 正由另一进程升级，等待超时，请稍后重试") from None
    except DatabaseError as exc:  # OperationalError included: unreachable server, locked or damaged file
        if getattr(exc.orig, "sqlstate", None) == _INSUFFICIENT_PRIVILEGE:
            raise ReviewError(f"升级审阅数据库 {shown} 的结构被拒绝（{str(exc.orig).strip()}）：需要超级用户或"
                              f"表所有者角色的成员。请用管理员账号运行：{UPGRADE_COMMAND}") from None
        raise ReviewError(f"无法打开审阅数据库 {shown}：{str(exc.orig).strip() or type(exc.orig).__name__}"
                          "（文件损坏、不是 SQLite 数据库，或服务器不可达）") from None


def init_db(url: str | Engine) -> Engine:
    """Bring the schema to the newest migration (``upgrade head``) and return the engine.

    One clear ReviewError for what an operator can meet: a database file that is not SQLite or is damaged, a
    database stamped with a revision this program does not know (made by a newer version), an unreachable server,
    and on PostgreSQL a schema behind this program while connected as the app role, which runs no DDL (the
    administrator upgrades it: ``python -m assistant db upgrade``).
    """
    engine = make_engine(url) if isinstance(url, str) else url
    shown = engine.url.render_as_string()
    if engine.dialect.name == "postgresql":
        try:
            if _pg_ready(engine, shown):
                return engine
        except DatabaseError as exc:
            raise ReviewError(f"无法打开审阅数据库 {shown}：{str(exc.orig).strip() or type(exc.orig).__name__}"
                              "（服务器不可达或拒绝连接）") from None
    _upgrade(engine, shown)
    return engine


def upgrade_db(url: str | Engine) -> tuple[str | None, str | None]:
    """The administrator's upgrade (``python -m assistant db upgrade``): ``(revision before, revision after)``."""
    engine = make_engine(url) if isinstance(url, str) else url
    shown = engine.url.render_as_string()
    try:
        with engine.connect() as connection:
            before = _current_revision(connection)
        _upgrade(engine, shown)
        with engine.connect() as connection:
            after = _current_revision(connection)
    except DatabaseError as exc:
        raise ReviewError(f"无法打开审阅数据库 {shown}：{str(exc.orig).strip() or type(exc.orig).__name__}") from None
    finally:
        if isinstance(url, str):
            engine.dispose()
    return before, after
