"""Read-only views the service hands out, so callers never hold live ORM objects across sessions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from assistant.models import Citation

__all__ = [
    "AuditEntry",
    "DraftView",
    "ExportGate",
    "InboxItem",
    "ReportState",
    "ReportSummary",
    "ReviewView",
    "SectionView",
    "SourceView",
    "SuggestionView",
    "UserView",
    "VersionView",
]


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class UserView(_View):
    id: int
    name: str
    role: str
    active: bool = True


class ReportSummary(_View):
    id: int
    month: str
    title: str
    engine: str
    out_dir: str
    created_at: dt.datetime
    section_count: int = 0
    approved_count: int = 0


class SectionView(_View):
    pk: int
    report_id: int
    section_id: str
    title: str
    order: int
    status: str
    current_version: int
    lock_version: int
    holder: str | None = None
    markdown: str = ""
    citations: list[Citation] = Field(default_factory=list)
    origin: str = "drafted"
    author: str | None = None


class VersionView(_View):
    number: int
    markdown: str
    citations: list[Citation] = Field(default_factory=list)
    author: str | None = None
    origin: str
    instruction: str | None = None
    provenance: dict[str, Any] | None = None
    created_at: dt.datetime


class ReviewView(_View):
    version_number: int
    reviewer: str
    decision: str
    comment: str
    created_at: dt.datetime


class SourceView(_View):
    marker: int
    doc_id: str
    title: str
    date: dt.date | None = None
    publisher: str = ""
    url: str | None = None
    passage: str = ""
    background: bool = False


class AuditEntry(_View):
    id: int
    actor: str
    action: str
    object_type: str
    object_id: str
    before_version: int | None = None
    after_version: int | None = None
    detail: dict[str, Any] = Field(default_factory=dict)
    created_at: dt.datetime


class ReportState(_View):
    """What the export gate looks at: section statuses plus the (reserved) compliance sign-off fields."""

    report_id: int
    sections: list[SectionView]
    signed_off_by: str | None = None
    signed_off_at: dt.datetime | None = None


class ExportGate(_View):
    allowed: bool
    blockers: list[str] = Field(default_factory=list)

    def __bool__(self) -> bool:
        return self.allowed


class SuggestionView(_View):
    """A regenerated text awaiting an editor's accept/reject; not a section version until accepted."""

    id: int
    section_pk: int
    base_version: int
    markdown: str
    instruction: str
    engine: str
    job_id: str | None = None
    author: str | None = None
    status: str = "open"
    reason: str | None = None
    version_number: int | None = None
    created_at: dt.datetime


class DraftView(_View):
    """A user's unsaved text of a section and the version it was typed against."""

    section_pk: int
    base_version: int
    markdown: str
    updated_at: dt.datetime


class InboxItem(_View):
    """One thing waiting for a user: kind is sent_back, to_approve, suggestion, findings or signoff_voided."""

    kind: str
    report_id: int
    section_pk: int | None = None
    title: str
    detail: str = ""
    created_at: dt.datetime | None = None
