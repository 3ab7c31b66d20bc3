"""``worker [--db URL] [--burst]``: run queued jobs (one at a time; start more processes for more at once)."""

from __future__ import annotations

import argparse

from rich.console import Console

from assistant.jobs import STATE_LABELS, queue_location
from assistant.review import resolve_database_url
from assistant.settings import get_settings

__all__ = ["HELP", "add_arguments", "run"]

HELP = "任务工作进程：从队列取出起草 / 重新生成 / 重跑检查任务并执行（可在多台机器上各启动若干个）"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="数据库地址（默认 RA_DATABASE_URL / DATABASE_URL / settings）")
    parser.add_argument("--burst", action="store_true", help="执行完队列中的任务后退出")


def run(args: argparse.Namespace, console: Console) -> int:
    from assistant.jobs.worker import Worker

    url = resolve_database_url(explicit=args.db)
    settings = get_settings()

    def report(job_id: str, state: str | None) -> None:
        if state is not None:
            console.print(f"任务 {job_id}：{STATE_LABELS.get(state, state)}", markup=False, highlight=False)

    worker = Worker(url, settings, on_job=report)
    console.print(f"工作进程 {worker.ident} 已启动，队列：{queue_location(url, settings)}", markup=False, highlight=False)
    ran = worker.run(burst=args.burst)
    console.print(f"工作进程退出，共执行 {ran} 个任务", markup=False)
    return 0
