"""Review-state writes that on PostgreSQL go through the owner's SECURITY DEFINER functions (migration 0007).

The app role may not UPDATE ``sections.status`` / ``current_version`` nor UPDATE or DELETE ``findings``: a host
holding the app role's password could otherwise approve a section or drop an open finding with one statement.
These helpers are the only writers of that state; on SQLite (one local file, no roles) they write the rows
directly. The rules the functions enforce (a matching review row, an existing new version, a compliance resolver
with a reason) are the service's own rules, so the service never trips them; ``verify`` recomputes the state from
the keyed audit log either way.
"""

from __future__ import annotations

from sqlalchemy import delete, text, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from assistant.review.db import FindingRow, Section, utcnow

__all__ = ["clear_open_findings", "close_as_fixed", "resolve_finding", "set_section_state"]


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def set_section_state(session: Session, section: Section, status: str, version: int) -> None:
    """Set the section's status and current version (optimistic: a concurrent change raises StaleDataError)."""
    if not _postgres(session):
        section.current_version, section.status = version, status
        return
    session.flush()  # the new version / review row first: the function checks them
    lock = session.scalar(text("SELECT ra_set_section_state(:pk, :lock, :status, :version)"),
                          {"pk": section.id, "lock": section.lock_version, "status": status, "version": version})
    if lock is None:
        raise StaleDataError(f"section {section.id} changed concurrently")
    for attr, value in (("status", status), ("current_version", version), ("lock_version", int(lock))):
        set_committed_value(section, attr, value)


def resolve_finding(session: Session, finding_id: int, user_id: int, reason: str) -> int:
    """Mark an open finding resolved; returns the number of rows changed (0: it was no longer open)."""
    if _postgres(session):
        return int(session.scalar(text("SELECT ra_resolve_finding(:f, :u, :r)"),
                                  {"f": finding_id, "u": user_id, "r": reason}) or 0)
    done = session.execute(update(FindingRow).where(FindingRow.id == finding_id, FindingRow.status == "open")
                           .values(status="resolved", resolved_by=user_id, reason=reason, resolved_at=utcnow()))
    return int(getattr(done, "rowcount", 0) or 0)


def clear_open_findings(session: Session, report_id: int) -> int:
    """Delete the report's open findings before a check run stores its own."""
    if _postgres(session):
        return int(session.scalar(text("SELECT ra_clear_open_findings(:r)"), {"r": report_id}) or 0)
    done = session.execute(delete(FindingRow).where(FindingRow.report_id == report_id, FindingRow.status == "open"))
    return int(getattr(done, "rowcount", 0) or 0)


def close_as_fixed(session: Session, finding_ids: list[int], user_id: int, reason: str) -> int:
    """Close open findings a re-check no longer raises (kept, never deleted, so their ids are never reused). The
    run that closes them lists them in its sealed ``run_checks`` entry (``closed_as_fixed``), which is what
    ``verify`` accepts in place of a compliance ``resolve_finding`` entry."""
    if not finding_ids:
        return 0
    session.flush()
    if _postgres(session):
        return int(session.scalar(text("SELECT ra_close_findings_as_fixed(:ids, :u, :r)"),
                                  {"ids": list(finding_ids), "u": user_id, "r": reason}) or 0)
    done = session.execute(update(FindingRow).where(FindingRow.id.in_(finding_ids), FindingRow.status == "open")
                           .values(status="resolved", resolved_by=user_id, reason=reason, resolved_at=utcnow()))
    return int(getattr(done, "rowcount", 0) or 0)
