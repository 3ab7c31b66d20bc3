"""Plausibility rules: a pack whose numbers cannot be real stops here, before a table prints them.

A close of ``1e308`` parses as a number and yields a 300-digit return; ``inf`` revenue gives a CAGR of -100 %;
a negative market cap silently moves a PE. Each rule fails closed with the file, the row and the file's header.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from assistant.errors import PackError
from assistant.pack.readers import ROW, RawTable

__all__ = ["MAX_ABS_VALUE", "TOP_N_RANGE", "check_monthly_returns", "check_nonempty", "check_values"]

# No close, NAV, market cap (亿), fund size (亿) or revenue (亿) of a real security comes near 10^12.
MAX_ABS_VALUE = 1e12
TOP_N_RANGE = (1, 100)

# column -> (strictly positive?, description); columns not listed only need to be finite and bounded.
_SIGN_RULES: dict[str, tuple[bool, str]] = {
    "close": (True, "收盘价"),
    "nav": (True, "净值"),
    "market_cap": (True, "总市值"),
    "size": (True, "基金规模"),
    "revenue": (False, "营业收入"),
}
_NONEMPTY = ("prices", "constituents", "financials", "fund_navs")


def _fail(raw: RawTable, frame: pd.DataFrame, mask: np.ndarray, column: str, message: str) -> PackError:
    index = int(mask.argmax())
    value = frame[column].iloc[index]
    return PackError(f"{message}: {value!r}", file=str(raw.path), row=int(frame[ROW].iloc[index]),
                     field=raw.headers.get(column, column))


def check_values(raw: RawTable, frame: pd.DataFrame) -> None:
    """Every present number finite and within ±MAX_ABS_VALUE; prices, NAVs, caps and sizes positive."""
    for column in frame.columns:
        if column == ROW or column not in raw.headers or frame[column].dtype != np.float64:
            continue
        values = frame[column].to_numpy()
        present = ~np.isnan(values)
        infinite = present & ~np.isfinite(values)
        if infinite.any():
            raise _fail(raw, frame, infinite, column, "数值不是有限数")
        huge = present & (np.abs(np.where(present, values, 0.0)) > MAX_ABS_VALUE)
        if huge.any():
            raise _fail(raw, frame, huge, column, f"数值超出合理范围（绝对值应不超过 {MAX_ABS_VALUE:.0e}）")
        rule = _SIGN_RULES.get(column)
        if rule is None:
            continue
        strict, label = rule
        bad = present & ((values <= 0) if strict else (values < 0))
        if bad.any():
            raise _fail(raw, frame, bad, column, f"{label}必须为{'正数' if strict else '非负数'}")


def check_nonempty(raw: RawTable, frame: pd.DataFrame) -> None:
    """A table the report computes from must hold at least one data row (a header-only file is refused)."""
    if raw.name in _NONEMPTY and frame.empty:
        raise PackError("表中没有数据行（只有表头）", file=str(raw.path), row=2)


def check_monthly_returns(raw: RawTable, prices: pd.DataFrame, days: tuple[pd.Timestamp, pd.Timestamp],
                          max_pct: float) -> None:
    """|close(month end) / close(previous month end) - 1| must stay within ``max_pct`` percent for every code."""
    before, end = days
    at = prices[prices["date"].isin([before, end])]
    table = at.pivot_table(index="code", columns="date", values="close", aggfunc="first")
    if before not in table.columns or end not in table.columns:
        return
    returns = (table[end] / table[before] - 1.0) * 100.0
    outside = returns[returns.abs() > max_pct].dropna()
    if outside.empty:
        return
    code = str(outside.index[0])
    row_mask = ((prices["code"] == code) & (prices["date"] == end)).to_numpy()
    row = int(prices[ROW].to_numpy()[row_mask.argmax()])
    raise PackError(
        f"{code} 的月涨跌幅 {outside.iloc[0]:.2f}% 超出合理范围 ±{max_pct:g}%"
        "（确属真实可在 pack.yaml 设置 max_monthly_return）",
        file=str(raw.path), row=row, field=raw.headers.get("close", "close"),
    )
