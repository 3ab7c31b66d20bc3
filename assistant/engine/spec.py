"""What a section is (kind, retrieval, budget): the part of the report template every engine reads."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from assistant.outline.model import AdviceTheme, Thesis

__all__ = ["RetrievalSpec", "SectionKind", "SectionSpec"]

SectionKind = Literal["core_views", "market", "digest", "writeup", "advice", "static", "disclosures"]


class RetrievalSpec(BaseModel):
    """One retrieval: the queries, the category filter and the date window (report month unless background)."""

    title: str = ""  # a digest group's table title, e.g. "数据要素最新新闻及政策"
    queries: list[str]
    categories: list[str] | None = None
    background: bool = False
    k: int = 8
    max_items: int = 8
    source_line: str = ""  # "资料来源：…" prefix for a digest table; the institution is appended


class SectionSpec(BaseModel):
    id: str
    title: str
    chapter: str = ""  # the numbered chapter heading this section opens, e.g. "二、人工智能产业政策动态"
    kind: SectionKind
    prompt: str = ""  # prompt file for the model engine, relative to prompts/
    offline: str = ""  # data-to-text file for the offline engine (market sections)
    retrieval: list[RetrievalSpec] = Field(default_factory=list)
    tables: list[str] = Field(default_factory=list)
    required_tables: list[str] = Field(default_factory=list)
    charts: list[str] = Field(default_factory=list)
    budget_tokens: int = 1200
    depends_on: list[str] = Field(default_factory=list)
    label: str = ""  # short label used when core_views summarises this section
    lead: str = ""  # offline lead sentence template (strict renderer variables)
    themes: list[str] = Field(default_factory=list)  # investment_advice: configured focus directions
    items: list[str] = Field(default_factory=list)  # static sections: the configured bullet items
    columns: list[str] = Field(default_factory=list)  # digest table columns
    theses: list[Thesis] = Field(default_factory=list)  # core_views: the analyst's outline, when given
    advice: list[AdviceTheme] = Field(default_factory=list)  # investment_advice: the analyst's directions
