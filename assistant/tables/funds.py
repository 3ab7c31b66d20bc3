"""Theme funds (T3): size, month-end NAV and 1/3/6-month returns from adjusted NAVs."""

from __future__ import annotations

import numpy as np
import pandas as pd

from assistant.errors import PackError
from assistant.models import Table
from assistant.pack.model import MarketPack
from assistant.tables.context import PriceContext, asof_values, build_context, wide
from assistant.tables.fmt import Formatter, fmt_num, fmt_plain_pct, render_rows, short_name
from assistant.tables.market import source_line

__all__ = ["HORIZONS", "fund_returns", "theme_funds"]

HORIZONS: tuple[int, ...] = (1, 3, 6)


def _text(value: object) -> str:
    return "" if pd.isna(value) else str(value)  # type: ignore[call-overload]


def _fund_codes(pack: MarketPack) -> list[str]:
    listed = pack.config.funds
    if listed is None:
        return sorted(pack.funds["fund_code"].astype(str).unique())
    known = set(pack.funds["fund_code"].astype(str))
    for code in listed:
        if code not in known:
            raise PackError(f"pack.yaml 列出的基金 {code} 不在基金文件中", file="funds", field="fund_code")
    return list(listed)


def fund_returns(pack: MarketPack, ctx: PriceContext, codes: list[str]) -> pd.DataFrame:
    """NAV at the month's last trading day and the k-month returns.

    The base of a k-month return is the last NAV on or before the calendar end of the month k months back;
    a fund without a NAV by then (launched later) gets NaN, never a return over a shorter period.
    """
    navs = pack.fund_navs[pack.fund_navs["fund_code"].isin(codes)]
    table = wide(navs, "date", "fund_code", "nav", "fund_navs")
    dates = [ctx.end_date] + [(ctx.month - k).end_time.normalize() for k in HORIZONS]
    picked = asof_values(table, dates).reindex(codes)
    out = pd.DataFrame({"nav": picked[0]}, index=codes)
    for i, k in enumerate(HORIZONS, start=1):
        out[f"r{k}"] = picked[0] / picked[i] - 1
    return out.replace([np.inf, -np.inf], np.nan)


def theme_funds(pack: MarketPack, ctx: PriceContext | None = None) -> Table:
    ctx = ctx or build_context(pack)
    codes = _fund_codes(pack)
    info = pack.funds.assign(fund_code=pack.funds["fund_code"].astype(str))
    info = info.drop_duplicates("fund_code").set_index("fund_code").reindex(codes)
    perf = fund_returns(pack, ctx, codes)
    frame = perf.assign(code=codes, fund_name=info["fund_name"], fund_type=info["fund_type"],
                        size=info["size"])
    formats: dict[str, Formatter] = {"code": str, "fund_name": _text, "fund_type": _text, "size": fmt_num,
                                     "nav": fmt_num, **{f"r{k}": fmt_plain_pct for k in HORIZONS}}
    rows = render_rows(frame, formats)
    m, d = ctx.end_date.month, ctx.end_date.day
    return Table(
        id="T3", key="funds", title=f"{short_name(pack.config.theme_index.name)}主题基金一览",
        columns=["基金代码", "基金简称(官方)", "基金类型", "基金规模(亿元)", f"{m}月{d}日收盘价(元)",
                 *(f"近{k}月回报(%)" for k in HORIZONS)],
        rows=rows, source=source_line(pack),
        note="近 k 月回报 = 月末复权净值 / 第 k 个月前月末当日或之前最后一个净值 - 1；成立晚于该日的基金留空。")
