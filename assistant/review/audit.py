"""The append-only audit log, hash-chained under a key kept outside the database. No update or delete here.

Each row written here carries ``prev_hash`` (the chain value of the row before it, by id), ``row_hash`` =
HMAC-SHA256(key, prev_hash + the row's canonical content) and ``key_id`` (the key's public fingerprint; migration
0007). Without the key (``assistant.review.auditkey``) nobody can recompute a seal after changing, inserting or
removing a row. ``verify_chain`` walks the log in id order: a row inserted by hand (no or a wrong seal), a changed
row or a deleted one (the next row's ``prev_hash`` no longer matches) is reported; rows sealed before 0007 with the
plain sha256 chain (``key_id`` empty) are accepted only before the first keyed row. Rows the database itself
writes (the sign-off void trigger of migration 0002) carry no seal: they are accepted only for that action, only
when the section version they name exists and only when a later sealed row's ``prev_hash`` covers them (the
service writes its own entry right after the statement that fired the trigger), so a forged one appended at the
end is reported. A writer holds a lock while it reads the last hash and appends, so writers cannot fork the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, object_session

from assistant.review.auditkey import Head, anchor_path, append_anchor, audit_key, key_id
from assistant.review.db import AuditLog, SectionVersion, utcnow
from assistant.review.views import AuditEntry, UserView

__all__ = ["GENESIS", "SYSTEM_ACTOR", "ChainProblem", "ChainReport", "anchor_head", "chain_hash", "current_head", "legacy_hash", "list_entries",
           "record", "sealed", "session_key", "verify_chain"]

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


def chain_hash(prev: str, row: AuditLog, key: bytes) -> str:
    return hmac.new(key, (prev + _content(row)).encode("utf-8"), hashlib.sha256).hexdigest()


def legacy_hash(prev: str, row: AuditLog) -> str:
    """The unkeyed seal of rows written before migration 0007 (anyone can recompute it)."""
    return hashlib.sha256((prev + _content(row)).encode("utf-8")).hexdigest()


_keys: dict[tuple[str, str | None, str | None], bytes] = {}


def session_key(session: Session) -> bytes:
    """The audit key of the session's database (cached per URL and key environment)."""
    bind = session.get_bind()
    url = bind.url if hasattr(bind, "url") else bind.engine.url
    cache = (url.render_as_string(hide_password=True), os.environ.get("RA_AUDIT_KEY"),
             os.environ.get("RA_AUDIT_KEY_FILE"))
    if cache not in _keys:
        _keys[cache] = audit_key(url)
    return _keys[cache]


def sealed(row: AuditLog, key: bytes | None = None) -> bool:
    """The row's own keyed seal is consistent (a hand-made INSERT, or one sealed without the key, fails this)."""
    if row.row_hash is None or row.prev_hash is None or row.key_id is None:
        return False
    if key is None:
        session = object_session(row)
        if session is None:
            return False
        key = session_key(session)
    return row.key_id == key_id(key) and hmac.compare_digest(chain_hash(row.prev_hash, row, key), row.row_hash)


def _lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})


def _through(prev: str, row: AuditLog, key: bytes, keyed: bool) -> str:
    """The chain value after an unsealed (trigger-written) row: keyed once the keyed chain has begun."""
    return chain_hash(prev, row, key) if keyed else legacy_hash(prev, row)


def _last_hash(session: Session, key: bytes) -> str:
    last = session.scalar(select(AuditLog).order_by(AuditLog.id.desc()).limit(1))
    if last is None:
        return GENESIS
    if last.row_hash is not None:
        return last.row_hash
    # A trigger-written row: chain through it from the row before it.
    before = session.scalar(select(AuditLog).where(AuditLog.id < last.id, AuditLog.row_hash.is_not(None))
                            .order_by(AuditLog.id.desc()).limit(1))
    prev = before.row_hash if before is not None and before.row_hash else GENESIS
    keyed = before is not None and before.key_id is not None
    for row in session.scalars(select(AuditLog).where(AuditLog.id > (before.id if before else 0),
                                                      AuditLog.id <= last.id).order_by(AuditLog.id)):
        prev = row.row_hash or _through(prev, row, key, keyed)
    return prev


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
    key = session_key(session)
    row.prev_hash = _last_hash(session, key)
    row.key_id = key_id(key)
    row.row_hash = chain_hash(row.prev_hash, row, key)
    session.add(row)


