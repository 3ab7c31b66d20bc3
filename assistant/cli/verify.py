"""``verify [--db URL] [--anchor HEAD]``: check the review store's integrity.

- the audit chain (keyed HMAC seals: forged, altered, inserted, foreign-keyed rows and gaps where rows were
  deleted), against every head kept in the anchor file and the one given with ``--anchor``;
- every current sign-off (the keyed hash of each signed text, and its sealed audit entry);
- review state recomputed from the log (a section status or an open finding changed behind the service's back).

Prints the chain head (``<row id>:<value>``) for keeping outside the store and appends it to the anchor file.
Exit code 0 when all is intact, 1 when anything is reported.
"""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from assistant.review import init_db, resolve_database_url
from assistant.review.audit import ChainProblem, verify_chain
from assistant.review.auditkey import anchor_path, append_anchor, parse_head, read_anchors
from assistant.review.replay import check_state
from assistant.review.signing import check_signoffs

__all__ = ["HELP", "add_arguments", "run"]

HELP = "校验审阅库完整性：审计日志密钥链、锚点、签字内容哈希与由日志推算的审阅状态"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="数据库地址（默认 RA_DATABASE_URL / DATABASE_URL / settings）")
    parser.add_argument("--anchor", action="append", default=[], metavar="HEAD",
                        help="另行保存的链头（<记录 id>:<链值>，verify 之前输出的），核对其仍在链中；可给多次")


def run(args: argparse.Namespace, console: Console) -> int:
    given = [parse_head(h) for h in args.anchor]
    engine = init_db(resolve_database_url(explicit=args.db))
    try:
        path = anchor_path(engine)
        kept = read_anchors(path) if path is not None else []
        with Session(engine) as session:
            chain = verify_chain(session)
            signoffs = check_signoffs(session)
            state = check_state(session)
    finally:
        engine.dispose()
    problems: list[ChainProblem] = list(chain.problems)
    problems += [p for p in (chain.check_anchor(h) for h in [*kept, *given]) if p is not None]
    if problems:
        table = Table(title="审计日志异常")
        for col in ("记录 id", "动作", "问题"):
            table.add_column(col)
        for p in problems:
            table.add_row(str(p.row_id), p.action, p.problem)
        console.print(table)
    for s in signoffs:
        console.print(f"[red]签字异常[/] 报告 {s.report_id} 章节 {s.section_id}：{s.problem}", highlight=False)
    for st in state:
        console.print(f"[red]状态异常[/] {st.problem}", highlight=False, markup=False)
    ok = not problems and not signoffs and not state
    if chain.legacy:
        console.print(f"另有 {chain.legacy} 条 0007 之前的记录只有未加密钥的哈希（可被重算），仅作参考", highlight=False)
    status = "[green]完整[/]" if ok else "[red]发现问题[/]"
    console.print(f"审计日志 {chain.count} 条，异常 {len(problems)} 条；签字异常 {len(signoffs)} 处；"
                  f"状态异常 {len(state)} 处。{status}", highlight=False)
    if chain.head is not None:
        console.print(f"链头（请另行保存，以后用 --anchor 核对）：{chain.head}", highlight=False, markup=False,
                      soft_wrap=True)
        if ok and path is not None:  # only a head verify found intact is worth keeping
            append_anchor(path, chain.head, reason="verify")
    return 0 if ok else 1
