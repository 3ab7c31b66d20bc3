"""Facts derived from the computed ones, so prose and checks read the same numbers.

- ``relative.<code>``: the theme index's monthly return minus a benchmark's (or the sector index's), in percentage
  points, unsigned, and ``relative.<code>.sign`` (+, - or 0) for the 跑赢/跑输 the prose chooses by code.
- ``valuation.pe_year_start`` and ``valuation.year_start_date``: valuation against its own history as far as a
  month's pack allows: the members' market cap on the pack's first day (the previous year end) over the previous
  year's annual net profit. A pack holds no longer history, and nothing is made up for it.
"""

from __future__ import annotations

import math

from assistant.pack.model import MarketPack
from assistant.tables.fmt import fmt_num

__all__ = ["history_facts", "relative_facts"]


def _pct(value: str) -> float | None:
    try:
        return float(value.replace("%", "").replace(",", ""))
    except ValueError:
        return None


def relative_facts(facts: dict[str, str]) -> dict[str, str]:
    theme = _pct(facts.get("theme_index.return", ""))
    if theme is None:
        return {}
    codes = sorted({k.split(".", 1)[1].rsplit(".", 1)[0] for k in facts
                    if k.startswith("benchmark.") and k.endswith(".return")})
    refs = [(c, f"benchmark.{c}") for c in codes] + [(facts.get("sector_index.code", ""), "sector_index")]
    out: dict[str, str] = {}
    for code, prefix in refs:
        other = _pct(facts.get(f"{prefix}.return", ""))
        if code and other is not None:
            diff = round(theme - other, 2)
            out[f"relative.{code}"] = f"{abs(diff):.2f}"
            out[f"relative.{code}.sign"] = "+" if diff > 0 else ("-" if diff < 0 else "0")
    return out


def history_facts(pack: MarketPack) -> dict[str, str]:
    year = int(pack.config.month[:4])
    cons = pack.constituents
    if "index_code" in cons.columns:
        cons = cons[cons["index_code"] == pack.config.theme_index.code]
    members = set(cons["code"])
    prices = pack.prices[pack.prices["code"].isin(members)]
    if prices.empty or "market_cap" not in prices.columns:
        return {}
    first = prices["date"].min()
    if first.year != year - 1:
        return {}
    caps = prices[prices["date"] == first].drop_duplicates("code").set_index("code")["market_cap"]
    fin = pack.financials
    profit = fin[(fin["period"] == f"{year - 1}A") & fin["code"].isin(members)].drop_duplicates("code")
    profit = profit.set_index("code")["net_profit"]
    both = [c for c in caps.index.intersection(profit.index)
            if not math.isnan(float(caps[c])) and not math.isnan(float(profit[c]))]
    total = float(profit[both].sum()) if both else 0.0
    if total <= 0:
        return {}
    return {"valuation.pe_year_start": fmt_num(float(caps[both].sum()) / total),
            "valuation.year_start_date": first.date().isoformat()}
