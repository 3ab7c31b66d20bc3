"""The sources a section's prompt is built from: numbered, packed within a token budget."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

__all__ = ["Dropped", "PackedContext", "Source"]


class Source(BaseModel):
    number: int
    doc_id: str
    title: str
    date: dt.date
    source: str
    url: str | None = None
    category: str = ""
    group: str = ""
    passage: str
    chunk_ids: list[str] = Field(default_factory=list)
    background: bool = False


class Dropped(BaseModel):
    doc_id: str
    chunk_id: str = ""
    tokens: int = 0
    reason: str  # "budget" | "instruction_like" | "duplicate"


class PackedContext(BaseModel):
    sources: list[Source] = Field(default_factory=list)
    dropped: list[Dropped] = Field(default_factory=list)
    tokens: int = 0

    def by_number(self) -> dict[int, Source]:
        return {s.number: s for s in self.sources}
