"""``draft``: draft the whole report (or some sections) from a market data pack and a news corpus."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant import SAMPLE_DIR
from assistant.errors import ConfigError, CorpusError
from assistant.models import Report
from assistant.progress import ProgressEvent
from assistant.safety import visible_controls
from assistant.settings import get_settings

__all__ = ["HELP", "add_arguments", "run"]

HELP = "起草月报：计算行情表格、检索新闻、逐节起草并导出 report.md / report.docx / report.json"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pack", type=Path, default=None, help="行情数据包目录（含 pack.yaml）")
    parser.add_argument("--corpus", type=Path, default=None,
                        help="新闻语料 .jsonl / .csv / 目录；省略时用 --store 中最近导入的语料")
    parser.add_argument("--out", type=Path, required=True, help="输出目录")
    parser.add_argument("--sample", action="store_true", help="使用内置样例数据包与语料")
    parser.add_argument("--engine", choices=["offline", "openai"], default=None,
                        help="起草引擎（默认：配置了 API key 用 openai，否则 offline）")
    parser.add_argument("--sections", default=None, help="只起草这些章节，逗号分隔的 id，如 llm_dynamics,funding")
    parser.add_argument("--store", type=Path, default=None, help="向量库目录（默认在输出目录内新建）")
    parser.add_argument("--force", action="store_true", help="重新起草所有选中章节，即使已有成功的草稿")
    parser.add_argument("--skip-bad", action="store_true",
                        help="跳过无法读取的行或文件（扫描件、损坏文件等）并在导入报告中列出，其余照常起草")


def _inputs(args: argparse.Namespace) -> tuple[Path, Path | None]:
    if args.sample:
        return SAMPLE_DIR / "pack", SAMPLE_DIR / "corpus.jsonl"
    if args.pack is None or (args.corpus is None and args.store is None):
        raise ConfigError("请给出 --pack 与 --corpus（或用 --store 指向已导入语料的向量库），或使用 --sample")
    return args.pack, args.corpus


def _summary(report: Report, out: Path) -> Table:
    table = Table(title=f"{report.month} 草稿（引擎 {report.engine}）→ {out}")
    for col in ("章节", "状态", "引用", "说明"):
        table.add_column(col)
    for s in report.sections:
        status = ("[red]失败[/]" if s.status == "failed" else
                  "[yellow]待复核[/]" if s.answer_check == "needs_review" else "[green]完成[/]")
        note = s.error or "；".join(f.kind for f in s.findings[:3])
        table.add_row(s.title, status, str(len(s.citations)), note)
    return table


def _print_ingest_notes(path: Path, console: Console) -> None:
    """Files left out under --skip-bad and items whose publisher is still to be filled, from the ingestion report."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    for entry in data.get("files", []):
        for refusal in entry.get("refused", []):
            console.print(f"[yellow]已跳过[/] {escape(Path(entry['file']).name)}: {escape(str(refusal.get('reason')))}",
                          highlight=False)
        for item in entry.get("items", []):
            if item.get("source_pending"):
                console.print(f"[yellow]来源待补[/] {escape(Path(entry['file']).name)}: {escape(item.get('title', ''))}",
                              highlight=False)


def run(args: argparse.Namespace, console: Console) -> int:
    from assistant.drafting import draft_report

    pack, corpus = _inputs(args)
    overrides: dict[str, object] = {}
    if args.engine:
        overrides["engine"] = args.engine
    if args.store is not None:
        overrides["store_dir"] = args.store
    settings = get_settings(**overrides)
    sections = [s.strip() for s in args.sections.split(",") if s.strip()] if args.sections else None
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task("准备", total=None)

        def show(event: ProgressEvent) -> None:
            bar.update(task, description=escape(visible_controls(f"[{event.stage}] {event.message}")),
                       completed=event.done, total=event.total)
            if event.stage == "draft" and event.status in ("ok", "failed"):
                mark = "[green]✓[/]" if event.status == "ok" else "[red]✗[/]"
                bar.console.print(f"{mark} {event.item}: {event.message}", highlight=False)

        try:
            report = draft_report(pack, corpus, args.out, settings, sections=sections, force=args.force,
                                  progress=show, skip_bad=args.skip_bad)
        except CorpusError as exc:
            if args.skip_bad:
                raise
            raise CorpusError(f"{exc.reason}（加 --skip-bad 可跳过无法读取的行或文件，其余照常起草）", file=exc.file,
                              row=exc.row, field=exc.field) from exc
    console.print(_summary(report, args.out))
    if corpus is not None:
        _print_ingest_notes(args.out / "ingest_report.json", console)
    blocking = [f for f in report.checks if f.severity == "blocking" and not f.ok]
    console.print(f"来源 {len(report.sources)} 条；合规检查 {len(report.checks)} 条发现，其中阻断 {len(blocking)} 条。")
    return 1 if any(s.status == "failed" for s in report.sections) else 0