def current_head(session: Session) -> Head | None:
    """The newest row's id and the chain value after it (None for an empty log)."""
    last = session.scalar(select(AuditLog.id).order_by(AuditLog.id.desc()).limit(1))
    return Head(int(last), _last_hash(session, session_key(session))) if last is not None else None


def anchor_head(engine: Engine, *, reason: str) -> Head | None:
    """Append the current head to the anchor file, when the store has one (SQLite default, or configured)."""
    path = anchor_path(engine)
    if path is None:
        return None
    with Session(engine) as session:
        head = current_head(session)
    if head is not None:
        append_anchor(path, head, reason=reason)
    return head


@dataclass(frozen=True)
class ChainProblem:
    row_id: int
    action: str
    problem: str  # Chinese, for the verify command's output


def _trigger_row_ok(session: Session, row: AuditLog) -> bool:
    """A database-written row names a section version that exists (a forged one must at least guess one)."""
    detail = row.detail or {}
    if row.action not in _TRIGGER_ACTIONS or row.actor != SYSTEM_ACTOR:
        return False
    exists = session.scalar(select(SectionVersion.id).where(
        SectionVersion.section_pk == detail.get("section_pk"), SectionVersion.number == detail.get("version")))
    return exists is not None


@dataclass
class ChainReport:
    """What a walk of the chain found: rows, problems, the head, and the chain value after each row id."""

    count: int = 0
    problems: list[ChainProblem] = field(default_factory=list)
    head: Head | None = None
    legacy: int = 0  # rows sealed before 0007 without the key
    values: dict[int, str] = field(default_factory=dict)

    def check_anchor(self, anchor: Head) -> ChainProblem | None:
        """A kept head must still be in the chain with the same value (else rows at or before it changed, or
        the rows up to it were cut off)."""
        found = self.values.get(anchor.row_id)
        if found == anchor.value:
            return None
        what = "已不存在（其后记录被截断或删除）" if found is None else "的链值已改变（记录被改写或重算）"
        return ChainProblem(anchor.row_id, "anchor", f"保存的链头 {anchor} {what}")


def verify_chain(session: Session, key: bytes | None = None) -> ChainReport:
    """Walk the whole log: forged, altered, unsealed or foreign-keyed rows, and gaps where a row was deleted."""
    key = key if key is not None else session_key(session)
    kid = key_id(key)
    report = ChainReport()
    prev, keyed, uncovered = GENESIS, False, None
    for row in session.scalars(select(AuditLog).order_by(AuditLog.id)):
        report.count += 1
        if row.row_hash is None:
            if row.prev_hash is None and _trigger_row_ok(session, row):
                uncovered = row
            else:
                report.problems.append(ChainProblem(row.id, row.action, "没有链式签名：疑为直接写入数据库的伪造记录"))
            prev = _through(prev, row, key, keyed)
            report.values[row.id] = prev
            continue
        uncovered = None
        if row.key_id is None:
            report.legacy += 1
            if keyed:
                report.problems.append(ChainProblem(row.id, row.action, "启用密钥后出现未加密钥的签名：疑为伪造记录"))
            elif legacy_hash(row.prev_hash or "", row) != row.row_hash:
                report.problems.append(ChainProblem(row.id, row.action, "内容与签名不符：记录被改动或伪造"))
            elif row.prev_hash != prev:
                report.problems.append(ChainProblem(row.id, row.action, "与前一条记录断链：其前有记录被删除或插入"))
        else:
            keyed = True
            if row.key_id != kid:
                report.problems.append(ChainProblem(row.id, row.action,
                                                    "由另一把密钥签名：密钥不符，或记录由持有其他密钥者伪造"))
            elif not hmac.compare_digest(chain_hash(row.prev_hash or "", row, key), row.row_hash):
                report.problems.append(ChainProblem(row.id, row.action, "内容与签名不符：记录被改动或伪造"))
            elif row.prev_hash != prev:
                report.problems.append(ChainProblem(row.id, row.action, "与前一条记录断链：其前有记录被删除或插入"))
        prev = row.row_hash
        report.values[row.id] = prev
    if uncovered is not None:
        report.problems.append(ChainProblem(uncovered.id, uncovered.action,
                                            "末尾的系统记录未被其后的签名记录覆盖：疑为直接插入的伪造记录"))
    if report.count:
        last_id = max(report.values)
        report.head = Head(last_id, report.values[last_id])
    return report


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
