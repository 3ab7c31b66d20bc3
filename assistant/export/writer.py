"""The file edge of export: write report.md / report.docx / report.json atomically and read report.json back.

All three files are rendered in memory first, so an error (an unknown table reference, a missing chart) writes
nothing. Each file is then written to a temporary file in the same folder and renamed over the old one, so a
crash leaves either the previous file or the new one, never half of one. report.json is written last.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from assistant.atomic import atomic_write_bytes
from assistant.errors import ExportError
from assistant.export.assemble import Assembly, assemble
from assistant.export.docx import render_assembly
from assistant.export.markdown import render_blocks
from assistant.models import Report

__all__ = ["REPORT_FILES", "load_report", "numbered_report", "write_report"]

REPORT_FILES: dict[str, str] = {"md": "report.md", "docx": "report.docx", "json": "report.json"}


def numbered_report(report: Report, assembly: Assembly | None = None) -> Report:
    """A copy of the report whose tables and charts carry their printed titles (``表 1：…``, ``图 1：…``)."""
    assembly = assembly or assemble(report)
    tables = [t.model_copy(update={"title": assembly.table_titles.get(t.id, t.title)}) for t in report.tables]
    charts = [c.model_copy(update={"title": assembly.chart_titles.get(c.id, c.title)}) for c in report.charts]
    return report.model_copy(update={"tables": tables, "charts": charts})


def write_report(report: Report, out_dir: Path) -> dict[str, Path]:
    """Write report.md, report.docx and report.json into ``out_dir``; returns ``{"md"|"docx"|"json": path}``.

    Chart paths in the report are relative to ``out_dir`` and must exist there (they are embedded in the docx).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    assembly = assemble(report)
    payloads = {
        "docx": render_assembly(assembly, out_dir),
        "md": render_blocks(assembly.blocks).encode("utf-8"),
        "json": numbered_report(report, assembly).model_dump_json(indent=2).encode("utf-8"),
    }
    paths = {kind: out_dir / REPORT_FILES[kind] for kind in payloads}
    for kind, data in payloads.items():
        atomic_write_bytes(paths[kind], data)
    return {kind: paths[kind] for kind in REPORT_FILES}


def load_report(out_dir: Path) -> Report:
    """Read ``out_dir/report.json`` back into a ``Report`` (tables and charts keep their numbered titles)."""
    path = Path(out_dir) / REPORT_FILES["json"]
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise ExportError("找不到 report.json", file=str(path)) from exc
    try:
        return Report.model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or None
        raise ExportError(f"report.json 无效: {first['msg']}（共 {exc.error_count()} 处错误）",
                          file=str(path), field=where) from exc
