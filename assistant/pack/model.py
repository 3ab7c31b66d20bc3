"""The loaded market data pack: ``pack.yaml`` as a pydantic model plus validated pandas frames.

Frames use the English column names of the data contract, whatever headers the files had:
- prices:       date (datetime64[ns]), code (str), name (str), close (float), market_cap (float, may be NaN)
- constituents: index_code, code, name, board (one of BOARDS)
- financials:   code, name, period (str: 2020A..2023A, 2023Q1, 2024Q1, 2023H1, 2024H1, TTM), revenue, net_profit,
                currency (str, default CNY)
- funds:        fund_code (str, zero-padded as given), fund_name, fund_type, size (float, 亿元)
- fund_navs:    date (datetime64[ns]), fund_code (str), nav (float)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import pandas as pd
from pydantic import AfterValidator, BaseModel, Field

from assistant.safety import one_line

__all__ = ["BOARDS", "Analyst", "IndexRef", "MarketPack", "PackConfig", "Watchlists"]

BOARDS: tuple[str, ...] = ("主板", "创业板", "科创板", "中小板", "北交所")

# A pack field printed on one line (title block, 资料来源 lines, the disclaimer, page header): a line break typed
# into pack.yaml (``institution: "银河\n# 伪造"``) becomes a space instead of a heading in report.md.
Line = Annotated[str, AfterValidator(one_line)]


class IndexRef(BaseModel):
    code: Line
    name: Line


class Watchlists(BaseModel):
    domestic: list[Line] = Field(default_factory=list)
    overseas: list[Line] = Field(default_factory=list)


class Analyst(BaseModel):
    name: Line
    role: Line = "分析师"
    phone: Line = ""
    email: Line = ""
    certificate: Line = ""  # 分析师证书编码; research assistants may have none
    title: Line = ""  # e.g. "TMT/科创板研究负责人"
    bio: str = ""


class PackConfig(BaseModel):
    """``pack.yaml``. Fields beyond the contract's are optional extensions."""

    month: str  # "2024-07"
    series: Line = "人工智能月报"
    industry: Line = ""
    rating: Line = ""
    rating_action: Line = ""
    institution: Line = ""
    title: Line = ""  # report headline, optional
    theme_index: IndexRef
    sector_index: IndexRef
    benchmarks: list[IndexRef] = Field(default_factory=list)
    top_n: int = 10
    # plausibility band of a monthly return in percent; raise it only for a month that really moved more
    max_monthly_return: float = 300.0
    # codes (shares, indices, funds) whose day moves are real although beyond the plausibility bounds (a listing's
    # first unlimited days, a resumption after a restructuring): the check names this key when it refuses
    plausibility_exempt: list[str] = Field(default_factory=list)
    watchlists: Watchlists = Field(default_factory=Watchlists)
    funds: list[str] | None = None
    analysts: list[Analyst] = Field(default_factory=list)
    data_vendor: Line = "Wind"  # first name in "资料来源：Wind，<institution>"
    legal_entity: Line = ""  # the licensed company the disclaimer names, e.g. 中国银河证券股份有限公司
    qualification: Line = ""  # its regulatory qualification sentence (证券投资咨询业务资格)
    contacts: list[Line] = Field(default_factory=list)  # the 联系 block, one line each


@dataclass
class MarketPack:
    config: PackConfig
    prices: pd.DataFrame
    constituents: pd.DataFrame
    financials: pd.DataFrame
    funds: pd.DataFrame
    fund_navs: pd.DataFrame
    root: Path | None = None
    # sha256 over pack.yaml and the table files' bytes: ties a draft to its exact inputs
    content_hash: str = ""
    files: dict[str, str] = field(default_factory=dict)  # logical name -> file name used
