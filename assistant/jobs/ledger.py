"""The worker's side of the job rows: claim, heartbeat, progress, finish, and finding abandoned jobs.

Every write names the attempt it belongs to (``attempts`` + ``worker``): a worker whose lease expired and whose
job was handed to another worker can no longer change the job, so two workers never both finish (or import) it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import CursorResult, exists, func, or_, select, text, update
from sqlalchemy.orm import Session, aliased

from assistant.jobs import presence
from assistant.jobs.importing import import_in_session
from assistant.jobs.rows import JobRow
from assistant.jobs.service import JobService
from assistant.jobs.views import final_sections
from assistant.models import Report
from assistant.progress import ProgressEvent
from assistant.review import audit
from assistant.review.db import User, utcnow
from assistant.review.users import user_view
from assistant.review.views import UserView

__all__ = ["Claim", "JobLedger"]

# One application-wide advisory lock number: claims on PostgreSQL are serialised so the per-user and global
# limits are checked and taken atomically (SQLite serialises writers by itself).
_CLAIM_LOCK = 150_004


class Claim:
    """A job this worker holds: its id, attempt number, inputs and owner."""

    def __init__(self, row: JobRow, owner: UserView, worker: str) -> None:
        self.id, self.kind, self.attempt, self.worker = row.id, row.kind, row.attempts, worker
        self.inputs: dict[str, Any] = dict(row.inputs)
        self.out_dir = row.out_dir
        self.owner = owner
        self.started = dt.datetime.now(dt.UTC)


class JobLedger(JobService):
    # ------------------------------------------------------------------ claim
    def claim(self, job_id: str, worker: str) -> Claim | None:
        """Take a queued job if the limits allow; None when it is not queued any more or must wait its turn."""
        other = aliased(JobRow)
        running = select(func.count()).select_from(other).where(other.state == "running").scalar_subquery()
        owner_busy = exists().where(other.owner_id == JobRow.owner_id, other.kind == "draft",
                                    other.state == "running")
        now = utcnow()
        with self._sessions.begin() as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CLAIM_LOCK})
            taken = cast(CursorResult[Any], session.execute(
                update(JobRow).where(JobRow.id == job_id, JobRow.state == "queued",
                                     running < self.settings.jobs_max_running,
                                     or_(JobRow.kind != "draft", ~owner_busy))
                .values(state="running", worker=worker, attempts=JobRow.attempts + 1, started_at=now,
                        heartbeat_at=now, error=None)
                .execution_options(synchronize_session=False))).rowcount
            row = session.get(JobRow, job_id, populate_existing=True)
            if row is None:
                return None
            if not taken:
                if row.state == "queued":  # waits for its owner's other draft or a free slot: parked until then
                    row.dispatched_at = None
                return None
            owner = session.get_one(User, row.owner_id)
            row.progress = {**(row.progress or {}), "stage": "start", "message": f"第 {row.attempts} 次运行，工作进程 {worker}"}
            audit.record(session, None, "job_start", "job", row.id, worker=worker, attempt=row.attempts)
            return Claim(row, user_view(owner), worker)

    def exists(self, job_id: str) -> bool:
        with self._sessions() as session:
            return session.get(JobRow, job_id) is not None

    def _mine(self, session: Session, claim: Claim, *, lock: bool = True) -> JobRow | None:
        row = session.get(JobRow, claim.id, with_for_update=lock, populate_existing=True)
        if row is None or row.state != "running" or row.attempts != claim.attempt or row.worker != claim.worker:
            return None
        return row

    # ------------------------------------------------------------------ while running
    def heartbeat(self, claim: Claim) -> tuple[bool, bool]:
        """Renew the lease. Returns (still ours, cancel requested)."""
        with self._sessions.begin() as session:
            result = session.execute(
                update(JobRow).where(JobRow.id == claim.id, JobRow.state == "running",
                                     JobRow.attempts == claim.attempt, JobRow.worker == claim.worker)
                .values(heartbeat_at=utcnow()).returning(JobRow.cancel_requested)
                .execution_options(synchronize_session=False)).first()
        return (result is not None, bool(result[0]) if result is not None else False)

    def record_progress(self, claim: Claim, event: ProgressEvent) -> tuple[bool, bool]:
        """Merge one progress event into the job row. Returns (still ours, cancel requested)."""
        with self._sessions.begin() as session:
            row = self._mine(session, claim)
            if row is None:
                return False, False
            progress = dict(row.progress or {})
            progress.update(stage=event.stage, message=event.message, done=event.done, total=event.total)
            if event.stage == "draft" and event.item:
                progress["sections"] = _merge_section(progress.get("sections", []), event, claim.attempt)
            row.progress = progress
            row.heartbeat_at = utcnow()
            return True, row.cancel_requested

    # ------------------------------------------------------------------ finishing
    def finish_draft(self, claim: Claim, report: Report) -> bool:
        """Import the report (once per job) and mark the job done, in one transaction."""
        with self._sessions.begin() as session:
            row = self._mine(session, claim)
            if row is None:
                return False
            imported = row.report_id is None
            if imported:
                row.report_id = import_in_session(session, report, row.out_dir or "", claim.owner, row.id)
            failed = [s.id for s in report.sections if s.status == "failed"]
            drafted = {s.id: "failed" if s.status == "failed" else "ok" for s in report.sections}
            progress = dict(row.progress or {})
            progress["sections"] = final_sections(progress.get("sections", []), "done", drafted)
            row.progress = progress
            row.result = {"report_id": row.report_id, "out_dir": row.out_dir, "sections": len(report.sections),
                          "failed_sections": failed, "sources": len(report.sources)}
            self._close(session, row, "done", "报告已起草并导入审阅库", attempt=claim.attempt)
            return True

    def finish(self, claim: Claim, state: str, *, result: dict[str, Any] | None = None,
               error: str | None = None) -> bool:
        with self._sessions.begin() as session:
            row = self._mine(session, claim)
            if row is None:
                return False
            row.result, row.error = result, error
            message = {"done": "已完成", "cancelled": "已取消", "failed": error or "失败"}[state]
            self._close(session, row, state, message, attempt=claim.attempt)
            return True

    @staticmethod
    def _close(session: Session, row: JobRow, state: str, message: str, **detail: Any) -> None:
        row.state, row.finished_at, row.worker = state, utcnow(), None
        progress = row.progress or {}
        row.progress = {**progress, "stage": state, "message": message,
                        "sections": final_sections(progress.get("sections", []), state)}
        audit.record(session, None, f"job_{state}", "job", row.id, error=row.error, report_id=row.report_id,
                     **detail)

    # ------------------------------------------------------------------ maintenance (every worker runs it)
    def reap(self) -> list[str]:
        """Requeue running jobs whose worker stopped renewing its lease; fail those out of attempts or time."""
        now = utcnow()
        cutoff = now - dt.timedelta(seconds=self.settings.jobs_lease_s)
        too_old = now - dt.timedelta(seconds=self.settings.jobs_timeout_s + self.settings.jobs_lease_s)
        requeued: list[str] = []
        with self._sessions.begin() as session:
            stale = session.scalars(select(JobRow).where(
                JobRow.state == "running", or_(JobRow.heartbeat_at < cutoff, JobRow.started_at < too_old))
                .with_for_update(skip_locked=True))
            for row in stale:
                requeued += self._abandon(session, row, timed_out=row.started_at is not None
                                          and _utc(row.started_at) < too_old)
        for job_id in requeued:
            self.dispatch(job_id)
        return requeued

    def _abandon(self, session: Session, row: JobRow, *, timed_out: bool) -> list[str]:
        row.abandoned += 1
        worker = row.worker
        audit.record(session, None, "job_abandoned", "job", row.id, worker=worker, attempt=row.attempts,
                     timed_out=timed_out)
        if row.cancel_requested:
            self._close(session, row, "cancelled", "已取消（工作进程中断）")
            return []
        if timed_out or row.abandoned >= self.settings.jobs_max_attempts:
            row.error = (f"任务超时（上限 {self.settings.jobs_timeout_s:g} 秒）" if timed_out else
                         f"工作进程已 {row.abandoned} 次在运行中中断，不再自动重试")
            self._close(session, row, "failed", row.error)
            return []
        row.state, row.worker, row.dispatched_at = "queued", None, None
        row.progress = {**(row.progress or {}), "stage": "queued",
                        "message": f"工作进程 {worker} 失联，任务已重新排队（已完成的章节不会重写）"}
        return [row.id]

    def dispatch_waiting(self, *, owner_id: int | None = None, limit: int = 4) -> list[str]:
        """Re-send messages for queued jobs that have none in flight (parked, or sent longer than a lease ago)."""
        cutoff = utcnow() - dt.timedelta(seconds=self.settings.jobs_lease_s)
        query = (select(JobRow.id).where(JobRow.state == "queued",
                                         or_(JobRow.dispatched_at.is_(None), JobRow.dispatched_at < cutoff))
                 .order_by(JobRow.created_at, JobRow.id).limit(limit))
        if owner_id is not None:
            query = query.where(JobRow.owner_id == owner_id)
        with self._sessions() as session:
            ids = list(session.scalars(query))
        for job_id in ids:
            self.dispatch(job_id)
        return ids

    def present(self, worker: str) -> None:
        """Record that ``worker`` is alive (every maintenance round, i.e. every heartbeat)."""
        with self._sessions.begin() as session:
            presence.record(session, worker)

    def absent(self, worker: str) -> None:
        with self._sessions.begin() as session:
            presence.forget(session, worker)

    def claimable(self) -> bool:
        """Is any queued job startable now (for ``worker --burst`` deciding whether to wait or exit)?"""
        other = aliased(JobRow)
        owner_busy = exists().where(other.owner_id == JobRow.owner_id, other.kind == "draft",
                                    other.state == "running")
        with self._sessions() as session:
            running = session.scalar(select(func.count()).select_from(JobRow).where(JobRow.state == "running")) or 0
            if running >= self.settings.jobs_max_running:
                return False
            return session.scalar(select(JobRow.id).where(
                JobRow.state == "queued", or_(JobRow.kind != "draft", ~owner_busy)).limit(1)) is not None


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _merge_section(sections: list[dict[str, Any]], event: ProgressEvent, attempt: int) -> list[dict[str, Any]]:
    status = {"running": "running", "ok": "ok", "failed": "failed"}.get(event.status, event.status)
    out, found = [], False
    for entry in sections:
        if entry.get("id") == event.item:
            entry = {**entry, "status": status, "message": event.message, "attempt": attempt}
            found = True
        out.append(entry)
    if not found:
        out.append({"id": event.item, "title": "", "status": status, "message": event.message, "attempt": attempt})
    return out
