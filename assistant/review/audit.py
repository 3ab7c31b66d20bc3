"""The append-only audit log. There is deliberately no update or delete function here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.review.db import AuditLog
from assistant.review.views import AuditEntry, UserView

__all__ = ["SYSTEM_ACTOR", "list_entries", "record"]

SYSTEM_ACTOR = "system"


def record(session: Session, user: UserView | None, action: str, object_type: str, object_id: str | int, *,
           before: int | None = None, after: int | None = None, **detail: Any) -> None:
    """Add an entry inside the caller's transaction, so the action and its audit row commit together."""
    session.add(AuditLog(
        user_id=user.id if user else None,
        actor=user.name if user else SYSTEM_ACTOR,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before_version=before,
        after_version=after,
        detail=detail,
    ))


def list_entries(session: Session, *, object_type: str | None = None, object_id: str | int | None = None,
                 limit: int = 200) -> list[AuditEntry]:
    query = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    if object_type is not None:
        query = query.where(AuditLog.object_type == object_type)
    if object_id is not None:
        query = query.where(AuditLog.object_id == str(object_id))
    return [
        AuditEntry(id=a.id, actor=a.actor, action=a.action, object_type=a.object_type, object_id=a.object_id,
                   before_version=a.before_version, after_version=a.after_version, detail=a.detail or {},
                   created_at=a.created_at)
        for a in session.scalars(query)
    ]
