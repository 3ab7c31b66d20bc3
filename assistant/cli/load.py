"""``load OUT_DIR``: import a drafted output folder (report.json) into the review store."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from assistant.errors import PermissionDenied
from assistant.review import ReviewService, resolve_database_url
from assistant.review.users import list_users

__all__ = ["HELP", "add_arguments", "run"]

HELP = "把起草输出目录（report.json）导入审阅库，每章生成 v1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out_dir", type=Path, help="draft 的输出目录")
    parser.add_argument("--as", dest="as_user", help="以哪个用户（分析师或管理员）的名义导入；默认记为 system")
    parser.add_argument("--db", help="数据库地址（默认 RA_DATABASE_URL / DATABASE_URL / settings）")
    twice = parser.add_mutually_exclusive_group()
    twice.add_argument("--replace", action="store_true", help="该目录已导入过时：替换尚未编辑、审批的那份")
    twice.add_argument("--new", action="store_true", help="该目录已导入过时：另建一份新报告")


def run(args: argparse.Namespace, console: Console) -> int:
    service = ReviewService.open(resolve_database_url(explicit=args.db))
    user = next((u for u in list_users(service.engine) if u.name == args.as_user), None)
    if args.as_user and user is None:
        raise PermissionDenied(f"用户 {args.as_user} 不存在；先用 `users add` 创建")
    mode = "replace" if args.replace else "new" if args.new else "ask"
    report_id = service.import_report(args.out_dir, user, on_duplicate=mode)
    sections = service.sections(report_id)
    console.print(f"已导入报告 #{report_id}：{len(sections)} 个章节，"
                  f"{len(service.sources(report_id))} 条来源", markup=False)
    return 0
