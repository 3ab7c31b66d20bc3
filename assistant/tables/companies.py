"""Watchlist company tables: domestic (T4) and overseas (T5), as seed tables 4 and 5."""

from __future__ import annotations

from functools import partial

import pandas as pd

from assistant.models import Table
from assistant.pack.model import MarketPack
from assistant.tables.context import PriceContext, build_context
from assistant.tables.financials import Fundamentals, growth, latest_interim, ttm_growth
from assistant.tables.fmt import Formatter, fmt_num, fmt_pe, fmt_plain_pct, render_rows, short_name
from assistant.tables.market import source_line

__all__ = ["domestic_companies", "overseas_companies"]

def _names(pack: MarketPack, ctx: PriceContext, codes: list[str]) -> pd.Series:
    from_prices = ctx.snap["name"].reindex(codes)
    from_fin = pack.financials.drop_duplicates("code", keep="last").set_index("code")["name"].reindex(codes)
    return from_prices.combine_first(from_fin).fillna("")


def _as_of(ctx: PriceContext) -> str:
    d = ctx.end_date
    return f"（截至 {d.year}.{d.month}.{d.day}）"


def _base(pack: MarketPack, ctx: PriceContext, codes: list[str]) -> pd.DataFrame:
    snap = ctx.snap.reindex(codes)
    return pd.DataFrame({"code": codes, "name": _names(pack, ctx, codes), "cap": snap["market_cap"],
                         "ret": snap["ret"], "ytd": snap["ytd"]}, index=codes)


def domestic_companies(pack: MarketPack, ctx: PriceContext | None = None) -> Table:
    """Growth of the last fiscal year and the latest interim, PE/PS on TTM figures, returns."""
    ctx = ctx or build_context(pack)
    codes = list(pack.config.watchlists.domestic)
    funda = Fundamentals(pack)
    fy, year = ctx.month.year - 1, ctx.month.year
    interim = latest_interim(funda, year, codes) or f"{year}Q1"
    prior = f"{year - 1}{interim[4:]}"
    t = _base(pack, ctx, codes)
    for key, measure in (("rev", "revenue"), ("np", "net_profit")):
        t[f"fy_{key}"] = growth(funda.get(measure, f"{fy}A", codes), funda.get(measure, f"{fy - 1}A", codes))
        t[f"q_{key}"] = growth(funda.get(measure, interim, codes), funda.get(measure, prior, codes))
    ttm_np, ttm_rev = funda.get("net_profit", "TTM", codes), funda.get("revenue", "TTM", codes)
    t["pe"] = t["cap"] / ttm_np.where(ttm_np != 0)
    t["ps"] = t["cap"] / ttm_rev.where(ttm_rev > 0)
    # The seed's table 4 prints every number with thousands separators ("2,712.41", "-2,893.67").
    pct = partial(fmt_plain_pct, thousands=True)
    formats: dict[str, Formatter] = {
        "code": str, "name": str, "fy_rev": pct, "fy_np": pct, "q_rev": pct, "q_np": pct,
        "cap": partial(fmt_num, thousands=True), "pe": partial(fmt_pe, negative_as_dash=True),
        "ps": partial(fmt_num, thousands=True), "ret": pct, "ytd": pct}
    columns = ["证券代码", "证券简称", f"{fy}年营收增速(%)", f"{fy}年净利润增速(%)", f"{interim}营收增速(%)",
               f"{interim}净利润增速(%)", "总市值(亿元)", "市盈率PE(TTM)", "市销率PS(TTM)", "月涨跌幅(%)",
               "今年以来涨跌幅(%)"]
    theme = short_name(pack.config.theme_index.name)
    return Table(
        id="T4", key="domestic_companies", title=f"国内{theme}上市公司近况一览{_as_of(ctx)}",
        columns=columns, rows=render_rows(t, formats), source=source_line(pack),
        note=(f"增速 = (本期 - 上年同期) / |上年同期|；{interim} 对比 {prior}；PE/PS(TTM) = 月末总市值 / TTM "
              "净利润、营业收入，TTM 净利润为负时 PE 记为“-”。"))


def overseas_companies(pack: MarketPack, ctx: PriceContext | None = None) -> Table:
    """This year's H1 figures, TTM net-profit growth, PE/PS on the last fiscal year (LYR), returns."""
    ctx = ctx or build_context(pack)
    codes = list(pack.config.watchlists.overseas)
    funda = Fundamentals(pack)
    year = ctx.month.year
    t = _base(pack, ctx, codes)
    t["h1_rev"] = funda.get("revenue", f"{year}H1", codes)
    t["h1_rev_g"] = growth(t["h1_rev"], funda.get("revenue", f"{year - 1}H1", codes))
    t["h1_np"] = funda.get("net_profit", f"{year}H1", codes)
    t["np_1y"] = ttm_growth(funda, "net_profit", year, codes)
    lyr_np, lyr_rev = (funda.get(m, f"{year - 1}A", codes) for m in ("net_profit", "revenue"))
    t["pe"] = t["cap"] / lyr_np.where(lyr_np != 0)
    t["ps"] = t["cap"] / lyr_rev.where(lyr_rev > 0)
    formats: dict[str, Formatter] = {
        "code": str, "name": str, "h1_rev": fmt_num, "h1_rev_g": fmt_plain_pct, "h1_np": fmt_num,
        "np_1y": fmt_plain_pct, "cap": fmt_num, "pe": fmt_num, "ps": fmt_num, "ret": fmt_plain_pct,
        "ytd": fmt_plain_pct}
    columns = ["证券代码", "证券简称", "今年中报营业收入(亿元)", "今年中报营业收入同比增长率(%)",
               "今年中报净利润(亿元)", "净利润近1年增长率(%)", "总市值(亿美元)", "市盈率PE(LYR)",
               "市销率PS(LYR)", "月涨跌幅(%)", "今年以来涨跌幅(%)"]
    theme = short_name(pack.config.theme_index.name)
    return Table(
        id="T5", key="overseas_companies", title=f"境外上市{theme}企业近况一览{_as_of(ctx)}",
        columns=columns, rows=render_rows(t, formats), source=source_line(pack),
        note=("金额为上市地报告货币（亿）；净利润近 1 年增长率 = 最新 TTM 净利润 / 一年前 TTM 净利润 - 1，"
              "TTM = 上一财年 - 上年同期中报(或一季报) + 本年中报(或一季报)，分母取绝对值；"
              "PE/PS(LYR) = 月末总市值 / 上一财年净利润、营业收入，亏损时 PE 为负数照印。"))
