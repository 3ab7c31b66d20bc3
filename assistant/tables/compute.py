"""``compute_tables``: every market table and fact of one pack, pure and without I/O."""

from __future__ import annotations

from collections.abc import Callable

from assistant.models import Table, TableSet
from assistant.pack.model import MarketPack
from assistant.tables.companies import domestic_companies, overseas_companies
from assistant.tables.context import PriceContext, build_context
from assistant.tables.derived import history_facts, relative_facts
from assistant.tables.funds import theme_funds
from assistant.tables.market import (
    bottom_movers,
    constituent_summary,
    index_performance,
    market_facts,
    top_movers,
)
from assistant.tables.valuation import valuation, valuation_facts, valuation_figures

__all__ = ["TABLE_BUILDERS", "compute_tables"]

TableBuilder = Callable[[MarketPack, PriceContext | None], Table]

# Order of appearance in the seed's market review.
TABLE_BUILDERS: tuple[TableBuilder, ...] = (
    index_performance, constituent_summary, top_movers, bottom_movers, valuation,
    theme_funds, domestic_companies, overseas_companies,
)


def compute_tables(pack: MarketPack) -> TableSet:
    ctx = build_context(pack)
    tables = [build(pack, ctx) for build in TABLE_BUILDERS]
    facts = market_facts(pack, ctx) | valuation_facts(valuation_figures(pack, ctx))
    facts |= relative_facts(facts) | history_facts(pack)
    return TableSet(month=pack.config.month, tables=tables, facts=facts, pack_hash=pack.content_hash)
