"""Database adapter: URL resolution, engine creation and ``init_db`` (Alembic ``upgrade head``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.util.exc import CommandError
from filelock import FileLock
from filelock import Timeout as FileLockTimeout
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError

from assistant.errors import ConfigError, ReviewError
from assistant.settings import Settings

__all__ = ["MIGRATIONS_DIR", "alembic_config", "init_db", "make_engine", "resolve_database_url"]

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
        return engine
    return create_engine(url, pool_pre_ping=True)


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


def init_db(url: str | Engine) -> Engine:
    """Bring the schema to the newest migration (``upgrade head``) and return the engine.

    One clear ReviewError for what an operator can meet: a database file that is not SQLite or is damaged, a
    database stamped with a revision this program does not know (made by a newer version), an unreachable server.
    """
    engine = make_engine(url) if isinstance(url, str) else url
    shown = engine.url.render_as_string()
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    try:
        with _migration_lock(engine), engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except CommandError as exc:
        raise ReviewError(f"审阅数据库 {shown} 的结构版本无法识别（{exc}）：它可能由更新版本的程序创建，"
                          "请使用对应版本或联系管理员") from None
    except FileLockTimeout:
        raise ReviewError(f"审阅数据库 {shown} 正由另一进程升级，等待超时，请稍后重试") from None
    except DatabaseError as exc:  # OperationalError included: unreachable server, locked or damaged file
        raise ReviewError(f"无法打开审阅数据库 {shown}：{str(exc.orig).strip() or type(exc.orig).__name__}"
                          "（文件损坏、不是 SQLite 数据库，或服务器不可达）") from None
    return engine
