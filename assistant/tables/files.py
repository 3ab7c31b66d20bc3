"""Adapter: write a TableSet's tables as CSV (UTF-8 with BOM, so Excel shows Chinese) and ``tables.json``.

Cells are neutralised against spreadsheet formula injection (OWASP "CSV injection"): a fund or company name such
as ``=HYPERLINK(…)`` or ``=cmd|' /C calc'!A0`` comes from a data file and must open as text, never as a formula.
Every file is written to a temporary name and renamed, so a kill leaves the old file or the new one.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from pathlib import Path

from assistant.atomic import atomic_write_bytes
from assistant.models import TableSet

__all__ = ["csv_bytes", "neutral_cell", "neutral_rows", "write_table_files"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_BREAK_FORMULA = re.compile(r"[\r\n\x0b\x0c\x85\u2028\u2029]+[ \t]*([=+\-@])")
# Figures as the tables print them: -0.97%, +12.5, -1,234.56, 3.2e5, and the "-" of a negative PE.
_NUMBER = re.compile(r"^[+-]?(\d[\d,]*(\.\d+)?|\.\d+)([eE][+-]?\d+)?%?$|^-$")


def neutral_cell(value: object) -> object:
    """A text cell a spreadsheet cannot run: a leading ``'`` before = + - @ tab CR LF, numbers left alone. A line
    break followed by a formula character inside a cell becomes a space: ``csv_bytes`` quotes the field, but a
    reader that splits rows at a bare CR would otherwise start a row with a live formula."""
    if not isinstance(value, str) or not value:
        return value
    if _BREAK_FORMULA.search(value, 1):
        value = value[0] + _BREAK_FORMULA.sub(lambda m: " " + m.group(1), value[1:])
    if not value.startswith(_FORMULA_START):
        return value
    if _NUMBER.match(value.strip()):
        return value
    return "'" + value


def neutral_rows(rows: Iterable[Iterable[object]]) -> list[list[object]]:
    return [[neutral_cell(cell) for cell in row] for row in rows]


def csv_bytes(columns: list[str], rows: list[list[str]]) -> bytes:
    """CSV for Excel: UTF-8 with BOM, every cell neutralised, any field holding CR or LF quoted (``\\r\\n`` rows)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(neutral_cell(c) for c in columns)
    writer.writerows(neutral_rows(rows))
    return buffer.getvalue().encode("utf-8-sig")


def write_table_files(tableset: TableSet, out_dir: Path) -> list[Path]:
    """Write ``tables/<id>_<key>.csv`` and ``tables.json`` under ``out_dir``; return the paths written."""
    table_dir = Path(out_dir) / "tables"
    table_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for table in tableset.tables:
        path = table_dir / f"{table.id}_{table.key}.csv" if table.key else table_dir / f"{table.id}.csv"
        atomic_write_bytes(path, csv_bytes(table.columns, table.rows))
        written.append(path)
    index = Path(out_dir) / "tables.json"
    payload = [t.model_dump(mode="json") for t in tableset.tables]
    atomic_write_bytes(index, json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8"))
    written.append(index)
    return written
