"""ORM tables of the review store. The schema itself is created by the Alembic migrations beside this file.

Versions, reviews and the audit log are append-only: the service layer never updates them, and the migration
adds database triggers that refuse UPDATE/DELETE on ``audit_log``. Migration 0002 adds compliance findings and
sign-offs, and a trigger that voids a report's sign-off when any of its sections gets a new version.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from assistant.safety import strip_control

__all__ = [
    "DECISIONS",
    "FINDING_STATUSES",
    "ORIGINS",
    "REVIEW_STATUSES",
    "ROLES",
    "SUGGESTION_STATUSES",
    "AppSetting",
    "AuditLog",
    "AuthSession",
    "Base",
    "EditDraft",
    "FindingRow",
    "ReportRow",
    "Review",
    "Section",
    "SectionVersion",
    "SignInAttempt",
    "Signoff",
    "Source",
    "SuggestionRow",
    "User",
    "utcnow",
]

ROLES: tuple[str, ...] = ("analyst", "editor", "compliance", "admin")
REVIEW_STATUSES: tuple[str, ...] = ("draft", "approved", "rejected", "changes_requested")
ORIGINS: tuple[str, ...] = ("drafted", "edited", "regenerated")
DECISIONS: tuple[str, ...] = ("approve", "reject", "request_changes")
FINDING_STATUSES: tuple[str, ...] = ("open", "resolved")
SUGGESTION_STATUSES: tuple[str, ...] = ("open", "accepted", "rejected", "superseded")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReportRow(Base):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    title: Mapped[str] = mapped_column(String(300), default="")
    engine: Mapped[str] = mapped_column(String(40), default="")
    out_dir: Mapped[str] = mapped_column(Text, default="")
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Reserved for the compliance sign-off gate (added by a later issue).
    signed_off_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    signed_off_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    signoff_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    # set when a later import of the same folder replaced this one (migration 0003): archived, never deleted
    replaced_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Import attaches the drafted report's findings here so they are saved in the same flush as the report.
    findings: Mapped[list[FindingRow]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class Section(Base):
    __tablename__ = "sections"
    __table_args__ = (UniqueConstraint("report_id", "section_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(300), default="")
    order: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    held_since: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    # A concurrent writer that read the row before us makes our UPDATE match no row: StaleDataError.
    __mapper_args__ = {"version_id_col": lock_version}  # noqa: RUF012 (SQLAlchemy declares it)


class SectionVersion(Base):
    __tablename__ = "section_versions"
    __table_args__ = (UniqueConstraint("section_pk", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    section_pk: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    markdown: Mapped[str] = mapped_column(Text)
    citations: Mapped[list[Any]] = mapped_column(JSON)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    origin: Mapped[str] = mapped_column(String(20))
    instruction: Mapped[str | None] = mapped_column(Text, nullable=True)
    provenance: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Review(Base):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    section_pk: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"), index=True)
    version_number: Mapped[int] = mapped_column(Integer)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Source(Base):
    __tablename__ = "sources"
    __table_args__ = (UniqueConstraint("report_id", "marker"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    marker: Mapped[int] = mapped_column(Integer)
    doc_id: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(Text)
    date: Mapped[dt.date | None] = mapped_column(nullable=True)
    publisher: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str | None] = mapped_column(Text, nullable=True)
    passage: Mapped[str] = mapped_column(Text, default="")
    background: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditLog(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(120))
    before_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    after_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # hash chain (migration 0005): see assistant.review.audit
    prev_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    row_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # fingerprint of the HMAC key that sealed the row (migration 0007); NULL: an unkeyed row from before 0007
    key_id: Mapped[str | None] = mapped_column(String(16), nullable=True)


class FindingRow(Base):
    """One compliance finding of a report; ``version`` is the section version the check ran on."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[str] = mapped_column(String(80))
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    kind: Mapped[str] = mapped_column(String(60))
    severity: Mapped[str] = mapped_column(String(20))
    sentence: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    marker: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="open")
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Signoff(Base):
    """A compliance sign-off of the exact section versions in ``versions`` ({section_id: version})."""

    __tablename__ = "signoffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    comment: Mapped[str] = mapped_column(Text, default="")
    versions: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # {section_id: sha256 of the signed version's text} (migration 0005): binds the sign-off to the content
    text_hashes: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)



class SuggestionRow(Base):
    """A regenerated text offered to the editors; it becomes a section version only when accepted."""

    __tablename__ = "suggestions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    section_pk: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"), index=True)
    base_version: Mapped[int] = mapped_column(Integer)
    markdown: Mapped[str] = mapped_column(Text)
    instruction: Mapped[str] = mapped_column(Text, default="")
    engine: Mapped[str] = mapped_column(String(40), default="")
    job_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    provenance: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="open")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    version_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EditDraft(Base):
    """An editor's unsaved text of a section (one per user and section), offered back when they return."""

    __tablename__ = "edit_drafts"
    __table_args__ = (UniqueConstraint("user_id", "section_pk"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    section_pk: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"))
    base_version: Mapped[int] = mapped_column(Integer)
    markdown: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuthSession(Base):
    """A sign-in session; the browser holds only its id, signed. Sign-out sets ``revoked_at``."""

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    address: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SignInAttempt(Base):
    __tablename__ = "sign_in_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    address: Mapped[str] = mapped_column(String(64), default="", index=True)
    ok: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class AppSetting(Base):
    """Workspace settings an admin changes at run time (e.g. ``four_eyes``) and the session-signing key."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def _clean_strings(_mapper: Any, _connection: Any, target: Any) -> None:
    """Last net before the database: PostgreSQL refuses NUL in text and lone surrogates fail to encode.

    The service removes control characters where a person typed them (and audits it); this catches every other
    path (imported titles, comments, reasons) so no text column can make a write raise ``DataError``.
    """
    for attr in inspect(target).mapper.column_attrs:
        value = getattr(target, attr.key, None)
        if isinstance(value, str):
            cleaned = strip_control(value)[0]
            if cleaned != value:
                setattr(target, attr.key, cleaned)


event.listen(Base, "before_insert", _clean_strings, propagate=True)
event.listen(Base, "before_update", _clean_strings, propagate=True)
