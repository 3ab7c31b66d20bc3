"""A small market data pack builder: rows in English columns, written with English or Chinese headers,
in any of the accepted encodings, or as XLSX."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import Workbook

ZH_HEADERS: dict[str, dict[str, str]] = {
    "prices": {"date": "交易日期", "code": "证券代码", "name": "证券简称", "close": "收盘价",
               "market_cap": "总市值(亿元)"},
    "constituents": {"index_code": "指数代码", "code": "代码", "name": "名称", "board": "上市板"},
    "financials": {"code": "证券代码", "name": "证券简称", "period": "报告期", "revenue": "营业收入",
                   "net_profit": "净利润", "currency": "币种"},
    "funds": {"fund_code": "基金代码", "fund_name": "基金简称(官方)", "fund_type": "基金类型",
              "size": "基金规模(亿元)"},
    "fund_navs": {"date": "日期", "fund_code": "基金代码", "nav": "复权单位净值"},
}

DAYS = ["2023-12-29", "2024-06-28", "2024-07-01", "2024-07-31"]
SECURITIES = [  # code, name, close on each day, market cap
    ("884201.WI", "人工智能指数", [5000.0, 5230.0, 5200.5, 5257.12], ""),
    ("801750.SI", "计算机行业指数", [3100.0, 3046.3, 3040.0, 3037.17], ""),
    ("000001.SH", "上证综指", [2974.93, 2967.4, 2994.7, 2938.75], ""),
    ("000977.SZ", "浪潮信息", [30.0, 35.5, 36.0, 33.1], "487.3"),
    ("300033.SZ", "同花顺", [160.0, 120.0, 118.0, 110.25], "592.7"),
    ("688256.SH", "寒武纪-U", [160.0, 190.0, 200.0, 235.0], "981.0"),
    ("NVDA.O", "英伟达", [49.5, 123.5, 124.3, 117.02], "28700"),
]
NAV_DAYS = ["2024-01-31", "2024-04-30", "2024-06-28", "2024-07-31"]


def _default_tables() -> dict[str, list[dict[str, str]]]:
    prices = [
        {"date": day, "code": code, "name": name, "close": f"{closes[i]}", "market_cap": cap}
        for code, name, closes, cap in SECURITIES
        for i, day in enumerate(DAYS)
    ]
    constituents = [
        {"index_code": "884201.WI", "code": "000977.SZ", "name": "浪潮信息", "board": "主板"},
        {"index_code": "884201.WI", "code": "300033.SZ", "name": "同花顺", "board": "创业板"},
        {"index_code": "884201.WI", "code": "688256.SH", "name": "寒武纪-U", "board": "科创板"},
    ]
    financials = [
        {"code": code, "name": name, "period": period, "revenue": rev, "net_profit": np_, "currency": cur}
        for code, name, cur in (("000977.SZ", "浪潮信息", "CNY"), ("NVDA.O", "英伟达", "USD"))
        for period, rev, np_ in (("2020A", "630.38", "14.66"), ("2023A", "658.67", "17.83"),
                                 ("2024Q1", "246.6", "3.86"), ("TTM", "800.1", "20.5"))
    ]
    funds = [
        {"fund_code": "001986", "fund_name": "前海开源人工智能", "fund_type": "契约型开放式", "size": "6.64"},
        {"fund_code": "005729", "fund_name": "南方人工智能主题", "fund_type": "契约型开放式", "size": "3.73"},
    ]
    fund_navs = [
        {"date": day, "fund_code": code, "nav": f"{base + i * 0.01:.4f}"}
        for code, base in (("001986", 1.2), ("005729", 1.8))
        for i, day in enumerate(NAV_DAYS)
    ]
    return {"prices": prices, "constituents": constituents, "financials": financials, "funds": funds,
            "fund_navs": fund_navs}


def _default_config() -> dict[str, Any]:
    return {
        "month": "2024-07",
        "series": "人工智能月报",
        "industry": "计算机行业",
        "rating": "推荐",
        "institution": "中国银河证券研究院",
        "theme_index": {"code": "884201.WI", "name": "人工智能指数"},
        "sector_index": {"code": "801750.SI", "name": "计算机行业指数"},
        "benchmarks": [{"code": "000001.SH", "name": "上证综指"}],
        "top_n": 10,
        "watchlists": {"domestic": ["000977.SZ"], "overseas": ["NVDA.O"]},
        "funds": ["001986", "005729"],
    }


@dataclass
class PackSpec:
    """Rows per table (English keys) and the pack.yaml mapping; edit them, then ``write``."""

    tables: dict[str, list[dict[str, str]]] = field(default_factory=_default_tables)
    config: dict[str, Any] = field(default_factory=_default_config)
    yaml_text: str | None = None  # overrides ``config`` when set

    def write(self, root: Path, *, headers: str = "en", encoding: str = "utf-8",
              xlsx: tuple[str, ...] = (), names: dict[str, str] | None = None) -> Path:
        root.mkdir(parents=True, exist_ok=True)
        text = self.yaml_text if self.yaml_text is not None else _dump_yaml(self.config)
        (root / "pack.yaml").write_text(text, encoding="utf-8")
        for table, rows in self.tables.items():
            stem = (names or {}).get(table, table)
            columns = _columns(table, rows)
            shown = [ZH_HEADERS[table].get(c, c) if headers == "zh" else c for c in columns]
            body = [[row.get(c, "") for c in columns] for row in rows]
            if table in xlsx:
                _write_xlsx(root / f"{stem}.xlsx", shown, body)
            else:
                (root / f"{stem}.csv").write_bytes(_csv_text(shown, body).encode(encoding))
        return root


def _dump_yaml(config: dict[str, Any]) -> str:
    text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
    # Write fund codes bare, the way people type them: the loader must keep the leading zeros.
    return text.replace("'001986'", "001986").replace("'005729'", "005729")


def _columns(table: str, rows: list[dict[str, str]]) -> list[str]:
    order = list(ZH_HEADERS[table])
    present = {key for row in rows for key in row}
    return [c for c in order if c in present] + sorted(present - set(order))


def _csv_text(header: list[str], body: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(body)
    return buffer.getvalue()


def _write_xlsx(path: Path, header: list[str], body: list[list[str]]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in body:
        sheet.append([_xlsx_value(v) for v in row])
    workbook.save(path)


def _xlsx_value(value: str) -> object:
    """Numbers as numbers and dates as dates, the way a terminal export stores them; codes stay text."""
    import datetime as dt

    if len(value) == 10 and value[4] == "-" and value[7] == "-":
        return dt.datetime.fromisoformat(value)
    try:
        return float(value) if "." in value else value
    except ValueError:
        return value


@pytest.fixture
def spec() -> PackSpec:
    return PackSpec()
