"""Tiny hand-made MarketPacks for edge cases the sample pack does not exercise."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from assistant.pack.model import IndexRef, MarketPack, PackConfig, Watchlists

__all__ = ["tiny_pack"]


def tiny_pack(prices: list[tuple[str, str, float]], *, financials: Sequence[tuple[str, str, float, float]] = (),
              navs: Sequence[tuple[str, str, float]] = (), domestic: Sequence[str] = (),
              overseas: Sequence[str] = ()) -> MarketPack:
    """A hand-made pack: prices as (date, code, close); every code "S<digits>" is a constituent."""
    price = pd.DataFrame(prices, columns=["date", "code", "close"]).assign(
        date=lambda f: pd.to_datetime(f["date"]), name=lambda f: f["code"] + "名", market_cap=10.0)
    stocks = sorted({c for _, c, _ in prices if c[0] == "S" and c[1:].isdigit()})
    cons = pd.DataFrame({"index_code": "IDX", "code": stocks, "name": [f"{c}名" for c in stocks],
                         "board": "主板"})
    fin = pd.DataFrame(list(financials), columns=["code", "period", "revenue", "net_profit"]).assign(
        name="x", currency="CNY")
    fund_codes = sorted({c for _, c, _ in navs})
    funds = pd.DataFrame({"fund_code": fund_codes, "fund_name": fund_codes, "fund_type": "契约型开放式",
                          "size": 1.0})
    nav = pd.DataFrame(list(navs), columns=["date", "fund_code", "nav"]).assign(
        date=lambda f: pd.to_datetime(f["date"]))
    config = PackConfig(month="2024-07", institution="测试研究院", theme_index=IndexRef(code="IDX", name="测试指数"),
                        sector_index=IndexRef(code="SEC", name="计算机行业指数"), top_n=2,
                        watchlists=Watchlists(domestic=list(domestic), overseas=list(overseas)))
    return MarketPack(config=config, prices=price, constituents=cons, financials=fin, funds=funds,
                      fund_navs=nav, content_hash="tiny")
