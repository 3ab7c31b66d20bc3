"""``tables``: load a market data pack, compute every market table and chart, write them to the output folder.

Everything is computed and rendered into a staging folder beside ``--out`` first; only when all of it succeeded
are the results moved into place, so bad input or a failure half-way leaves ``--out`` exactly as it was.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from rich.console import Console
from rich.table import Table as RichTable

from assistant import SAMPLE_DIR
from assistant.errors import InputError
from assistant.models import TableSet
from assistant.pack import MarketPack, load_pack
from assistant.tables import compute_tables, render_charts, write_table_files

__all__ = ["HELP", "SAMPLE_PACK", "add_arguments", "publish", "run"]

HELP = "从市场数据包计算全部行情表格与图表（tables/*.csv、tables.json、charts/*.png）"
SAMPLE_PACK = SAMPLE_DIR / "pack"

T = TypeVar("T")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--pack", type=Path, metavar="DIR", help="数据包目录（pack.yaml 及表格文件）")
    source.add_argument("--sample", action="store_true", help=f"使用内置样例数据包 {SAMPLE_PACK}")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="输出目录")


@contextmanager
def _staging(out: Path) -> Iterator[Path]:
    # Same parent as --out, so the final moves are renames on one file system.
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def publish(staging: Path, out: Path) -> list[str]:
    """Move each top-level entry of ``staging`` into ``out``, replacing same-named ones; others stay."""
    out.mkdir(parents=True, exist_ok=True)
    entries = sorted(staging.iterdir())
    for entry in entries:
        target = out / entry.name
        if target.exists():
            # Park the old version inside staging (removed with it) so the swap is two renames.
            os.replace(target, staging / f".old-{entry.name}")
        os.replace(entry, target)
    return [entry.name for entry in entries]


def _timed(console: Console, label: str, timings: dict[str, float], work: Callable[[], T]) -> T:
    start = time.perf_counter()
    with console.status(f"{label}…"):
        result = work()
    timings[label] = time.perf_counter() - start
    console.print(f"[green]✓[/] {label} [dim]{timings[label]:.2f} s[/]")
    return result


def _summary(pack: MarketPack, tableset: TableSet, timings: dict[str, float], out: Path) -> RichTable:
    table = RichTable(title=f"{pack.config.month} 行情表格 → {out}", show_lines=False)
    for column in ("id", "标题", "行数 / 文件"):
        table.add_column(column)
    for t in tableset.tables:
        table.add_row(t.id, t.title, str(len(t.rows)))
    for c in tableset.charts:
        table.add_row(c.id, c.title, c.path)
    total = sum(timings.values())
    table.caption = " · ".join(f"{k} {v:.2f} s" for k, v in timings.items()) + f" · 合计 {total:.2f} s"
    return table


def run(args: argparse.Namespace, console: Console) -> int:
    pack_dir: Path = SAMPLE_PACK if args.sample else args.pack
    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise InputError("输出路径已存在且不是目录", file=str(out))
    timings: dict[str, float] = {}
    pack = _timed(console, "读取数据包", timings, lambda: load_pack(pack_dir))
    console.print(f"  [dim]{pack_dir} · 行情 {len(pack.prices):,} 行 · 基金净值 {len(pack.fund_navs):,} 行 · "
                  f"sha256 {pack.content_hash[:12]}[/]")
    tableset = _timed(console, "计算表格", timings, lambda: compute_tables(pack))
    with _staging(out) as staging:
        charts = _timed(console, "绘制图表", timings, lambda: render_charts(pack, tableset, staging))
        tableset = tableset.model_copy(update={"charts": charts})
        _timed(console, "写入文件", timings, lambda: write_table_files(tableset, staging))
        written = publish(staging, out)
    console.print(_summary(pack, tableset, timings, out))
    console.print(f"已写入 {out}: {', '.join(written)}")
    return 0
