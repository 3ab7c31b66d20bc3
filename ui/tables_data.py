"""Table downloads for the tables page: CSV (UTF-8 with BOM, so Excel opens Chinese correctly) and XLSX."""

from __future__ import annotations

import io
import re

import pandas as pd

from assistant.models import Table
from assistant.tables.files import csv_bytes, neutral_cell

__all__ = ["table_csv", "table_frame", "tables_xlsx"]

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def table_frame(table: Table) -> pd.DataFrame:
    return pd.DataFrame(table.rows, columns=table.columns)


def _neutral_frame(table: Table) -> pd.DataFrame:
    """The downloadable form: a name like ``=HYPERLINK(…)`` opens as text, not as a live formula."""
    return pd.DataFrame([[neutral_cell(c) for c in row] for row in table.rows],
                        columns=[str(neutral_cell(c)) for c in table.columns])


def table_csv(table: Table) -> bytes:
    """The same bytes as ``tables/<id>.csv`` (one function: neutralised cells, CR/LF quoted)."""
    return csv_bytes(table.columns, table.rows)


def _sheet_name(table: Table, used: set[str]) -> str:
    base = _SHEET_BAD.sub("_", f"{table.id} {table.key}".strip())[:31] or "table"
    name, n = base, 2
    while name in used:
        name = f"{base[:28]}_{n}"
        n += 1
    used.add(name)
    return name


def tables_xlsx(tables: list[Table]) -> bytes:
    """One sheet per table, its title in the first row and its source line under the data."""
    buffer = io.BytesIO()
    used: set[str] = set()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for table in tables:
            sheet = _sheet_name(table, used)
            pd.DataFrame([[neutral_cell(table.title)]]).to_excel(writer, sheet_name=sheet, index=False,
                                                                 header=False)
            frame = _neutral_frame(table)
            frame.to_excel(writer, sheet_name=sheet, index=False, startrow=2)
            pd.DataFrame([[neutral_cell(table.source)]]).to_excel(writer, sheet_name=sheet, index=False, header=False,
                                                    startrow=len(frame) + 4)
    return buffer.getvalue()
