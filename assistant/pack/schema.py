"""The columns of each pack table: English names, accepted Chinese headers, kinds, and header matching."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from assistant.errors import PackError

__all__ = ["MISSING_TOKENS", "SCHEMAS", "UNIQUE_KEYS", "ColumnSpec", "Kind", "header_key", "map_columns", "number_headers"]

# Cells terminals print for "no value"; they count as empty.
MISSING_TOKENS = frozenset({"", "--", "—", "-", "N/A", "n/a", "NA", "nan", "NaN", "None", "null"})

Kind = Literal["text", "code", "fund_code", "date", "number", "period", "board", "currency"]


@dataclass(frozen=True)
class ColumnSpec:
    name: str  # the English column name of the loaded frame
    aliases: tuple[str, ...]  # accepted headers besides ``name`` (Chinese terminal headers)
    kind: Kind
    required: bool = True  # the column must be present
    nonempty: bool = True  # every cell must hold a value


_CODE = ColumnSpec("code", ("证券代码", "代码", "股票代码"), "code")
_NAME = ColumnSpec("name", ("证券简称", "名称", "股票简称", "简称"), "text")
_DATE = ColumnSpec("date", ("日期", "交易日期"), "date")
_FUND_CODE = ColumnSpec("fund_code", ("基金代码", "代码", "证券代码"), "fund_code")

SCHEMAS: dict[str, tuple[ColumnSpec, ...]] = {
    "prices": (
        _DATE, _CODE, _NAME,
        ColumnSpec("close", ("收盘价",), "number"),
        ColumnSpec("market_cap", ("总市值",), "number", required=False, nonempty=False),
    ),
    "constituents": (
        ColumnSpec("index_code", ("指数代码",), "code"),
        _CODE, _NAME,
        ColumnSpec("board", ("上市板",), "board"),
    ),
    "financials": (
        _CODE, _NAME,
        ColumnSpec("period", ("报告期",), "period"),
        ColumnSpec("revenue", ("营业收入",), "number", nonempty=False),
        ColumnSpec("net_profit", ("净利润",), "number", nonempty=False),
        ColumnSpec("currency", ("币种", "货币"), "currency", required=False, nonempty=False),
    ),
    "funds": (
        _FUND_CODE,
        ColumnSpec("fund_name", ("基金简称", "基金名称"), "text"),
        ColumnSpec("fund_type", ("基金类型",), "text", nonempty=False),
        ColumnSpec("size", ("基金规模",), "number", nonempty=False),
    ),
    "fund_navs": (
        ColumnSpec("date", ("日期", "交易日期", "净值日期"), "date"),
        _FUND_CODE,
        ColumnSpec("nav", ("复权单位净值",), "number"),
    ),
}

# Rows that must not repeat within a table (the data contract's "duplicate rows").
UNIQUE_KEYS: dict[str, tuple[str, ...]] = {
    "prices": ("date", "code"),
    "constituents": ("code",),
    "financials": ("code", "period"),
    "funds": ("fund_code",),
    "fund_navs": ("date", "fund_code"),
}

_UNIT = re.compile(r"[(（][^)）]*[)）]")


def header_key(header: str) -> str:
    """Compare headers without case, spaces or a unit suffix: ``基金规模(亿元)`` matches ``基金规模``."""
    return re.sub(r"\s+", "", _UNIT.sub("", header)).lower()


def map_columns(name: str, path: str, headers: list[str]) -> dict[str, str]:
    """English column name -> the file's header for it. Missing required columns are a PackError (row 1)."""
    by_key: dict[str, str] = {}
    for text in headers:
        by_key.setdefault(header_key(text), text)
    mapping: dict[str, str] = {}
    for spec in SCHEMAS[name]:
        candidates = (spec.name, *spec.aliases)
        found_header = next((by_key[header_key(c)] for c in candidates if header_key(c) in by_key), None)
        if found_header is not None:
            mapping[spec.name] = found_header
        elif spec.required:
            accepted = " / ".join(candidates)
            found = "、".join(headers) or "无"
            raise PackError(f"缺少列（可用表头: {accepted}；文件中的表头: {found}）",
                            file=path, row=1, field=spec.name)
    return mapping


def number_headers(name: str, mapping: dict[str, str]) -> list[str]:
    """The file headers of the numeric columns: the CSV parser reads those natively, which is ~10x faster."""
    return [mapping[spec.name] for spec in SCHEMAS[name] if spec.kind == "number" and spec.name in mapping]
