"""Acting as a user from the command line: the user's password, or an administrator's.

A CLI action recorded under a user's name (``jobs submit --as``, ``load --as``, ``jobs cancel``) must be that
user's doing: the password comes from ``--password-file``, else ``RA_PASSWORD``, else a prompt. ``--admin NAME``
acts for the user with an administrator's password instead (audited as ``act_as`` by that administrator).
Passwords go through the sign-in throttle, so guessing from a shell is throttled like guessing in the browser.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from assistant.errors import InputError, PermissionDenied
from assistant.review import audit
from assistant.review.db import User
from assistant.review.sessions import sign_in
from assistant.review.users import lookup_name, user_view
from assistant.review.views import UserView

__all__ = ["add_identity_arguments", "cli_user", "read_password"]


def add_identity_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--password-file", type=Path, help="读取操作人密码的文件（首行）；否则读 RA_PASSWORD，再否则提示输入")
    parser.add_argument("--admin", help="由这位管理员以其密码代为操作（审计记为管理员代办）")


def read_password(args: argparse.Namespace, who: str) -> str:
    path: Path | None = getattr(args, "password_file", None)
    if path is not None:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"密码文件无法读取：{exc}", file=str(path)) from exc
        if not lines or not lines[0]:
            raise InputError("密码文件首行为空", file=str(path))
        return lines[0]
    if os.environ.get("RA_PASSWORD"):
        return os.environ["RA_PASSWORD"]
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(f"{who} 的密码：")
    raise InputError(f"以 {who} 的名义操作需要其密码：用 --password-file、RA_PASSWORD 或在终端中输入", field="password")


def cli_user(engine: Engine, name: str, args: argparse.Namespace) -> UserView:
    """The user ``name`` after proving it: their password, or (``--admin``) an administrator's."""
    admin_name: str | None = getattr(args, "admin", None)
    who = admin_name or name
    result = sign_in(engine, who, read_password(args, who), "cli")
    if result.user is None:
        raise PermissionDenied(result.message or f"{who}：用户名或密码错误")
    if admin_name is None:
        return result.user
    if result.user.role != "admin":
        raise PermissionDenied(f"{result.user.name} 不是管理员，不能代他人操作")
    with Session(engine) as session, session.begin():
        row = session.scalar(select(User).where(User.name == lookup_name(name)))
        if row is None:
            raise PermissionDenied(f"用户 {name} 不存在；先用 `users add` 创建")
        target = user_view(row)
        audit.record(session, result.user, "act_as", "user", row.id, name=row.name, via="cli")
    return target
