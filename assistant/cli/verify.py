"""``verify [--db URL]``: check the review store's integrity — the audit chain and every current sign-off.

Reports audit rows that were forged (no or a wrong chain seal), altered, or that follow a deleted row, and signed
section versions whose text no longer matches the hash stored with the sign-off. Exit code 0 when all is intact,
1 when anything is reported.
"""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from assistant.review import init_db, resolve_database_url
from assistant.review.audit import verify_chain
from assistant.review.signing import check_signoffs

__all__ = ["HELP", "add_arguments", "run"]

HELP = "校验审阅库完整性：审计日志哈希链与签字内容哈希"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="数据库地址（默认 RA_DATABASE_URL / DATABASE_URL / settings）")


def run(args: argparse.Namespace, console: Console) -> int:
    engine = init_db(resolve_database_url(explicit=args.db))
    try:
        with Session(engine) as session:
            count, chain = verify_chain(session)
            signoffs = check_signoffs(session)
    finally:
        engine.dispose()
    if chain:
        table = Table(title="审计日志异常")
        for col in ("记录 id", "动作", "问题"):
            table.add_column(col)
        for p in chain:
            table.add_row(str(p.row_id), p.action, p.problem)
        console.print(table)
    for s in signoffs:
        console.print(f"[red]签字异常[/] 报告 {s.report_id} 章节 {s.section_id}：{s.problem}", highlight=False)
    status = "[green]完整[/]" if not chain and not signoffs else "[red]发现问题[/]"
    console.print(f"审计日志 {count} 条，异常 {len(chain)} 条；签字异常 {len(signoffs)} 处。{status}", highlight=False)
    return 0 if not chain and not signoffs else 1
