"""``load OUT_DIR``: import a drafted output folder (report.json) into the review store."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from assistant.cli.acting import add_identity_arguments, cli_user
from assistant.review import ReviewService, resolve_database_url

__all__ = ["HELP", "add_arguments", "run"]

HELP = "把起草输出目录（report.json）导入审阅库，每章生成 v1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out_dir", type=Path, help="draft 的输出目录")
    parser.add_argument("--as", dest="as_user", help="以哪个用户（分析师或管理员）的名义导入（需其密码）；默认记为 system")
    add_identity_arguments(parser)
    parser.add_argument("--db", help="数据库地址（默认 RA_DATABASE_URL / DATABASE_URL / settings）")
    twice = parser.add_mutually_exclusive_group()
    twice.add_argument("--replace", action="store_true", help="该目录已导入过时：替换尚未编辑、审批的那份")
    twice.add_argument("--new", action="store_true", help="该目录已导入过时：另建一份新报告")


def run(args: argparse.Namespace, console: Console) -> int:
    service = ReviewService.open(resolve_database_url(explicit=args.db))
    user = cli_user(service.engine, args.as_user, args) if args.as_user else None
    mode = "replace" if args.replace else "new" if args.new else "ask"
    report_id = service.import_report(args.out_dir, user, on_duplicate=mode)
    sections = service.sections(report_id)
    console.print(f"已导入报告 #{report_id}：{len(sections)} 个章节，"
                  f"{len(service.sources(report_id))} 条来源", markup=False)
    return 0
