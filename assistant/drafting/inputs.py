"""What one section's chain starts from: its spec, the month's tables, the retriever, drafted dependencies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from pydantic import BaseModel, Field

from assistant.drafting.template import ReportTemplate
from assistant.engine.packed import PackedContext
from assistant.engine.request import Editing
from assistant.engine.spec import SectionSpec
from assistant.errors import DraftingError
from assistant.models import Finding, Hit, NewsItem, SectionDraft, TableSet

__all__ = ["AnswerCheckFailure", "RetrievalRecord", "Retriever", "SectionFailure", "SectionInputs"]


class Retriever(Protocol):
    def search(self, query: str, *, k: int = 8, date_from: dt.date | None = None, date_to: dt.date | None = None,
               categories: list[str] | None = None, sources: list[str] | None = None) -> list[Hit]: ...

    def get_items(self, doc_ids: list[str]) -> dict[str, NewsItem]: ...


class SectionFailure(DraftingError):
    def __init__(self, message: str, findings: list[Finding]) -> None:
        super().__init__(message)
        self.findings = findings


class AnswerCheckFailure(SectionFailure):
    """The answer parsed but is not a section (``assistant.engine.answer``); a model gets one corrective retry.

    ``checked`` are the check's own findings (what the model is told); ``findings`` adds any note after them."""

    def __init__(self, checked: list[Finding], *, retried: bool = False, note: Finding | None = None) -> None:
        reasons = "；".join(f.detail for f in checked[:3])
        super().__init__(f"答案检查未通过{'（已请模型重答一次）' if retried else ''}：{reasons}",
                         [*checked, *([note] if note else [])])
        self.checked = checked


class RetrievalRecord(BaseModel):
    """The persisted retrieval stage of one section."""

    section: str
    groups: dict[str, list[Hit]] = Field(default_factory=dict)
    packed: PackedContext = Field(default_factory=PackedContext)


@dataclass
class SectionInputs:
    spec: SectionSpec
    template: ReportTemplate
    tables: TableSet
    window: tuple[dt.date, dt.date]
    values: dict[str, str]
    count: Callable[[str], int]
    context_tokens: int = 6000
    context_window: int | None = None  # the model's context (openai engine): packing fits prompt + output in it
    retriever: Retriever | None = None
    deps: dict[str, tuple[SectionDraft, PackedContext]] = field(default_factory=dict)
    editing: Editing = field(default_factory=Editing)
    prior: RetrievalRecord | None = None
    pack_hash: str = ""
    corpus_hash: str = ""
    deadline: float | None = None  # time.monotonic() by which the section's model calls have ended (issue 24)
