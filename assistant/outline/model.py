"""The analyst's outline (``views.yaml``, data contract 1b) once loaded: theses, advice and risks, stocks resolved.

Views are the analyst's and are printed as written; the assistant only adds evidence (cited news) and numbers
(computed tables). This module is pure pydantic so the engine contract may carry it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

__all__ = ["MARKETS", "AdviceTheme", "Outline", "StockRef", "Thesis"]

Market = Literal["A股", "港股", "美股", "其他"]
MARKETS: tuple[str, ...] = ("A股", "港股", "美股", "其他")


class StockRef(BaseModel):
    code: str
    name: str
    market: Market
    in_pack: bool = True  # False: the analyst gave the code explicitly for a name the pack does not list


class Thesis(BaseModel):
    headline: str
    view: str = ""  # the analyst's judgement, printed verbatim; "" leaves a visible slot
    evidence: str = ""  # retrieval query for supporting news; the headline when empty
    stocks: list[StockRef] = Field(default_factory=list)
    market: bool = False  # supported by the month's market figures instead of news

    @property
    def query(self) -> str:
        return self.evidence or self.headline


class AdviceTheme(BaseModel):
    theme: str
    stocks: list[StockRef] = Field(default_factory=list)
    evidence: str = ""  # retrieval query for the theme's catalysts; theme and stock names when empty

    @property
    def query(self) -> str:
        return self.evidence or " ".join([self.theme, *(s.name for s in self.stocks[:4])])


class Outline(BaseModel):
    title: str = ""
    theses: list[Thesis] = Field(default_factory=list)
    advice: list[AdviceTheme] = Field(default_factory=list)
    risks: list[str] = Field(default_factory=list)
    path: str = ""  # the views.yaml it was read from
