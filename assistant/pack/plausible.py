"""Plausibility rules: a pack whose numbers cannot be real stops here, before a table prints them.

A close of ``1e308`` parses as a number and yields a 300-digit return; ``inf`` revenue gives a CAGR of -100 %;
a negative market cap silently moves a PE. Each rule fails closed with the file, the row and the file's header.
"""

from __future__ import annotations

import re
from collections.abc import Collection

import numpy as np
import pandas as pd

from assistant.errors import PackError
from assistant.pack.readers import ROW, RawTable

__all__ = ["BOARD_LIMITS", "MAX_ABS_VALUE", "TOP_N_RANGE", "check_daily_moves", "check_financial_units",
           "check_monthly_returns", "check_nav_moves", "check_nonempty", "check_values", "price_limit"]

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


# ---------------------------------------------------------------- day by day
# Daily price limits (percent) by board; a close beyond its limit is a data error (a split not adjusted for, a
# ×10 typo, a wrong code), not a market move. ST shares on 主板/中小板 move at most 5 %.
BOARD_LIMITS = {"主板": 10.0, "中小板": 10.0, "创业板": 20.0, "科创板": 20.0, "北交所": 30.0}
_ST_LIMIT = 5.0
_TOLERANCE = 0.6  # pp: prices rounded to the cent, the limit computed on the previous close
_INDEX_DAY = 20.0  # an index: the largest real day moves of A-share indices stay under this (创业板指 2024-09-30)
_OTHER_DAY = 60.0  # a share without a price limit (Hong Kong, US): a day move beyond this is a unit or code error
_NAV_DAY = 20.0  # a fund's NAV: its holdings' limits bound the day move
_CAP_JUMP = 3.0  # market cap: a day's ratio beyond ×3 / ÷3 is a unit error (元/万元/亿元)
_UNIT_RATIO = 1e3  # financials: a period ×1000 away from the company's other periods is in another unit
_EXEMPT_HINT = "（确属真实可在 pack.yaml 的 plausibility_exempt 中列出该代码）"


def price_limit(code: str, name: str, board: str | None, indices: Collection[str]) -> tuple[float, str]:
    """The day-move limit (percent) of ``code`` and what it is (board, ST, index, no limit)."""
    if code in indices:
        return _INDEX_DAY, "指数"
    if board is None:
        board = _board_from_code(code)
    if board is None:
        return _OTHER_DAY, "无涨跌幅限制的证券"
    if board == "指数":
        return _INDEX_DAY, "指数"
    if "ST" in name.upper() and board in ("主板", "中小板"):
        return _ST_LIMIT, f"{board} ST"
    return BOARD_LIMITS[board], board


def _board_from_code(code: str) -> str | None:
    number, _, market = code.upper().partition(".")
    if not re.fullmatch(r"\d{6}", number):
        return None
    if market == "SH":
        return "科创板" if number.startswith(("688", "689")) else "主板" if number.startswith("60") else "指数"
    if market == "SZ":
        return "创业板" if number.startswith("30") else "主板" if number.startswith("00") else "指数"
    if market == "BJ":
        return "北交所"
    return None


def _day_moves(frame: pd.DataFrame, key: str, value: str) -> pd.DataFrame:
    """Each row's move from the code's previous row, and ``days``: the weekdays between them (a pack may hold
    only some days; a limit compounds over the days between two closes)."""
    ordered = frame[frame[value].notna()].sort_values([key, "date"], kind="stable")
    grouped = ordered.groupby(key, sort=False)
    previous, before = grouped[value].shift(1), grouped["date"].shift(1)
    ordered = ordered.assign(previous=previous, move=(ordered[value] / previous - 1.0) * 100.0)
    ordered = ordered[ordered["previous"].notna()]
    days = np.busday_count(before[ordered.index].to_numpy().astype("datetime64[D]"),
                           ordered["date"].to_numpy().astype("datetime64[D]"))
    return ordered.assign(days=np.maximum(days, 1))


def _beyond(moves: pd.DataFrame, limit: pd.Series | float) -> pd.Series:
    """Moves outside ``limit`` percent a day compounded over ``days`` (up (1+L)^n - 1, down 1 - (1-L)^n)."""
    rate = np.asarray(limit, dtype=float) / 100.0
    up = (np.power(1.0 + rate, moves["days"]) - 1.0) * 100.0
    down = (1.0 - np.power(np.clip(1.0 - rate, 0.0, None), moves["days"])) * 100.0
    return (moves["move"] > up) | (moves["move"] < -down)


def _day_fail(raw: RawTable, row: pd.Series, column: str, what: str) -> PackError:
    return PackError(f"{row.get('code', row.get('fund_code', ''))} {row.get('name', '')} 在 "
                     f"{row['date']:%Y-%m-%d} {what}{_EXEMPT_HINT}", file=str(raw.path), row=int(row[ROW]),
                     field=raw.headers.get(column, column))


