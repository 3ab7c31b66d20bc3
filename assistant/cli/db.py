"""``db upgrade [--db ADMIN_URL]`` and ``db status [--db URL]``: the review store's schema, run by an administrator.

On PostgreSQL the app and workers connect as the app role (``RA_DATABASE_URL=postgresql://ra_app@host/db``), which
runs no DDL; the schema is upgraded with an administrator URL (``--db`` or ``RA_ADMIN_DATABASE_URL``): a superuser,
or a member of the owner role. On SQLite ``init_db`` upgrades on start as before; this command also works there.
"""

from __future__ import annotations

import argparse

from alembic.runtime.migration import MigrationContext
from rich.console import Console
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError

from assistant.cli.db_args import db_actions
from assistant.errors import ReviewError
from assistant.review.database import (
    head_revision,
    make_engine,
    resolve_admin_url,
    resolve_database_url,
    upgrade_db,
)
from assistant.review.roles import role_names
from assistant.settings import Settings

__all__ = ["HELP", "add_arguments", "run"]

HELP = "审阅库结构：upgrade 用管理员地址升级到最新版本（PostgreSQL 创建所有者与应用角色）；status 查看版本"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    action = db_actions(parser, "db_command",
                        db_help="数据库地址（upgrade 默认 RA_ADMIN_DATABASE_URL，其次 RA_DATABASE_URL / settings）")
    action("upgrade", "升级结构到最新版本（管理员地址）")
    action("status", "查看当前结构版本与连接角色")


def run(args: argparse.Namespace, console: Console) -> int:
    settings = Settings()
    explicit = getattr(args, "db", None)
    if args.db_command == "upgrade":
        url = resolve_admin_url(settings, explicit=explicit)
        before, after = upgrade_db(url)
        shown = make_url(url).render_as_string(hide_password=True)
        if before == after:
            console.print(f"审阅数据库 {shown} 已是最新结构（{after}）", highlight=False)
        else:
            console.print(f"审阅数据库 {shown} 已升级：{before or '（空库）'} → {after}", highlight=False)
        if make_url(url).get_backend_name() == "postgresql":
            owner, app = role_names(settings)
            # The example stands on a line of its own and is never wrapped, so it can be copied whole.
            console.print(f"表归角色 {owner} 所有；应用与工作进程请以 {app} 连接，例如：", highlight=False)
            console.print(f"  RA_DATABASE_URL=postgresql://{app}@<主机>/<库>", highlight=False, soft_wrap=True)
            console.print(f"{app} 的密码由管理员设置：ALTER ROLE {app} PASSWORD '…';", highlight=False,
                          soft_wrap=True, markup=False)
        return 0
    url = resolve_database_url(settings, explicit=explicit)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
            user = (connection.execute(text("SELECT current_user")).scalar()
                    if engine.dialect.name == "postgresql" else None)
    except DatabaseError as exc:
        raise ReviewError(f"无法读取审阅数据库 {engine.url.render_as_string()} 的结构版本："
                          f"{str(exc.orig).strip() or type(exc.orig).__name__}") from None
    finally:
        engine.dispose()
    head = head_revision()
    state = "最新" if current == head else "需要升级：python -m assistant db upgrade --db <管理员连接地址>"
    console.print(f"结构版本 {current or '（空库）'}，程序需要 {head}：{state}", highlight=False)
    if user:
        console.print(f"连接角色：{user}", highlight=False)
    return 0 if current == head else 1

