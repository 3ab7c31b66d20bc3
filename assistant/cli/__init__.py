"""``report-assistant`` / ``python -m assistant``: a thin dispatcher over one module per command.

Each command module exposes ``HELP: str``, ``add_arguments(parser)`` and ``run(args, console) -> int``.
Modules are imported lazily so that ``tables`` does not pay for importing Chroma or Streamlit.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.text import Text

from assistant.atomic import disk_full
from assistant.errors import AssistantError
from assistant.safety import visible_controls

__all__ = ["COMMANDS", "main"]

COMMANDS: dict[str, str] = {
    "tables": "assistant.cli.tables",
    "ingest": "assistant.cli.ingest",
    "search": "assistant.cli.search",
    "draft": "assistant.cli.draft",
    "check": "assistant.cli.check",
    "users": "assistant.cli.users",
    "load": "assistant.cli.load",
    "ui": "assistant.cli.ui",
    "jobs": "assistant.cli.jobs",
    "worker": "assistant.cli.worker",
    "verify": "assistant.cli.verify",
    "db": "assistant.cli.db",
}

# One line per command for the top-level --help, without importing every command module.
SUMMARIES: dict[str, str] = {
    "tables": "计算数据包的全部行情表格与图表",
    "ingest": "把新闻语料导入向量库",
    "search": "在向量库中混合检索新闻",
    "draft": "起草整篇报告（--sample 使用内置 2024 年 7 月样例）",
    "check": "对已起草的报告做合规检查",
    "users": "管理审阅系统用户",
    "load": "把已起草的报告导入审阅库",
    "ui": "启动 Streamlit 审阅界面",
    "jobs": "任务队列：提交起草任务、查看进度、取消或重试",
    "worker": "任务工作进程：执行队列中的起草等任务",
    "verify": "校验审阅库完整性（审计日志哈希链、签字内容哈希）",
    "db": "审阅库结构升级（管理员地址）与版本查看",
}


def _build_parser(command: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="report-assistant", description="研报起草助手")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        if name != command:
            sub.add_parser(name, help=SUMMARIES[name])
            continue
        module = importlib.import_module(module_name)
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
    return parser


class SafeConsole(Console):
    """A console that never writes a control character it was given: file names, titles and messages from data
    (``ingest`` prints file names) could carry terminal escape sequences; they are shown escaped (``\\x1b``)."""

    def render_str(self, text: str, *args: Any, **kwargs: Any) -> Text:
        return super().render_str(visible_controls(text), *args, **kwargs)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in args_list if not a.startswith("-")), None)
    if command not in COMMANDS:
        command = None
    parser = _build_parser(command)
    args = parser.parse_args(args_list)
    if args.command is None:
        parser.print_help()
        return 2
    console = SafeConsole(stderr=False)
    err = SafeConsole(stderr=True)
    module = importlib.import_module(COMMANDS[args.command])
    try:
        return int(module.run(args, console))
    except AssistantError as exc:
        err.print("[bold red]错误[/]:", end=" ")
        err.print(str(exc), markup=False, highlight=False, soft_wrap=True)  # addresses in it stay whole
        return 1
    except OSError as exc:  # a disk, permission or missing-file problem: one line naming the path, no traceback
        full = disk_full(exc, exc.filename or "")
        err.print("[bold red]错误[/]:", end=" ")
        err.print(str(full) if full else f"无法读写 {exc.filename or ''}：{exc.strerror or exc}", markup=False,
                  highlight=False)
        return 1
    except KeyboardInterrupt:
        err.print("已中断")
        return 130
