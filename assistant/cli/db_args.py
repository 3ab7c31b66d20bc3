"""``--db`` for commands with actions (``users``, ``jobs``, ``db``): accepted before and after the action."""

from __future__ import annotations

import argparse
from collections.abc import Callable

__all__ = ["DB_HELP", "db_actions"]

DB_HELP = "数据库地址（默认 RA_DATABASE_URL / DATABASE_URL / settings）"


def db_actions(parser: argparse.ArgumentParser, dest: str, *,
               db_help: str = DB_HELP) -> Callable[[str, str], argparse.ArgumentParser]:
    """Add ``--db`` and an action sub-parser group under ``dest``; returns ``action(name, help)`` that adds one
    action taking ``--db`` too."""
    parser.add_argument("--db", help=db_help)
    # SUPPRESS keeps an action's parser from overwriting a --db given before the action.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS, help=db_help)
    sub = parser.add_subparsers(dest=dest, metavar="ACTION", required=True)

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, parents=[common])

    return action
