"""Company fundamentals: wide period frames, growth with a negative base, trailing-twelve-month figures."""

from __future__ import annotations

import numpy as np
import pandas as pd

from assistant.pack.model import MarketPack
from assistant.tables.context import wide

__all__ = ["INTERIMS", "Fundamentals", "growth", "latest_interim", "ttm_growth"]

# Cumulative interim reports from the latest in the year to the earliest.
INTERIMS: tuple[str, ...] = ("Q3", "H1", "Q1")


class Fundamentals:
    """``revenue`` and ``net_profit`` as code x period frames (periods as in the file: 2023A, 2024Q1, TTM)."""

    def __init__(self, pack: MarketPack) -> None:
        fin = pack.financials
        self.revenue = wide(fin, "code", "period", "revenue", "financials")
        self.net_profit = wide(fin, "code", "period", "net_profit", "financials")

    def get(self, measure: str, period: str, codes: pd.Index | list[str]) -> pd.Series:
        frame: pd.DataFrame = getattr(self, measure)
        col = frame[period] if period in frame.columns else pd.Series(np.nan, index=frame.index)
        return col.reindex(codes).astype(float)


def growth(cur: pd.Series, prev: pd.Series) -> pd.Series:
    """(cur - prev) / |prev|: a loss narrowing reads as growth; a zero base is not computable."""
    base = prev.abs().where(prev != 0)
    return (cur - prev) / base


def latest_interim(funda: Fundamentals, year: int, codes: list[str]) -> str | None:
    """Latest cumulative interim period of ``year`` that some of ``codes`` have reported."""
    have = funda.revenue.reindex(codes)
    for suffix in INTERIMS:
        period = f"{year}{suffix}"
        if period in have.columns and have[period].notna().any():
            return period
    return None


def _ttm(funda: Fundamentals, measure: str, year: int, suffix: str, codes: list[str]) -> pd.Series:
    """TTM at interim ``suffix`` of ``year`` = FY(year-1) - interim(year-1) + interim(year)."""
    return (funda.get(measure, f"{year - 1}A", codes) - funda.get(measure, f"{year - 1}{suffix}", codes)
            + funda.get(measure, f"{year}{suffix}", codes))


def ttm_growth(funda: Fundamentals, measure: str, year: int, codes: list[str]) -> pd.Series:
    """Growth of the latest TTM over the TTM one year earlier, per code.

    Each company uses its own latest interim of ``year`` that can be compared with a year earlier (H1 if
    published, else Q1), so a company that has not reported H1 yet still gets a figure.
    """
    result = pd.Series(np.nan, index=pd.Index(codes), dtype=float)
    for suffix in INTERIMS:
        now = _ttm(funda, measure, year, suffix, codes)
        before = _ttm(funda, measure, year - 1, suffix, codes)
        result = result.combine_first(growth(now, before))
    return result
