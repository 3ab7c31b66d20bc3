"""Pydantic models at the boundaries between stages. They mirror the data contract's ``report.json``.

The data walk: pack -> TableSet; corpus -> NewsItem -> Chunk -> store -> Hit; template -> SectionDraft -> Report.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

__all__ = [
    "CATEGORIES",
    "SECTION_STATUSES",
    "Chart",
    "Chunk",
    "Citation",
    "Finding",
    "Hit",
    "NewsItem",
    "Provenance",
    "Report",
    "SectionDraft",
    "SourceRef",
    "Table",
    "TableSet",
]

CATEGORIES: tuple[str, ...] = (
    "data_policy", "data_exchange", "llm_domestic", "llm_foreign", "compute",
    "tech_frontier", "policy", "product", "funding", "other",
)

SECTION_STATUSES = ("draft", "failed", "approved", "rejected", "changes_requested")


# ---------------------------------------------------------------- tables (pack -> tables)
class Table(BaseModel):
    """A computed table, already formatted the way the report prints it (strings, blank = not computable)."""

    id: str  # "T1"... ; stable ids also used in placeholders like {T1.寒武纪-U.月涨跌幅}
    key: str = ""  # semantic name, e.g. "top_movers", "index_performance"
    title: str  # "表 1：7 月份人工智能板块涨幅前十"
    columns: list[str]
    rows: list[list[str]]
    source: str  # "资料来源：Wind，中国银河证券研究院"
    note: str = ""  # e.g. the aggregation method of the valuation table


class Chart(BaseModel):
    id: str  # "F1"
    key: str = ""
    title: str  # "图 1：7 月人工智能指数表现"
    path: str  # relative to the output folder, e.g. "charts/F1_index_performance.png"
    source: str


class TableSet(BaseModel):
    """Everything computed from one market data pack."""

    month: str  # "2024-07"
    tables: list[Table] = Field(default_factory=list)
    charts: list[Chart] = Field(default_factory=list)
    # Named, formatted facts for the narrative ("theme_index.close": "5257.12", "constituents.count": "71").
    facts: dict[str, str] = Field(default_factory=dict)
    pack_hash: str = ""

    def table(self, table_id_or_key: str) -> Table | None:
        for t in self.tables:
            if table_id_or_key in (t.id, t.key):
                return t
        return None


# ---------------------------------------------------------------- corpus (corpus -> store -> hits)
class NewsItem(BaseModel):
    doc_id: str
    date: dt.date
    title: str
    body: str
    source: str
    url: str | None = None
    category: str | None = None
    category_method: Literal["given", "rules", "llm"] | None = None
    duplicate_of: str | None = None  # doc_id of the item this one near-duplicates
    flags: list[str] = Field(default_factory=list)  # e.g. "instruction_like" from hygiene checks
    # funding items' structured fields (contract section 2): company, sector, intro, round, amount, investors
    fields: dict[str, str] = Field(default_factory=dict)
    images: list[str] = Field(default_factory=list)  # captions (or file names) of the item's figures, in order
    # Ingestion provenance (issue 14): where the date came from (record, front_matter, sidecar, page_metadata, feed,
    # document_metadata, url, text), the input form (jsonl, csv, front_matter, page, pdf, docx, feed) and the
    # language (ISO 639-1; an item not in the report's language is flagged "foreign_language").
    date_origin: str | None = None
    input_format: str | None = None
    language: str | None = None
    original_title: str | None = None  # the title as published when ``title`` holds a model's translation
    translated_summary: str | None = None  # a model's summary, in the report's language, of a foreign item
    # What kind of source this is (issue 21; list and labels in assistant/corpus/source_kinds.yaml): news, official,
    # company, release, broker_research, internal_note, other. Broker research and internal notes are never cited.
    source_kind: str = "news"
    # The publisher could not be determined: ``source`` reads 【来源待补】 and any citation of it is blocking.
    source_pending: bool = False


class Chunk(BaseModel):
    chunk_id: str  # f"{doc_id}#{index}"
    doc_id: str
    index: int
    text: str
    tokens: int
    date: dt.date
    title: str
    source: str
    category: str
    url: str | None = None


class Hit(BaseModel):
    """One retrieval result."""

    doc_id: str
    chunk_id: str
    text: str
    score: float
    title: str
    date: dt.date
    source: str
    category: str
    url: str | None = None


# ---------------------------------------------------------------- drafting (template -> chain -> draft)
class Citation(BaseModel):
    marker: int  # the [n] as printed in the report (report-global numbering)
    doc_id: str


class SourceRef(BaseModel):
    marker: int
    doc_id: str
    title: str
    date: dt.date
    source: str
    url: str | None = None
    passage: str = ""  # the retrieved text the section was given
    background: bool = False  # cited on purpose although outside the report window


class Provenance(BaseModel):
    engine: str
    model: str | None = None
    parameters: dict[str, float | int | str | None] = Field(default_factory=dict)
    template_id: str = ""
    template_hash: str = ""
    retrieved_doc_ids: list[str] = Field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    latency_s: float = 0.0
    pack_hash: str = ""
    corpus_hash: str = ""
    attempts: int = 1
    # The model could not produce the section and the offline engine drafted it (issue 24): said in the report.
    fallback: bool = False
    fallback_reason: str = ""


class Finding(BaseModel):
    """A problem found by drafting or by a compliance check."""

    section: str
    kind: str  # e.g. "invented_citation", "unsupported", "table_mismatch", "forbidden_wording"
    ok: bool = False
    severity: Literal["blocking", "warning", "info"] = "blocking"
    detail: str = ""
    sentence: str = ""
    evidence: str = ""  # e.g. the closest passage of the cited source
    marker: int | None = None


class SectionDraft(BaseModel):
    id: str
    title: str
    # the numbered chapter heading this section opens (e.g. "二、人工智能产业政策动态" before "（一）数据要素…")
    chapter: str = ""
    markdown: str = ""
    citations: list[Citation] = Field(default_factory=list)
    tables: list[str] = Field(default_factory=list)
    charts: list[str] = Field(default_factory=list)
    status: str = "draft"
    error: str | None = None
    provenance: Provenance | None = None
    findings: list[Finding] = Field(default_factory=list)
    # the answer check's verdict (assistant.engine.answer): "passed" | "needs_review" | "failed"; None = not run
    answer_check: str | None = None


class Report(BaseModel):
    """``report.json``: the data contract's fields plus provenance."""

    month: str
    title: str = ""
    series: str = ""
    industry: str = ""
    rating: str = ""
    rating_action: str = ""
    institution: str = ""
    legal_entity: str = ""  # pack.yaml's licensed company; the disclaimer line names it (institution if empty)
    # pack.yaml's analysts as plain dicts (name, role, phone, email, certificate, title, bio) for the title block
    analysts: list[dict[str, str]] = Field(default_factory=list)
    engine: str
    template_id: str = ""
    pack_hash: str = ""
    corpus_hash: str = ""
    created_at: dt.datetime | None = None
    sections: list[SectionDraft] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)
    charts: list[Chart] = Field(default_factory=list)
    sources: list[SourceRef] = Field(default_factory=list)
    checks: list[Finding] = Field(default_factory=list)

    def section(self, section_id: str) -> SectionDraft | None:
        return next((s for s in self.sections if s.id == section_id), None)
