"""``users add NAME --role ROLE [--password P]`` and ``users list``: manage review-store accounts."""

from __future__ import annotations

import argparse
import getpass
import os

from rich.console import Console
from rich.table import Table

from assistant.cli.db_args import db_actions
from assistant.errors import InputError
from assistant.review import add_user, init_db, list_users, resolve_database_url, set_active
from assistant.review.db import ROLES
from assistant.review.policy import ROLE_LABELS

__all__ = ["HELP", "add_arguments", "run"]

HELP = "管理审阅系统用户（add / list / disable / enable）"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    action = db_actions(parser, "users_command")
    add = action("add", "新增用户")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--password", help="不给出时读取 RA_PASSWORD，否则交互输入")
    action("list", "列出用户")
    for name in ("disable", "enable"):
        action(name, "停用用户" if name == "disable" else "启用用户").add_argument("name")


def _password(args: argparse.Namespace) -> str:
    if args.password:
        return str(args.password)
    if os.environ.get("RA_PASSWORD"):
        return os.environ["RA_PASSWORD"]
    first = getpass.getpass("密码: ")
    if first != getpass.getpass("再次输入密码: "):
        raise InputError("两次输入的密码不一致", field="password")
    return first


def _print_users(engine_url: str, console: Console) -> None:
    table = Table("用户", "角色", "状态")
    for user in list_users(init_db(engine_url)):
        table.add_row(user.name, ROLE_LABELS.get(user.role, user.role), "启用" if user.active else "停用")
    console.print(table)


def run(args: argparse.Namespace, console: Console) -> int:
    url = resolve_database_url(explicit=args.db)
    if args.users_command == "list":
        _print_users(url, console)
        return 0
    engine = init_db(url)
    if args.users_command == "add":
        user = add_user(engine, args.name, args.role, _password(args))
        console.print(f"已新增用户 {user.name}（{ROLE_LABELS[user.role]}）", markup=False)
        return 0
    user = set_active(engine, args.name, args.users_command == "enable")
    console.print(f"用户 {user.name} 已{'启用' if user.active else '停用'}", markup=False)
    return 0
