"""Real worker processes (``python -m assistant worker``) on SQLite and on PostgreSQL.

Six drafts from three users through two workers: all complete, each imported exactly once, never two drafts of
one user at the same time, and a job cancelled while queued never runs. A worker killed with SIGKILL mid-draft:
its job is found abandoned, retried by another worker, keeps the sections already drafted and is imported once.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from jobs_support import WorkerFactory, wait_for
from sqlalchemy import func, select

from assistant.jobs import JobService, sample_inputs
from assistant.review import UserView
from assistant.review.audit import list_entries
from assistant.review.db import AuditLog, ReportRow

pytestmark = pytest.mark.slow

Jobs = tuple[JobService, dict[str, UserView]]
NEWS = ["llm_dynamics", "compute_dynamics", "tech_frontier", "product_dynamics", "funding", "policy_frontier"]


def _submit(service: JobService, user: UserView, sections: list[str], store: Path) -> str:
    pack, corpus = sample_inputs()
    return service.submit_draft(user, pack=pack, corpus=corpus, sections=sections, store_dir=store)


def _imports(service: JobService) -> list[str]:
    with service.engine.connect() as conn:
        details = conn.scalars(select(AuditLog.detail).where(AuditLog.action == "import")).all()
    return [str(d.get("job_id")) for d in details]


def test_six_drafts_from_three_users_on_two_workers(jobs: Jobs, start_worker: WorkerFactory,
                                                    shared_store: Path) -> None:
    service, users = jobs
    ids = [_submit(service, users[name], ["market_review"], shared_store) for name in ("ana", "bo", "cy") * 2]
    cancelled = _submit(service, users["cy"], ["market_review"], shared_store)
    assert service.cancel(cancelled, users["cy"]).state == "cancelled"

    workers = [start_worker(name="a"), start_worker(name="b")]
    for proc in workers:
        proc.wait(timeout=240)
        assert proc.returncode == 0

    done = [service.job(i) for i in ids]
    assert [j.state for j in done] == ["done"] * 6, [(j.id, j.state, j.error) for j in done]
    assert len({j.report_id for j in done}) == 6
    assert sorted(_imports(service)) == sorted(ids)  # each job imported exactly once
    with service.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(ReportRow)) == 6
        out_dirs = set(conn.scalars(select(ReportRow.out_dir)))
    assert out_dirs == {j.out_dir for j in done}  # each report from its own job's folder
    for name in ("ana", "bo", "cy"):  # one draft per user at a time
        first, second = sorted((j for j in done if j.owner == name), key=lambda j: j.started_at or j.created_at)
        assert first.finished_at is not None and second.started_at is not None
        assert first.finished_at <= second.started_at
    with service._sessions() as session:
        starts = [e for i in ids for e in list_entries(session, object_type="job", object_id=i)
                  if e.action == "job_start"]
    assert len(starts) == 6 and len({e.detail["worker"] for e in starts}) == 2  # both workers took jobs
    gone = service.job(cancelled)
    assert gone.state == "cancelled" and gone.report_id is None and gone.attempts == 0
    assert not Path(gone.out_dir or "/nonexistent").exists()


def test_a_killed_worker_s_job_is_retried_without_redrafting(jobs: Jobs, start_worker: WorkerFactory,
                                                             shared_store: Path) -> None:
    service, users = jobs
    job_id = _submit(service, users["ana"], NEWS, shared_store)
    first = start_worker(burst=False, name="doomed")

    def some_drafted() -> bool:
        job = service.job(job_id)
        assert job.state in ("queued", "running"), (job.state, job.error)
        return job.sections_done >= 2

    wait_for(some_drafted, 180, "two sections drafted", interval=0.05)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    at_kill = service.job(job_id)
    kept = [s.id for s in at_kill.sections if s.status == "ok"]
    assert at_kill.state == "running" and 2 <= len(kept) < len(NEWS)
    drafts = Path(at_kill.out_dir or "") / "stages" / "drafts"
    stamps = {sid: (drafts / f"{sid}.json").stat().st_mtime_ns for sid in kept}
    # a section may be persisted but not yet reported when the kill lands: the retry reuses it (or redrafts it if
    # its stage unit was incomplete); either way nothing finished is drafted twice
    on_disk = {sid: (drafts / f"{sid}.json").stat().st_mtime_ns for sid in NEWS
               if sid not in kept and (drafts / f"{sid}.json").is_file()}

    second = start_worker(name="rescuer")  # finds the lease expired, requeues and finishes the job
    second.wait(timeout=240)
    assert second.returncode == 0
    job = service.job(job_id)
    assert job.state == "done", job.error
    assert job.attempts == 2 and job.abandoned == 1
    by_id = {s.id: s for s in job.sections}
    assert all(by_id[sid].attempt == 1 for sid in kept)  # drafted by the killed worker, kept
    assert all(by_id[sid].attempt == 2 or on_disk.get(sid) == (drafts / f"{sid}.json").stat().st_mtime_ns
               for sid in NEWS if sid not in kept)
    assert {sid: (drafts / f"{sid}.json").stat().st_mtime_ns for sid in kept} == stamps  # not redrafted
    assert _imports(service) == [job_id]
    with service._sessions() as session:
        actions = [e.action for e in list_entries(session, object_type="job", object_id=job_id)][::-1]
    assert actions == ["job_submit", "job_start", "job_abandoned", "job_start", "job_done"]
