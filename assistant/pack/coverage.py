"""Cross-table checks: every code the report lists has the closes its monthly return needs, every fund a row.

The month's last trading day is the last date in ``prices`` within ``pack.month``; the previous month's last
trading day is the last date before the month starts. A monthly return needs a close on both.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from assistant.errors import PackError
from assistant.pack.config import ConfigFile
from assistant.pack.readers import ROW
from assistant.pack.yamlfile import node_line

__all__ = ["Listing", "check_coverage", "check_funds_listed", "listed_codes", "trading_days"]


@dataclass(frozen=True)
class Listing:
    """Where a code is listed, so an error can point there."""

    code: str
    file: str
    row: int | None
    field: str


def trading_days(prices: pd.DataFrame, month: str, file: str, field: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """(previous month's last trading day, the month's last trading day) as found in the prices."""
    start = pd.Timestamp(f"{month}-01")
    end = start + pd.offsets.MonthEnd(0)
    dates = prices["date"]
    in_month = dates[(dates >= start) & (dates <= end)]
    if in_month.empty:
        raise PackError(f"没有 {month} 的行情（最后日期为 {_day(dates.max())}）", file=file, field=field)
    before = dates[dates < start]
    if before.empty:
        raise PackError(f"缺少上月（{month} 之前）最后交易日的行情，无法计算月涨跌幅", file=file, field=field)
    return pd.Timestamp(before.max()), pd.Timestamp(in_month.max())


def _day(value: object) -> str:
    return value.strftime("%Y-%m-%d") if isinstance(value, pd.Timestamp) else "无"


def listed_codes(cfg: ConfigFile, constituents: pd.DataFrame, cons_file: str,
                 cons_header: str) -> Iterator[Listing]:
    """Every code the report prints a return for, in the order a reader of pack.yaml would meet them."""
    config, file = cfg.config, str(cfg.path)
    for key, ref in (("theme_index", config.theme_index), ("sector_index", config.sector_index)):
        yield Listing(ref.code, file, node_line(cfg.node, (key, "code")), f"{key}.code")
    for i, ref in enumerate(config.benchmarks):
        yield Listing(ref.code, file, node_line(cfg.node, ("benchmarks", i, "code")), f"benchmarks[{i}].code")
    for group in ("domestic", "overseas"):
        for i, code in enumerate(getattr(config.watchlists, group)):
            yield Listing(code, file, node_line(cfg.node, ("watchlists", group, i)), f"watchlists.{group}[{i}]")
    for code, row in zip(constituents["code"], constituents[ROW], strict=True):
        yield Listing(str(code), cons_file, int(row), cons_header)


def check_coverage(listings: Iterator[Listing], prices: pd.DataFrame, days: tuple[pd.Timestamp, pd.Timestamp],
                   prices_file: str) -> None:
    """Stop at the first listed code without a close on either trading day the monthly return needs."""
    previous, last = days
    dates = prices["date"]
    quoted = {
        "本月最后交易日": (last, set(prices.loc[dates == last, "code"])),
        "上月最后交易日": (previous, set(prices.loc[dates == previous, "code"])),
    }
    for listing in listings:
        for label, (day, codes) in quoted.items():
            if listing.code not in codes:
                raise PackError(
                    f"代码 {listing.code} 在 {Path(prices_file).name} 中没有 {_day(day)}（{label}）的收盘价",
                    file=listing.file, row=listing.row, field=listing.field,
                )


def check_funds_listed(cfg: ConfigFile, fund_codes: set[str], funds_file: str) -> None:
    """Every fund pack.yaml lists must have a row in the funds table."""
    for i, code in enumerate(cfg.config.funds or []):
        if code not in fund_codes:
            raise PackError(f"基金 {code} 在 {Path(funds_file).name} 中没有记录",
                            file=str(cfg.path), row=node_line(cfg.node, ("funds", i)), field=f"funds[{i}]")
