"""Market tables and charts computed from a MarketPack (pack -> tables): pure functions plus file adapters."""

from assistant.tables.charts import render_charts
from assistant.tables.companies import domestic_companies, overseas_companies
from assistant.tables.compute import compute_tables
from assistant.tables.context import PriceContext, build_context
from assistant.tables.files import write_table_files
from assistant.tables.funds import theme_funds
from assistant.tables.market import (
    bottom_movers,
    constituent_summary,
    index_performance,
    market_facts,
    top_movers,
)
from assistant.tables.valuation import valuation, valuation_figures

__all__ = [
    "PriceContext",
    "bottom_movers",
    "build_context",
    "compute_tables",
    "constituent_summary",
    "domestic_companies",
    "index_performance",
    "market_facts",
    "overseas_companies",
    "render_charts",
    "theme_funds",
    "top_movers",
    "valuation",
    "valuation_figures",
    "write_table_files",
]
