"""Numbers come from code: market prose holds placeholders bound to table cells and facts, filled here.

Syntax (docs/interfaces.md): ``{T1.寒武纪-U.月涨跌幅}`` = table id or key, row key (any cell of the row's first
two columns), column name; ``{fact:theme_index.close}`` = a fact. Row keys may contain dots (``688256.SH``), so
the table is what precedes the first dot and the column what follows the last one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.errors import DraftingError
from assistant.models import Table, TableSet

__all__ = ["PLACEHOLDER", "PlaceholderError", "cell_placeholder", "fill_placeholders", "resolve"]

PLACEHOLDER = re.compile(r"\{(fact:[^{}\s]+|[A-Za-z][A-Za-z0-9_]*\.[^{}\n]+?\.[^{}.\n]+)\}")


class PlaceholderError(DraftingError):
    """A placeholder names a table, row, column or fact that does not exist, or a cell that is blank."""

    def __init__(self, placeholder: str, reason: str) -> None:
        self.placeholder = placeholder
        super().__init__(f"占位符 {{{placeholder}}} 无法解析: {reason}")


@dataclass(frozen=True)
class _CellRef:
    table: str
    row: str
    column: str


def _split(body: str) -> _CellRef:
    table, _, rest = body.partition(".")
    row, _, column = rest.rpartition(".")
    return _CellRef(table=table, row=row, column=column)


def _cell(table: Table, ref: _CellRef, placeholder: str) -> str:
    if ref.column not in table.columns:
        raise PlaceholderError(placeholder, f"表 {table.id} 没有列 {ref.column}")
    col = table.columns.index(ref.column)
    rows = [r for r in table.rows if ref.row in r[:2]]
    if not rows:
        raise PlaceholderError(placeholder, f"表 {table.id} 没有行 {ref.row}")
    if len(rows) > 1:
        raise PlaceholderError(placeholder, f"表 {table.id} 中行键 {ref.row} 不唯一")
    value = rows[0][col] if col < len(rows[0]) else ""
    if value == "":
        raise PlaceholderError(placeholder, "该单元格为空（不可计算）")
    return value


def resolve(placeholder: str, tables: TableSet) -> str:
    """The printed value of one placeholder body (without braces)."""
    if placeholder.startswith("fact:"):
        key = placeholder[5:]
        value = tables.facts.get(key)
        if value is None or value == "":
            raise PlaceholderError(placeholder, f"没有事实 {key}")
        return value
    ref = _split(placeholder)
    table = tables.table(ref.table)
    if table is None:
        raise PlaceholderError(placeholder, f"没有表 {ref.table}")
    return _cell(table, ref, placeholder)


def fill_placeholders(text: str, tables: TableSet) -> tuple[str, list[str]]:
    """Replace every placeholder; returns the text and the placeholders used. Raises on the first unknown one."""
    used: list[str] = []

    def _sub(match: re.Match[str]) -> str:
        used.append(match.group(1))
        return resolve(match.group(1), tables)

    return PLACEHOLDER.sub(_sub, text), used


def cell_placeholder(table: Table, row: list[str], column: str) -> str:
    """The placeholder for one cell, keyed by the row's first cell (a security or fund code)."""
    return "{" + f"{table.id}.{row[0]}.{column}" + "}"
