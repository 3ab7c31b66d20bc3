"""The jobs service: submit, read, cancel and retry jobs. Every change is audited in the same transaction.

Roles are checked here, as in the review service: drafting needs the ``import`` permission (analyst, admin),
regeneration ``regenerate``, re-running checks ``run_checks``; only the owner or an admin cancels or retries.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, Self

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant import SAMPLE_DIR
from assistant.engine.request import offline_refusal, parse_instruction
from assistant.errors import ConfigError, ReviewError
from assistant.jobs import presence
from assistant.jobs.errors import JobError, QueueFullError
from assistant.jobs.plan import section_kind, section_plan
from assistant.jobs.presence import WorkerSeen
from assistant.jobs.queue import JobQueue, transport_name
from assistant.jobs.rows import JobRow
from assistant.jobs.views import (
    DraftInputs,
    JobView,
    RecheckInputs,
    RegenerateInputs,
    SectionProgress,
    aware,
    final_sections,
)
from assistant.review import audit
from assistant.review.database import init_db
from assistant.review.db import AppSetting, ReportRow, Section, User, utcnow
from assistant.review.users import acting_user
from assistant.review.views import UserView
from assistant.settings import Settings, get_settings

__all__ = ["JobService", "job_view", "sample_inputs", "transport_label"]

ACTIVE = ("queued", "running")
TRANSPORT_KEY = "jobs_transport"


def transport_label(name: str) -> str:
    return "审阅库内的队列" if name == "database" else (name or "（未记录）")


def sample_inputs() -> tuple[Path, Path]:
    return SAMPLE_DIR / "pack", SAMPLE_DIR / "corpus.jsonl"


def job_view(row: JobRow, owner: str) -> JobView:
    progress = row.progress or {}
    sections = [SectionProgress.model_validate(s) for s in progress.get("sections", [])]
    return JobView(id=row.id, kind=row.kind, owner=owner, owner_id=row.owner_id, state=row.state,
                   inputs=row.inputs, stage=str(progress.get("stage", "")), message=str(progress.get("message", "")),
                   sections=sections, result=row.result, out_dir=row.out_dir, report_id=row.report_id,
                   error=row.error, attempts=row.attempts, abandoned=row.abandoned, worker=row.worker,
                   cancel_requested=row.cancel_requested, created_at=aware(row.created_at) or utcnow(),
                   started_at=aware(row.started_at), heartbeat_at=aware(row.heartbeat_at),
                   finished_at=aware(row.finished_at))


class JobService:
    def __init__(self, engine: Engine, *, settings: Settings | None = None, queue: JobQueue | None = None) -> None:
        self.engine = engine
        self.settings = settings or get_settings()
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._queue = queue

    @classmethod
    def open(cls, url: str, **kwargs: Any) -> Self:
        return cls(init_db(url), **kwargs)

    @property
    def queue(self) -> JobQueue:
        if self._queue is None:
            self.agree_transport()
            self._queue = JobQueue(self.engine.url.render_as_string(hide_password=False), settings=self.settings)
        return self._queue

    def agree_transport(self) -> str:
        """Submitters and workers of one database must use one transport: the first to queue records it, any
        process configured otherwise is stopped with both names (a message sent where no worker listens would
        leave the job queued for ever)."""
        current = transport_name(self.settings)
        with self._sessions.begin() as session:
            row = session.get(AppSetting, TRANSPORT_KEY)
            if row is None:
                session.add(AppSetting(key=TRANSPORT_KEY, value={"transport": current}, updated_at=utcnow()))
                return current
            recorded = str((row.value or {}).get("transport", "")) if isinstance(row.value, dict) else ""
        if recorded != current:
            raise ConfigError(f"任务队列不一致：本审阅库的任务经由 {transport_label(recorded)} 传递，而本进程配置为 "
                              f"{transport_label(current)}（RA_JOBS_QUEUE_URL）。请使用与工作进程相同的设置；确需更换时，"
                              f"由管理员运行 python -m assistant jobs transport --adopt")
        return current

    def adopt_transport(self, user: UserView) -> str:
        """An admin moves the database's jobs to this process's transport; queued jobs are sent again there."""
        current = transport_name(self.settings)
        with self._sessions.begin() as session:
            actor = acting_user(session, user, "manage_users")
            row = session.get(AppSetting, TRANSPORT_KEY)
            before = row.value if row is not None else None
            if row is None:
                session.add(AppSetting(key=TRANSPORT_KEY, value={"transport": current}, updated_at=utcnow()))
            else:
                row.value, row.updated_at = {"transport": current}, utcnow()
            for job in session.scalars(select(JobRow).where(JobRow.state == "queued")):
                job.dispatched_at = None  # their messages went to the old transport: the workers re-send them
            audit.record(session, actor, "jobs_transport", "app_settings", TRANSPORT_KEY, was=before,
                         now={"transport": current})
        return current

    # ------------------------------------------------------------------ submission
    def submit_draft(self, user: UserView, *, pack: Path, corpus: Path, sections: list[str] | None = None,
                     engine: str | None = None, store_dir: Path | None = None) -> str:
        """Queue a draft of ``pack`` + ``corpus`` into a folder of its own; returns the job id."""
        for label, path in (("数据包目录", pack), ("新闻语料", corpus)):
            if not Path(path).exists():
                raise JobError(f"{label} {path} 不存在")
        from assistant.drafting.validate import validate_inputs  # drafting's imports load only when drafting

        # What ``draft`` would refuse is refused here, with its message, before a job exists to fail later.
        validate_inputs(Path(pack), Path(corpus), self.settings)
        inputs = DraftInputs(pack=str(Path(pack).resolve()), corpus=str(Path(corpus).resolve()), sections=sections,
                             engine=engine, store_dir=str(Path(store_dir).resolve()) if store_dir else None)  # type: ignore[arg-type]
        plan = section_plan(self.settings.template, sections)
        return self._submit("draft", user, "import", inputs.model_dump(), plan, with_folder=True)

    def submit_regenerate(self, section_pk: int, instruction: str, user: UserView, *,
                          base_version: int | None = None) -> str:
        """Queue a regeneration of the section (arrives as a suggestion). What the configured engine cannot honour
        is refused here, with the engine's own message, rather than after a wait for a job that must fail."""
        instruction = instruction.strip()
        if not instruction:
            raise JobError("请填写重新生成的要求")
        with self._sessions() as session:
            acting_user(session, user, "regenerate")  # a role that may not regenerate hears that first
            section = session.get(Section, section_pk)
            if section is None:
                raise ReviewError(f"章节 {section_pk} 不存在")
            report = session.get_one(ReportRow, section.report_id)
            plan = [SectionProgress(id=section.section_id, title=section.title).model_dump()]
            section_id, out_dir = section.section_id, report.out_dir
        self._refuse_unhonourable(instruction, section_id, out_dir)
        inputs = RegenerateInputs(section_pk=section_pk, instruction=instruction, base_version=base_version)
        return self._submit("regenerate", user, "regenerate", inputs.model_dump(), plan)

    def _refuse_unhonourable(self, instruction: str, section_id: str, out_dir: str) -> None:
        if self.settings.resolved_engine != "offline":
            return  # a model engine reads any instruction itself
        refusal = offline_refusal(parse_instruction(instruction), section_kind(_template_of(self.settings, out_dir),
                                                                                section_id))
        if refusal:
            raise JobError(refusal)

    def submit_recheck(self, report_id: int, user: UserView, *, corpus: Path | None = None) -> str:
        with self._sessions() as session:
            if session.get(ReportRow, report_id) is None:
                raise ReviewError(f"报告 {report_id} 不存在")
        inputs = RecheckInputs(report_id=report_id, corpus=str(corpus) if corpus else None)
        return self._submit("recheck", user, "run_checks", inputs.model_dump(), [])

    def _submit(self, kind: str, user: UserView, permission: str, inputs: dict[str, Any],
                plan: list[dict[str, Any]], *, with_folder: bool = False) -> str:
        job_id = uuid.uuid4().hex[:16]
        queue = self.queue
        with self._sessions.begin() as session:
            actor = acting_user(session, user, permission)
            self._require_room(session, "提交")
            out_dir = str((Path(self.settings.jobs_dir) / job_id).resolve()) if with_folder else None
            session.add(JobRow(id=job_id, kind=kind, owner_id=actor.id, state="queued", inputs=inputs,
                               progress={"stage": "queued", "message": "排队中", "sections": plan},
                               out_dir=out_dir, attempts=0, abandoned=0, cancel_requested=False,
                               dispatched_at=utcnow()))
            audit.record(session, actor, "job_submit", "job", job_id, kind=kind, inputs=inputs, out_dir=out_dir)
            session.flush()
            # Sent before the commit: a transport that refuses rolls the row back, so a failed submit leaves no job
            # that a worker could later run. A worker that takes the message before the commit waits for the row
            # (runner.execute); a commit that fails after the send leaves a message for no row, which is ignored.
            queue.send(job_id)
        return job_id

    def _require_room(self, session: Session, verb: str) -> None:
        limit = self.settings.jobs_max_queued
        waiting = session.scalar(select(func.count()).select_from(JobRow).where(JobRow.state == "queued")) or 0
        if waiting >= limit:
            raise QueueFullError(f"任务队列已满：已有 {waiting} 个任务在排队（上限 {limit}），请稍后再{verb}")

    def dispatch(self, job_id: str) -> None:
        """Put a message for the job on the queue. A lost message is harmless: workers re-send for queued jobs."""
        self.queue.send(job_id)
        with self._sessions.begin() as session:
            row = session.get(JobRow, job_id)
            if row is not None and row.state == "queued":
                row.dispatched_at = utcnow()

    # ------------------------------------------------------------------ reads
    def job(self, job_id: str) -> JobView:
        with self._sessions() as session:
            row = self._row(session, job_id)
            return job_view(row, self._owner_names(session, [row.owner_id])[row.owner_id])

    def jobs(self, *, owner: UserView | None = None, states: tuple[str, ...] | None = None,
             kind: str | None = None, about: dict[str, int] | None = None, limit: int = 200) -> list[JobView]:
        """Newest first; ``owner`` limits the list to one user's jobs, ``about`` to jobs whose integer inputs
        match (e.g. ``{"section_pk": 7}``), filtered in the database so an old job of a busy system is found."""
        query = select(JobRow).order_by(JobRow.created_at.desc(), JobRow.id).limit(limit)
        for key, value in (about or {}).items():
            query = query.where(JobRow.inputs[key].as_integer() == value)
        if owner is not None:
            query = query.where(JobRow.owner_id == owner.id)
        if states:
            query = query.where(JobRow.state.in_(states))
        if kind:
            query = query.where(JobRow.kind == kind)
        with self._sessions() as session:
            rows = list(session.scalars(query))
            names = self._owner_names(session, list({r.owner_id for r in rows}))
            return [job_view(r, names.get(r.owner_id, "?")) for r in rows]

    def counts(self) -> dict[str, int]:
        with self._sessions() as session:
            return {state: int(n) for state, n in session.execute(
                select(JobRow.state, func.count()).group_by(JobRow.state)).all()}

    # ------------------------------------------------------------------ worker presence
    def workers_seen(self, within_s: float | None = None) -> list[WorkerSeen]:
        """Worker processes heard from within ``within_s`` (default ``jobs_lease_s``) seconds."""
        with self._sessions() as session:
            return presence.seen(session, self.settings.jobs_lease_s if within_s is None else within_s)

    def no_worker_warning(self) -> str | None:
        """The warning to show when jobs are queued and no worker has been seen for a lease: they would wait
        forever. None when nothing waits or a worker is alive."""
        with self._sessions() as session:
            waiting = session.scalar(select(JobRow.id).where(JobRow.state == "queued").limit(1))
            if waiting is None or presence.seen(session, self.settings.jobs_lease_s):
                return None
        return presence.NO_WORKER

    @staticmethod
    def _owner_names(session: Session, ids: list[int]) -> dict[int, str]:
        return dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())  # type: ignore[arg-type]

    @staticmethod
    def _row(session: Session, job_id: str, *, lock: bool = False) -> JobRow:
        row = session.get(JobRow, job_id, with_for_update=lock)
        if row is None and len(job_id) >= 4:  # a unique prefix is enough, as with git commits
            matches = list(session.scalars(select(JobRow.id).where(JobRow.id.like(f"{job_id}%")).limit(2)))
            if len(matches) == 1:
                row = session.get(JobRow, matches[0], with_for_update=lock)
        if row is None:
            raise JobError(f"任务 {job_id} 不存在")
        return row

    # ------------------------------------------------------------------ owner actions
    def _owner_or_admin(self, session: Session, row: JobRow, user: UserView, verb: str) -> UserView:
        actor = acting_user(session, user, "read")
        if actor.role != "admin" and actor.id != row.owner_id:
            raise JobError(f"只有任务的提交者或管理员可以{verb}任务 {row.id}")
        return actor

    def cancel(self, job_id: str, user: UserView) -> JobView:
        """A queued job ends at once; a running one is stopped by its worker at the next step (within seconds)."""
        with self._sessions.begin() as session:
            row = self._row(session, job_id, lock=True)
            actor = self._owner_or_admin(session, row, user, "取消")
            if row.state not in ACTIVE:
                raise JobError(f"任务 {row.id} 当前为「{_label(row.state)}」，无法取消")
            before = row.state
            if row.state == "queued":
                row.state, row.finished_at = "cancelled", utcnow()
                _set_message(row, "cancelled", f"已由 {actor.name} 取消")
                row.progress = {**row.progress, "sections": final_sections(row.progress.get("sections", []),
                                                                           "cancelled")}
            row.cancel_requested = True
            audit.record(session, actor, "job_cancel", "job", row.id, state=before)
        return self.job(row.id)

    def retry(self, job_id: str, user: UserView) -> JobView:
        """Queue a failed or cancelled job again; a draft resumes in its own folder from the persisted stages."""
        queue = self.queue
        with self._sessions.begin() as session:
            row = self._row(session, job_id, lock=True)
            actor = self._owner_or_admin(session, row, user, "重试")
            if row.state not in ("failed", "cancelled"):
                raise JobError(f"任务 {row.id} 当前为「{_label(row.state)}」，只有失败或已取消的任务可以重试")
            self._require_room(session, "重试")
            before = row.state
            row.state, row.error, row.finished_at, row.worker = "queued", None, None, None
            row.cancel_requested, row.abandoned, row.dispatched_at = False, 0, utcnow()
            _set_message(row, "queued", "已重新排队")
            row.progress = {**row.progress, "sections": [  # drafted sections are kept (stages); the rest wait again
                {**e, "status": "queued"} if e.get("status") not in ("ok", "failed") else e
                for e in row.progress.get("sections", [])]}
            audit.record(session, actor, "job_retry", "job", row.id, state=before)
            session.flush()
            queue.send(row.id)  # before the commit, as in _submit: a refused send leaves the job as it was
        return self.job(row.id)


def _template_of(settings: Settings, out_dir: str) -> str:
    """The template the report was drafted with, as ``regenerate_section`` picks it (a configured non-default
    template wins, else the one recorded in the draft's ``stages/meta.json``)."""
    if settings.template != "monthly_ai":
        return settings.template
    try:
        meta = json.loads((Path(out_dir) / "stages" / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return settings.template
    template = meta.get("template_id") if isinstance(meta, dict) else None
    return template if isinstance(template, str) and template else settings.template


def _label(state: str) -> str:
    from assistant.jobs.views import STATE_LABELS

    return STATE_LABELS.get(state, state)


def _set_message(row: JobRow, stage: str, message: str) -> None:
    row.progress = {**(row.progress or {}), "stage": stage, "message": message}