def check_daily_moves(raw: RawTable, prices: pd.DataFrame, boards: dict[str, str], indices: Collection[str],
                      exempt: Collection[str] = ()) -> None:
    """Every day's close against the previous trading day's, within the board's price limit (plus rounding);
    indices and unlimited shares within a wide bound; market caps without ×3 jumps. The first day (the
    year-start base of 今年以来) is checked against the second like any other."""
    moves = _day_moves(prices[~prices["code"].isin(list(exempt))], "code", "close")
    if moves.empty:
        return
    first_names = moves.drop_duplicates("code")
    names = first_names["name"].astype(str) if "name" in moves else pd.Series("", index=first_names.index)
    limits = {code: price_limit(code, name, boards.get(code), indices)
              for code, name in zip(first_names["code"], names, strict=True)}
    bound = moves["code"].map(lambda c: limits[c][0] + (_TOLERANCE if limits[c][1] != "指数" else 0.0))
    bad = moves[_beyond(moves, bound)]
    if not bad.empty:
        first = bad.iloc[0]
        limit, label = limits[first["code"]]
        raise _day_fail(raw, first, "close", f"的日涨跌幅 {first['move']:+.2f}%（前一交易日收盘 "
                                              f"{first['previous']:g}，当日 {first['close']:g}，相隔 "
                                              f"{first['days']} 个工作日），超出{label}单日 ±{limit:g}% 的范围，疑似数据错误（未复权、单位或代码错误）")
    if "market_cap" in prices:
        caps = _day_moves(prices[~prices["code"].isin(list(exempt))], "code", "market_cap")
        ratio = caps["market_cap"] / caps["previous"]
        jumps = caps[((ratio > _CAP_JUMP) | (ratio < 1 / _CAP_JUMP)) & (caps["days"] <= 5)]
        if not jumps.empty:
            first = jumps.iloc[0]
            raise _day_fail(raw, first, "market_cap", f"的总市值由 {first['previous']:g} 变为 "
                                                      f"{first['market_cap']:g}（单日超过 {_CAP_JUMP:g} 倍），"
                                                      "疑似单位错误（元/万元/亿元）")


def check_nav_moves(raw: RawTable, navs: pd.DataFrame, exempt: Collection[str] = ()) -> None:
    """A fund NAV moves at most ±20 % a day (its holdings' price limits): beyond, a unit or typing error."""
    moves = _day_moves(navs[~navs["fund_code"].isin(list(exempt))], "fund_code", "nav")
    bad = moves[_beyond(moves, _NAV_DAY)]
    if not bad.empty:
        first = bad.iloc[0]
        raise _day_fail(raw, first, "nav", f"的单位净值由 {first['previous']:g} 变为 {first['nav']:g}"
                                           f"（日涨跌 {first['move']:+.2f}%，超出 ±{_NAV_DAY:g}%），疑似数据错误")


def check_financial_units(raw: RawTable, financials: pd.DataFrame) -> None:
    """A company's revenue in one period ×1000 (or ÷1000) away from the median of its other periods, or a net
    profit 100× its largest revenue, is in another unit (元 or 万元 instead of 亿元): growth rates would be absurd."""
    revenue = financials["revenue"].to_numpy(dtype=float)
    profit = financials["net_profit"].to_numpy(dtype=float) if "net_profit" in financials else None
    for code, rows in financials.groupby("code", sort=False).indices.items():
        values = revenue[rows]
        positive = np.flatnonzero(values > 0)
        for i in positive if len(positive) > 1 else ():
            median = float(np.median(values[positive[positive != i]]))
            ratio = float(values[i]) / median
            if ratio >= _UNIT_RATIO or ratio <= 1 / _UNIT_RATIO:
                raise _unit_fail(raw, financials, int(rows[i]), "revenue",
                                 f"{code} 的营业收入 {values[i]:g} 是其他报告期中位数 {median:g} 的 {ratio:.3g} 倍")
        if profit is not None and len(positive):
            scale = float(values[positive].max())
            huge = np.flatnonzero(np.abs(np.nan_to_num(profit[rows])) > 100 * scale)
            if len(huge):
                raise _unit_fail(raw, financials, int(rows[huge[0]]), "net_profit",
                                 f"{code} 的净利润 {profit[rows][huge[0]]:g} 超过其最大营业收入 {scale:g} 的 100 倍")


def _unit_fail(raw: RawTable, frame: pd.DataFrame, position: int, column: str, what: str) -> PackError:
    row = frame.iloc[position]
    return PackError(f"{what}（{row['period']}），疑似单位错误（元/万元而非亿元）", file=str(raw.path),
                     row=int(row[ROW]), field=raw.headers.get(column, column))
