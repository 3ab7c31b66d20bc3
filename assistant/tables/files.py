"""Adapter: write a TableSet's tables as CSV (UTF-8 with BOM, so Excel shows Chinese) and ``tables.json``."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from assistant.models import TableSet

__all__ = ["write_table_files"]


def write_table_files(tableset: TableSet, out_dir: Path) -> list[Path]:
    """Write ``tables/<id>_<key>.csv`` and ``tables.json`` under ``out_dir``; return the paths written."""
    table_dir = Path(out_dir) / "tables"
    table_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for table in tableset.tables:
        path = table_dir / f"{table.id}_{table.key}.csv" if table.key else table_dir / f"{table.id}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(table.columns)
            writer.writerows(table.rows)
        written.append(path)
    index = Path(out_dir) / "tables.json"
    payload = [t.model_dump(mode="json") for t in tableset.tables]
    index.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    written.append(index)
    return written
