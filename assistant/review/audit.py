"""The append-only audit log, hash-chained. There is deliberately no update or delete function here.

Each row written here carries ``prev_hash`` (the chain value of the row before it, by id) and ``row_hash`` =
sha256(prev_hash + the row's canonical content). ``verify_chain`` walks the log in id order: a row inserted by
hand (no or a wrong hash), a changed row or a deleted one (the next row's ``prev_hash`` no longer matches) is
reported. Rows the database itself writes (the sign-off void trigger of migration 0002) carry no hash; they are
accepted only for that action and only when the section version they name exists, and chained implicitly.
A writer holds a lock while it reads the last hash and appends, so concurrent writers cannot fork the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from assistant.review.db import AuditLog, SectionVersion, utcnow
from assistant.review.views import AuditEntry, UserView

__all__ = ["GENESIS", "SYSTEM_ACTOR", "ChainProblem", "chain_hash", "list_entries", "record", "sealed",
           "verify_chain"]

SYSTEM_ACTOR = "system"
GENESIS = "0" * 64
_TRIGGER_ACTIONS = frozenset({"signoff_invalidated"})
_PG_LOCK_KEY = 0x52415544  # "RAUD": one advisory lock id for appending to the audit chain


def _utc_text(value: dt.datetime | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):  # SQLite rows written by a trigger come back as text when not parsed
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(timespec="seconds")


def _content(row: AuditLog) -> str:
    return json.dumps([row.user_id, row.actor, row.action, row.object_type, row.object_id, row.before_version,
                       row.after_version, row.detail or {}, _utc_text(row.created_at)],
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def chain_hash(prev: str, row: AuditLog) -> str:
    return hashlib.sha256((prev + _content(row)).encode("utf-8")).hexdigest()


def sealed(row: AuditLog) -> bool:
    """The row's own seal is consistent (a hand-made INSERT without the chain fails this)."""
    return row.row_hash is not None and row.prev_hash is not None and chain_hash(row.prev_hash, row) == row.row_hash


def _lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})


def _last_hash(session: Session) -> str:
    last = session.scalar(select(AuditLog).order_by(AuditLog.id.desc()).limit(1))
    if last is None:
        return GENESIS
    if last.row_hash is not None:
        return last.row_hash
    # A trigger-written row: chain through it from the row before it.
    before = session.scalar(select(AuditLog.row_hash).where(AuditLog.id < last.id, AuditLog.row_hash.is_not(None))
                            .order_by(AuditLog.id.desc()).limit(1))
    prev = before or GENESIS
    for row in session.scalars(select(AuditLog).where(AuditLog.id > _id_of(session, before), AuditLog.id <= last.id)
                               .order_by(AuditLog.id)):
        prev = row.row_hash or chain_hash(prev, row)
    return prev


def _id_of(session: Session, row_hash: str | None) -> int:
    if row_hash is None:
        return 0
    return int(session.scalar(select(AuditLog.id).where(AuditLog.row_hash == row_hash)) or 0)


def record(session: Session, user: UserView | None, action: str, object_type: str, object_id: str | int, *,
           before: int | None = None, after: int | None = None, **detail: Any) -> None:
    """Add an entry inside the caller's transaction, so the action and its audit row commit together."""
    session.flush()  # rows a trigger adds for this transaction's earlier writes come before this one
    _lock(session)
    row = AuditLog(
        user_id=user.id if user else None,
        actor=user.name if user else SYSTEM_ACTOR,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before_version=before,
        after_version=after,
        detail=json.loads(json.dumps(detail, ensure_ascii=False, default=str)),
        created_at=utcnow().replace(microsecond=0),
    )
    row.prev_hash = _last_hash(session)
    row.row_hash = chain_hash(row.prev_hash, row)
    session.add(row)


@dataclass(frozen=True)
class ChainProblem:
    row_id: int
    action: str
    problem: str  # Chinese, for the verify command's output


def _trigger_row_ok(session: Session, row: AuditLog) -> bool:
    detail = row.detail or {}
    if row.action not in _TRIGGER_ACTIONS or row.actor != SYSTEM_ACTOR:
        return False
    exists = session.scalar(select(SectionVersion.id).where(
        SectionVersion.section_pk == detail.get("section_pk"), SectionVersion.number == detail.get("version")))
    return exists is not None


def verify_chain(session: Session) -> tuple[int, list[ChainProblem]]:
    """(rows checked, problems): forged, altered or unsealed rows, and gaps where a row was deleted."""
    problems: list[ChainProblem] = []
    prev = GENESIS
    count = 0
    for row in session.scalars(select(AuditLog).order_by(AuditLog.id)):
        count += 1
        if row.row_hash is None:
            if row.prev_hash is None and _trigger_row_ok(session, row):
                prev = chain_hash(prev, row)
                continue
            problems.append(ChainProblem(row.id, row.action, "没有链式签名：疑为直接写入数据库的伪造记录"))
            prev = chain_hash(prev, row)
            continue
        if chain_hash(row.prev_hash or "", row) != row.row_hash:
            problems.append(ChainProblem(row.id, row.action, "内容与签名不符：记录被改动或伪造"))
        elif row.prev_hash != prev:
            problems.append(ChainProblem(row.id, row.action, "与前一条记录断链：其前有记录被删除或插入"))
        prev = row.row_hash
    return count, problems


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
