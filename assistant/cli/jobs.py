"""``jobs submit|list|show|cancel|retry``: drafting (and other long work) through the job queue."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table

from assistant.cli.acting import add_identity_arguments, cli_user
from assistant.cli.db_args import db_actions
from assistant.errors import ConfigError
from assistant.jobs import JobService, SectionProgress, sample_inputs
from assistant.jobs.service import transport_label
from assistant.jobs.views import SECTION_LABELS
from assistant.review import resolve_database_url
from assistant.review.views import UserView

__all__ = ["HELP", "add_arguments", "run"]

HELP = "任务队列：提交起草任务、查看进度、取消或重试（由 worker 进程执行）"
_PLAIN_VERBS = frozenset({"", "完成", "起草", "起草中", "开始起草", "等待", "失败", "已完成"})


def add_arguments(parser: argparse.ArgumentParser) -> None:
    action = db_actions(parser, "jobs_command")
    submit = action("submit", "提交起草任务，打印任务 id")
    submit.add_argument("--sample", action="store_true", help="使用内置样例数据包与语料")
    submit.add_argument("--pack", type=Path, help="行情数据包目录（含 pack.yaml）")
    submit.add_argument("--corpus", type=Path, help="新闻语料 .jsonl / .csv / 目录")
    submit.add_argument("--as", dest="as_user", required=True, help="提交人（分析师或管理员；需其密码）")
    add_identity_arguments(submit)
    submit.add_argument("--sections", help="只起草这些章节，逗号分隔的 id")
    submit.add_argument("--engine", choices=["offline", "openai"], help="起草引擎")
    submit.add_argument("--store", type=Path, help="共用的、已导入语料的向量库目录（默认每个任务各自新建）")
    listing = action("list", "列出任务（最新在前）")
    listing.add_argument("--state", choices=["queued", "running", "done", "failed", "cancelled"])
    listing.add_argument("--limit", type=int, default=50)
    show = action("show", "查看一个任务：状态、逐章进度、输出目录、导入的报告")
    show.add_argument("job_id")
    show.add_argument("--json", action="store_true", help="输出 JSON")
    transport = action("transport", "查看本审阅库的任务队列传输方式；--adopt 由管理员改用本进程的设置")
    transport.add_argument("--adopt", action="store_true", help="改用本进程的队列设置（RA_JOBS_QUEUE_URL），排队中的任务重新发送")
    transport.add_argument("--as", dest="as_user", help="管理员（--adopt 时必填；需其密码）")
    add_identity_arguments(transport)
    for name, text in (("cancel", "取消任务（排队中立即取消，运行中在下一步停止）"), ("retry", "重试失败或已取消的任务")):
        p = action(name, text)
        p.add_argument("job_id")
        p.add_argument("--as", dest="as_user", help="操作人（默认任务的提交人；需其密码）")
        add_identity_arguments(p)


def _user(service: JobService, name: str, args: argparse.Namespace) -> UserView:
    """The acting user, proven by their password or an administrator's (``assistant.cli.acting``)."""
    return cli_user(service.engine, name, args)


def _submit(service: JobService, args: argparse.Namespace, console: Console) -> int:
    if args.sample:
        pack, corpus = sample_inputs()
    elif args.pack is None or args.corpus is None:
        raise ConfigError("请同时给出 --pack 与 --corpus，或使用 --sample")
    else:
        pack, corpus = args.pack, args.corpus
    sections = [s.strip() for s in args.sections.split(",") if s.strip()] if args.sections else None
    job_id = service.submit_draft(_user(service, args.as_user, args), pack=pack, corpus=corpus, sections=sections,
                                  engine=args.engine, store_dir=args.store)
    console.print(job_id, markup=False, highlight=False)
    return 0


def _list(service: JobService, args: argparse.Namespace, console: Console) -> int:
    # Fits 80 columns: the id (which ``jobs show`` takes) is never cut, the other columns wrap or fold first.
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    table.add_column("任务", no_wrap=True, min_width=16)
    for name in ("类型", "提交人", "状态", "进度", "报告"):
        table.add_column(name, overflow="fold")
    table.add_column("提交时间", no_wrap=True)
    states = (args.state,) if args.state else None
    for job in service.jobs(states=states, limit=args.limit):
        table.add_row(job.id, job.kind_label, job.owner, job.state_label, job.progress_label,
                      f"#{job.report_id}" if job.report_id else "", f"{job.created_at.astimezone():%m-%d %H:%M}")
    console.print(table)
    return 0


def _detail(section: SectionProgress) -> str:
    """What a section's last message adds beyond its title and state (a failure's reason), else nothing."""
    text = section.message.replace(section.title, "") if section.title else section.message
    text = text.strip(" ：:·")
    return "" if text in _PLAIN_VERBS else text


def _show(service: JobService, args: argparse.Namespace, console: Console) -> int:
    job = service.job(args.job_id)
    if args.json:
        console.print_json(json.dumps(job.model_dump(mode="json"), ensure_ascii=False))
        return 0
    console.print(f"任务 {job.id}（{job.kind_label}，提交人 {job.owner}）：{job.state_label}", markup=False)
    console.print(f"当前：{job.message}", markup=False)
    if job.out_dir:
        console.print(f"输出目录：{job.out_dir}", markup=False)
    if job.report_id:
        console.print(f"已导入报告 #{job.report_id}", markup=False)
    if job.error:
        console.print(f"错误：{job.error}", markup=False, style="red")
    if job.sections:
        console.print(f"进度：{job.progress_label}", markup=False)
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
        table.add_column("章节", overflow="fold")
        table.add_column("状态", no_wrap=True)
        table.add_column("说明", overflow="fold")
        for s in job.sections:
            table.add_row(s.title or s.id, SECTION_LABELS.get(s.status, s.status), _detail(s))
        console.print(table)
    return 0


def _transport(service: JobService, args: argparse.Namespace, console: Console) -> int:
    if args.adopt:
        if not args.as_user:
            raise ConfigError("--adopt 需要 --as 管理员")
        now = service.adopt_transport(_user(service, args.as_user, args))
        console.print(f"本审阅库的任务改经 {transport_label(now)} 传递；排队中的任务将由工作进程重新发送", markup=False)
        return 0
    console.print(f"本审阅库的任务经 {transport_label(service.agree_transport())} 传递（本进程设置一致）", markup=False)
    return 0


def run(args: argparse.Namespace, console: Console) -> int:
    service = JobService.open(resolve_database_url(explicit=args.db))
    command = args.jobs_command
    if command == "submit":
        return _submit(service, args, console)
    if command == "list":
        return _list(service, args, console)
    if command == "show":
        return _show(service, args, console)
    if command == "transport":
        return _transport(service, args, console)
    job = service.job(args.job_id)
    user = _user(service, args.as_user or job.owner, args)
    done = service.cancel(job.id, user) if command == "cancel" else service.retry(job.id, user)
    console.print(f"任务 {done.id}：{done.state_label}", markup=False)
    return 0
