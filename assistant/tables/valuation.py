"""Overall valuation of the theme index's constituents (VAL), by the aggregate ("整体法") method."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from assistant.models import Table
from assistant.pack.model import MarketPack
from assistant.tables.context import PriceContext, build_context
from assistant.tables.financials import Fundamentals
from assistant.tables.fmt import fmt_num, fmt_pct
from assistant.tables.market import constituent_returns, source_line

__all__ = ["ValuationFigures", "valuation", "valuation_facts", "valuation_figures"]

EXTREME_PE = 500.0  # above it the members barely earn in aggregate (drafting/market.py says the same in prose)
METHOD_NOTE = (
    "整体法：复合增长率 = (Σ{end}A / Σ{start}A)^(1/{years}) - 1，按同时披露两期数据的成分股加总；"
    "PE(TTM) = Σ月末总市值 / Σ净利润(TTM)，PS(TTM) = Σ月末总市值 / Σ营业收入(TTM)，"
    "按同时具备市值与 TTM 数据的成分股加总，亏损公司计入分母（与 Wind 板块整体估值口径一致）。"
)


@dataclass(frozen=True)
class ValuationFigures:
    """Unformatted figures; NaN when not computable."""

    revenue_cagr: float
    profit_cagr: float
    pe_ttm: float
    ps_ttm: float
    count: int
    start_year: int
    end_year: int


def _cagr(start: pd.Series, end: pd.Series, years: int) -> float:
    both = start.notna() & end.notna()
    s, e = float(start[both].sum()), float(end[both].sum())
    if not both.any() or s <= 0 or e <= 0:
        return math.nan
    return (e / s) ** (1 / years) - 1


def _ratio(caps: pd.Series, denom: pd.Series) -> float:
    both = caps.notna() & denom.notna()
    total = float(denom[both].sum())
    if not both.any() or total == 0:
        return math.nan
    return float(caps[both].sum()) / total


def valuation_figures(pack: MarketPack, ctx: PriceContext | None = None) -> ValuationFigures:
    ctx = ctx or build_context(pack)
    members = constituent_returns(pack, ctx)
    codes = list(members.index)
    funda = Fundamentals(pack)
    end_year = ctx.month.year - 1
    caps = members["market_cap"]

    def cagr(measure: str) -> float:
        return _cagr(funda.get(measure, f"{end_year - 3}A", codes), funda.get(measure, f"{end_year}A", codes), 3)

    return ValuationFigures(
        revenue_cagr=cagr("revenue"), profit_cagr=cagr("net_profit"),
        pe_ttm=_ratio(caps, funda.get("net_profit", "TTM", codes)),
        ps_ttm=_ratio(caps, funda.get("revenue", "TTM", codes)),
        count=len(codes), start_year=end_year - 3, end_year=end_year)


def valuation(pack: MarketPack, ctx: PriceContext | None = None) -> Table:
    ctx = ctx or build_context(pack)
    f = valuation_figures(pack, ctx)
    start, end = f.start_year, f.end_year
    d = ctx.end_date
    rows = [
        [f"营业收入复合增长率（{start}A-{end}A）", fmt_pct(f.revenue_cagr)],
        [f"净利润复合增长率（{start}A-{end}A）", fmt_pct(f.profit_cagr)],
        [f"市盈率 PE(TTM)（截至 {d.month} 月 {d.day} 日，倍）", fmt_num(f.pe_ttm)],
        [f"市销率 PS(TTM)（截至 {d.month} 月 {d.day} 日，倍）", fmt_num(f.ps_ttm)],
        ["成分股数（支）", str(f.count)],
    ]
    note = METHOD_NOTE.format(start=start, end=end, years=3)
    if f.pe_ttm < 0:  # NaN compares False: only a computed negative multiple gets the reason
        note += "成分股整体净利润（TTM）为亏损，PE(TTM) 为负，不具参考意义。"
    elif f.pe_ttm >= EXTREME_PE:
        note += f"PE(TTM) 达 {fmt_num(f.pe_ttm)} 倍：成分股整体微利，PE 不具参考意义。"
    return Table(
        id="VAL", key="valuation", title=f"{pack.config.theme_index.name}成分股整体估值",
        columns=["指标", "数值"], rows=rows, source=source_line(pack), note=note)


def valuation_facts(figures: ValuationFigures) -> dict[str, str]:
    return {
        "valuation.revenue_cagr": fmt_pct(figures.revenue_cagr),
        "valuation.profit_cagr": fmt_pct(figures.profit_cagr),
        "valuation.pe_ttm": fmt_num(figures.pe_ttm),
        "valuation.ps_ttm": fmt_num(figures.ps_ttm),
    }
