"""Review store (SQLAlchemy + Alembic) and the service layer of the editorial workflow."""

from __future__ import annotations

from assistant.review.database import init_db, make_engine, resolve_database_url
from assistant.review.diffing import DiffRow, VersionDiff, diff_texts
from assistant.review.policy import PERMISSIONS, allowed, can_export, require
from assistant.review.service import ReviewService
from assistant.review.users import add_user, authenticate, list_users, set_active
from assistant.review.views import (
    AuditEntry,
    ExportGate,
    ReportState,
    ReportSummary,
    ReviewView,
    SectionView,
    SourceView,
    UserView,
    VersionView,
)

__all__ = [
    "PERMISSIONS",
    "AuditEntry",
    "DiffRow",
    "ExportGate",
    "ReportState",
    "ReportSummary",
    "ReviewService",
    "ReviewView",
    "SectionView",
    "SourceView",
    "UserView",
    "VersionDiff",
    "VersionView",
    "add_user",
    "allowed",
    "authenticate",
    "can_export",
    "diff_texts",
    "init_db",
    "list_users",
    "make_engine",
    "require",
    "resolve_database_url",
    "set_active",
]
