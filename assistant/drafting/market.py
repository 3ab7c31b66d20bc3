"""Data-to-text for the market review: sentences whose every number is a placeholder bound to a table cell.

The sentences name securities by the text in the table and leave each figure as ``{T1.<code>.<column>}``, so the
numbers printed are exactly the computed table's cells (filled by ``placeholders.fill_placeholders``).
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.drafting.placeholders import cell_placeholder
from assistant.models import Table, TableSet
from assistant.pack.model import BOARDS

__all__ = ["market_sentences", "missing_tables"]


def missing_tables(tables: TableSet, needed: Sequence[str]) -> list[str]:
    """The needed tables (by id or key) that are absent or have no rows."""
    out = []
    for ref in needed:
        table = tables.table(ref)
        if table is None or not table.rows:
            out.append(ref)
    return out


def _column(table: Table, *needles: str) -> str | None:
    for needle in needles:
        for col in table.columns:
            if needle in col:
                return col
    return None


def _name_index(table: Table) -> int:
    col = _column(table, "简称", "名称")
    return table.columns.index(col) if col else min(1, len(table.columns) - 1)


def _as_float(value: str) -> float | None:
    try:
        return float(value.replace("%", "").replace(",", ""))
    except ValueError:
        return None


def _pct(table: Table, row: list[str], column: str) -> str:
    """A cell placeholder, with a % sign when the column header carries the unit instead of the cell."""
    value = row[table.columns.index(column)]
    suffix = "%" if "%" in column and not value.endswith("%") else ""
    return cell_placeholder(table, row, column) + suffix


def _named_moves(table: Table, column: str, rows: Sequence[list[str]]) -> str:
    name_at = _name_index(table)
    return "、".join(f"{r[name_at]}（{_pct(table, r, column)}）" for r in rows)


def _ranked(table: Table, column: str, *, reverse: bool) -> list[list[str]]:
    col = table.columns.index(column)
    rows = [r for r in table.rows if col < len(r) and _as_float(r[col]) is not None]
    return sorted(rows, key=lambda r: _as_float(r[col]) or 0.0, reverse=reverse)


def _benchmarks(tables: TableSet) -> str:
    codes = sorted({k.split(".", 1)[1].rsplit(".", 1)[0] for k in tables.facts if k.startswith("benchmark.")})
    parts = [f"{{fact:benchmark.{c}.name}}涨跌幅为{{fact:benchmark.{c}.return}}" for c in codes
             if f"benchmark.{c}.name" in tables.facts and f"benchmark.{c}.return" in tables.facts]
    return f"同期{'，'.join(parts)}。" if parts else ""


def _boards(tables: TableSet) -> str:
    parts = [f"{b} {{fact:constituents.board.{b}}} 支" for b in BOARDS if f"constituents.board.{b}" in tables.facts]
    return f"上市板分布为{'，'.join(parts)}。" if parts else ""


def _movers(tables: TableSet) -> str:
    top, bottom = tables.table("T1"), tables.table("T2")
    out = []
    for table, verb, reverse in ((top, "涨幅居前的为", True), (bottom, "跌幅居前的为", False)):
        col = _column(table, "月涨跌幅", "涨跌幅") if table else None
        if table and col:
            out.append(verb + _named_moves(table, col, _ranked(table, col, reverse=reverse)[:3]))
    return f"个股方面，{'；'.join(out)}。" if out else ""


def _companies(tables: TableSet) -> str:
    out = []
    for ref, label in (("T4", "国内重点公司"), ("T5", "境外重点公司")):
        table = tables.table(ref)
        col = _column(table, "月涨跌幅") if table else None
        if table and col:
            ranked = _ranked(table, col, reverse=True)
            top = ranked[: min(2, max(1, len(ranked) - 1))]
            if top:
                weakest = f"，表现较弱的为{_named_moves(table, col, ranked[-1:])}" if len(ranked) > len(top) else ""
                out.append(f"{label}中，月涨幅居前的为{_named_moves(table, col, top)}{weakest}")
    return f"{'；'.join(out)}。" if out else ""


def _funds(tables: TableSet) -> str:
    table = tables.table("T3")
    col = _column(table, "近1月", "近 1 月", "1月") if table else None
    if not table or not col:
        return ""
    ranked = _ranked(table, col, reverse=True)
    if not ranked:
        return ""
    return (f"主题基金方面，{len(table.rows)} 只人工智能主题基金中近 1 月回报居前的为"
            f"{_named_moves(table, col, ranked[:2])}。")


def _chart(tables: TableSet, ref: str) -> str:
    # An export marker only for a chart that exists: a dangling marker would fail the whole export.
    return next(("{{chart:" + c.id + "}}" for c in tables.charts if ref in (c.id, c.key)), "")


def market_sentences(tables: TableSet) -> dict[str, str]:
    """The code-built sentences (with placeholders) the offline market template interpolates."""
    return {
        "chart_index": _chart(tables, "F1"),
        "chart_returns": _chart(tables, "F2"),
        "benchmarks_sentence": _benchmarks(tables),
        "boards_sentence": _boards(tables),
        "movers_sentence": _movers(tables),
        "companies_sentence": _companies(tables),
        "funds_sentence": _funds(tables),
    }
