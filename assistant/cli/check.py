"""``check``: run the compliance checks over a drafted output folder and report the findings.

Exit status 1 while any blocking finding remains, so the command can gate an export in a script or in CI.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from assistant.checks import blocking, load_check_config, run_checks
from assistant.checks.inputs import load_check_inputs, save_findings
from assistant.models import Finding

__all__ = ["HELP", "add_arguments", "render_summary", "run"]

HELP = "合规检查：核对引用、数字、披露与措辞（有阻断项时退出码为 1）"
_STYLE = {"blocking": "bold red", "warning": "yellow", "info": "dim"}
_LABEL = {"blocking": "阻断", "warning": "警告", "info": "提示"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="起草输出目录（含 report.json）")
    parser.add_argument("--corpus", type=Path, metavar="PATH", help="新闻语料（默认：报告记录的语料路径）")
    parser.add_argument("--pack", type=Path, metavar="DIR", help="数据包目录（默认：报告记录的数据包）")
    parser.add_argument("--config", type=Path, metavar="DIR", help="合规配置目录（默认 prompts/compliance）")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出全部检查结果")
    parser.add_argument("--save", action="store_true", help="把检查结果写入 report.json 的 checks 字段")


def render_summary(findings: list[Finding], console: Console) -> None:
    """Findings grouped by section, then counts by severity."""
    sections: dict[str, list[Finding]] = {}
    for f in findings:
        sections.setdefault(f.section, []).append(f)
    for section, group in sections.items():
        table = RichTable(title=f"{section}（{len(group)}）", title_justify="left", show_lines=False,
                          expand=True)
        table.add_column("级别", no_wrap=True)
        table.add_column("类型", no_wrap=True)
        table.add_column("说明")
        table.add_column("句子", overflow="fold")
        for f in group:
            table.add_row(f"[{_STYLE[f.severity]}]{_LABEL[f.severity]}[/]", f.kind, escape(f.detail),
                          escape(f.sentence[:120]))
        console.print(table)
    counts: Counter[str] = Counter(f.severity for f in findings)
    console.print(" · ".join(f"[{_STYLE[s]}]{_LABEL[s]} {counts.get(s, 0)}[/]" for s in _LABEL))


def run(args: argparse.Namespace, console: Console) -> int:
    inputs = load_check_inputs(args.out_dir, corpus=args.corpus, pack=args.pack)
    config = load_check_config(args.config)
    findings = run_checks(inputs.report, inputs.items, pack=inputs.pack, tables=inputs.tables, config=config)
    if args.save:
        save_findings(args.out_dir, findings)
    if args.json:
        payload = [f.model_dump(mode="json") for f in findings]
        console.print_json(json.dumps(payload, ensure_ascii=False))
    else:
        if not findings:
            console.print("[green]未发现问题[/]")
        render_summary(findings, console)
    return 1 if blocking(findings) else 0
