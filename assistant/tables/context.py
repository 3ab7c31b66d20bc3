"""Month-level price snapshots shared by every table: one vectorised pass over the price history.

Monthly return = close on the month's last trading day / close on the previous month's last trading day - 1;
YTD return uses the previous year's last trading day as base. "Last trading day on or before D" is taken per
code, so a suspended stock keeps its last close rather than becoming blank.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from assistant.errors import PackError
from assistant.pack.model import MarketPack

__all__ = ["PriceContext", "asof_values", "build_context", "month_bounds", "wide"]


@dataclass(frozen=True)
class PriceContext:
    """Per-code snapshot (index = code) plus the dates it was taken at."""

    month: pd.Period
    end_date: pd.Timestamp  # last trading day of the month
    prev_end: pd.Timestamp  # last calendar day of the previous month
    year_base: pd.Timestamp  # last calendar day of the previous year
    snap: pd.DataFrame  # columns: name, close, prev_close, base_close, ret, ytd, market_cap

    @property
    def label(self) -> str:
        return f"{self.month.month}月"


def month_bounds(month: str) -> pd.Period:
    try:
        return pd.Period(month, freq="M")
    except ValueError as exc:
        raise PackError(f"月份格式应为 YYYY-MM: {month!r}", file="pack.yaml", field="month") from exc


def wide(frame: pd.DataFrame, index: str, columns: str, values: str, file: str) -> pd.DataFrame:
    """Long data to a sorted ``index`` x ``columns`` table; duplicates are a data error, never merged.

    Built with numpy scatter rather than ``DataFrame.pivot``: several times faster on a full market.
    """
    rows, row_labels = pd.factorize(frame[index], sort=True)
    cols, col_labels = pd.factorize(frame[columns], sort=True)
    flat = rows.astype(np.int64) * len(col_labels) + cols
    counts = np.bincount(flat, minlength=len(row_labels) * len(col_labels)) if len(flat) else np.zeros(0)
    if (counts > 1).any():
        dup = frame.iloc[int(np.flatnonzero(counts[flat] > 1)[0])]
        raise PackError(f"{index}/{columns} 组合重复: {dup[index]} / {dup[columns]}", file=file, field=columns)
    table = np.full((len(row_labels), len(col_labels)), np.nan)
    table[rows, cols] = pd.to_numeric(frame[values], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return pd.DataFrame(table, index=pd.Index(row_labels, name=index), columns=pd.Index(col_labels, name=columns))


def asof_values(table: pd.DataFrame, dates: list[pd.Timestamp]) -> pd.DataFrame:
    """Row of the forward-filled date x code table at the last date on or before each date (NaN if none)."""
    filled = table.sort_index().ffill()
    pos = filled.index.searchsorted(pd.DatetimeIndex(dates), side="right") - 1
    values = filled.to_numpy(dtype=float)
    picked = np.full((len(dates), values.shape[1]), np.nan)
    ok = pos >= 0
    if values.shape[0]:
        picked[ok] = values[pos[ok]]
    return pd.DataFrame(picked.T, index=filled.columns, columns=range(len(dates)))


def _end_date(prices: pd.DataFrame, month: pd.Period, theme_code: str) -> pd.Timestamp:
    in_month = prices[(prices["date"] >= month.start_time) & (prices["date"] <= month.end_time)]
    if in_month.empty:
        raise PackError(f"没有 {month} 的收盘价", file="prices", field="date")
    theme = in_month.loc[in_month["code"] == theme_code, "date"]
    return pd.Timestamp((theme if not theme.empty else in_month["date"]).max()).normalize()


def build_context(pack: MarketPack) -> PriceContext:
    month = month_bounds(pack.config.month)
    prices = pack.prices
    end_date = _end_date(prices, month, pack.config.theme_index.code)
    prev_end = (month - 1).end_time.normalize()
    year_base = pd.Period(f"{month.year - 1}-12", freq="M").end_time.normalize()
    dates = [end_date, prev_end, year_base]
    closes = asof_values(wide(prices, "date", "code", "close", "prices"), dates)
    snap = closes.set_axis(["close", "prev_close", "base_close"], axis=1)
    snap["ret"] = snap["close"] / snap["prev_close"] - 1
    snap["ytd"] = snap["close"] / snap["base_close"] - 1
    if "market_cap" in prices.columns:
        caps = asof_values(wide(prices, "date", "code", "market_cap", "prices"), [end_date])
        snap["market_cap"] = caps[0]
    else:
        snap["market_cap"] = np.nan
    names = prices.drop_duplicates("code", keep="last").set_index("code")["name"]
    snap["name"] = names.reindex(snap.index)
    return PriceContext(month=month, end_date=end_date, prev_end=prev_end, year_base=year_base, snap=snap)
