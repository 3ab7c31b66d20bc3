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
    fields: dict[str, str] = Field(default_factory=dict)  # the item's structured fields (NewsItem.fields)
    images: list[str] = Field(default_factory=list)       # the item's figure captions (NewsItem.images)
    whole: bool = False  # passage is the whole item body, not retrieved chunks
    translated_summary: str = ""  # a model's summary in the report's language of a foreign item (NewsItem)


class Dropped(BaseModel):
    doc_id: str
    chunk_id: str = ""
    tokens: int = 0
    reason: str  # "budget" | "instruction_like" | "duplicate"
    title: str = ""
    date: dt.date | None = None
    background: bool = False  # outside the report window


class PackedContext(BaseModel):
    sources: list[Source] = Field(default_factory=list)
    dropped: list[Dropped] = Field(default_factory=list)
    tokens: int = 0

    def by_number(self) -> dict[int, Source]:
        return {s.number: s for s in self.sources}
