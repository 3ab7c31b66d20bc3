"""The job rows through the service: submission and limits, roles, the claim, leases, idempotent import.

In process and fast; tests/jobs/test_workers.py runs the same rows through real worker processes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from review_factories import make_report, seed, write_out_dir
from sqlalchemy import func, select, update

from assistant.errors import PermissionDenied
from assistant.jobs import JobError, JobLedger, JobService, QueueFullError, sample_inputs
from assistant.jobs.rows import JobRow
from assistant.jobs.runner import execute
from assistant.review import ReviewService, UserView
from assistant.review.audit import list_entries
from assistant.review.db import ReportRow
from assistant.review.db import utcnow as now
from assistant.settings import get_settings

Jobs = tuple[JobService, dict[str, UserView]]


def _submit(service: JobService, user: UserView, sections: list[str] | None = None) -> str:
    pack, corpus = sample_inputs()
    return service.submit_draft(user, pack=pack, corpus=corpus, sections=sections or ["market_review"])


def _ledger(service: JobService, **settings: object) -> JobLedger:
    return JobLedger(service.engine, settings=get_settings(**settings), queue=service.queue)


def test_submit_records_inputs_folder_and_plan(jobs: Jobs, tmp_path: Path) -> None:
    service, users = jobs
    first, second = _submit(service, users["ana"], ["market_review", "funding"]), _submit(service, users["ana"])
    job = service.job(first)
    assert job.state == "queued" and job.owner == "ana" and job.kind == "draft"
    assert job.inputs["pack"] == str(sample_inputs()[0].resolve())
    assert [s.id for s in job.sections] == ["market_review", "funding"]
    assert {s.status for s in job.sections} == {"queued"}
    assert job.out_dir == str((tmp_path / "jobs" / first).resolve())
    assert service.job(second).out_dir != job.out_dir  # one folder per job
    assert service.job(first[:6]).id == first  # a unique prefix finds the job
    assert [j.id for j in service.jobs()] == [second, first]
    assert service.queue.pending() == 2  # one message each on the real queue
    audit = list_entries_for(service, first)
    assert ("job_submit", "ana") in audit


def list_entries_for(service: JobService, job_id: str) -> list[tuple[str, str]]:
    with service._sessions() as session:
        return [(e.action, e.actor) for e in list_entries(session, object_type="job", object_id=job_id)]


def test_roles_and_bad_input_are_refused(jobs: Jobs, tmp_path: Path) -> None:
    service, users = jobs
    with pytest.raises(PermissionDenied):
        _submit(service, users["ed"])  # an editor does not draft reports
    with pytest.raises(JobError, match="不存在"):
        service.submit_draft(users["ana"], pack=tmp_path / "nope", corpus=sample_inputs()[1])
    with pytest.raises(JobError, match="没有这些章节"):
        _submit(service, users["ana"], ["no_such_section"])
    assert service.jobs() == []


def test_queue_full_is_refused_with_a_clear_message(jobs: Jobs) -> None:
    service, users = jobs
    service.settings = get_settings(jobs_max_queued=2)
    _submit(service, users["ana"])
    _submit(service, users["bo"])
    with pytest.raises(QueueFullError, match="任务队列已满：已有 2 个任务在排队"):
        _submit(service, users["cy"])
    assert len(service.jobs()) == 2


def test_cancel_and_retry_by_owner_or_admin_only(jobs: Jobs) -> None:
    service, users = jobs
    job_id = _submit(service, users["ana"])
    with pytest.raises(JobError, match="提交者或管理员"):
        service.cancel(job_id, users["bo"])
    assert service.cancel(job_id, users["ana"]).state == "cancelled"
    with pytest.raises(JobError, match="无法取消"):
        service.cancel(job_id, users["ana"])
    assert service.retry(job_id, users["ad"]).state == "queued"
    assert _ledger(service).claim(job_id, "w1") is not None
    with pytest.raises(JobError, match="只有失败或已取消"):
        service.retry(job_id, users["ana"])
    assert [a for a, _ in list_entries_for(service, job_id)][::-1] == [
        "job_submit", "job_cancel", "job_retry", "job_start"]


def test_a_job_is_claimed_once_and_one_draft_per_user_runs(jobs: Jobs) -> None:
    service, users = jobs
    ledger = _ledger(service, jobs_max_running=2)
    a1, a2, b1, c1 = (_submit(service, users[n]) for n in ("ana", "ana", "bo", "cy"))
    claim = ledger.claim(a1, "w1")
    assert claim is not None and claim.attempt == 1
    assert ledger.claim(a1, "w2") is None  # two workers never run the same job
    assert ledger.claim(a2, "w2") is None  # ana already has a draft running
    assert service.job(a2).state == "queued"
    assert ledger.claim(b1, "w2") is not None
    assert ledger.claim(c1, "w3") is None  # the global limit (2 running) holds
    assert ledger.claimable() is False
    assert ledger.finish(claim, "failed", error="测试失败")
    assert ledger.claimable() is True
    assert ledger.claim(a2, "w1") is not None


def test_an_abandoned_job_is_requeued_then_failed_after_max_attempts(jobs: Jobs) -> None:
    service, users = jobs
    ledger = _ledger(service, jobs_lease_s=3, jobs_max_attempts=2)
    job_id = _submit(service, users["ana"])
    for attempt in (1, 2):
        claim = ledger.claim(job_id, f"w{attempt}")
        assert claim is not None and claim.attempt == attempt
        assert ledger.reap() == []  # fresh heartbeat: not abandoned
        with service.engine.begin() as conn:  # the worker died long ago
            conn.execute(update(JobRow).where(JobRow.id == job_id).values(heartbeat_at=now().replace(year=2020)))
        requeued = ledger.reap()
        assert ledger.heartbeat(claim) == (False, False)  # the dead attempt can no longer touch the job
        assert ledger.finish(claim, "done") is False
    job = service.job(job_id)
    assert requeued == [] and job.state == "failed" and job.abandoned == 2
    assert "不再自动重试" in (job.error or "")
    assert [a for a, _ in list_entries_for(service, job_id)].count("job_abandoned") == 2


def test_cancelling_a_running_job_reaches_its_worker(jobs: Jobs) -> None:
    service, users = jobs
    ledger = _ledger(service)
    job_id = _submit(service, users["ana"])
    claim = ledger.claim(job_id, "w1")
    assert claim is not None
    assert service.cancel(job_id, users["ana"]).state == "running"
    assert ledger.heartbeat(claim) == (True, True)


def test_finishing_a_draft_imports_its_report_exactly_once(jobs: Jobs, tmp_path: Path) -> None:
    service, users = jobs
    ledger = _ledger(service)
    job_id = _submit(service, users["ana"])
    claim = ledger.claim(job_id, "w1")
    assert claim is not None
    report = make_report(3)
    assert ledger.finish_draft(claim, report) is True
    assert ledger.finish_draft(claim, report) is False  # a second finish (e.g. a zombie worker) does nothing
    with service.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(ReportRow)) == 1
    job = service.job(job_id)
    assert job.state == "done" and job.report_id is not None and job.result
    assert ReviewService(service.engine).list_reports()[0].id == job.report_id


def test_a_recheck_job_runs_the_checks_as_its_owner(db_url: str, job_env: dict[str, str], tmp_path: Path) -> None:
    review, users, report_id = seed(db_url, tmp_path / "out")
    ledger = JobLedger(review.engine, settings=get_settings())
    job_id = ledger.submit_recheck(report_id, users["compliance"])
    assert execute(ledger, job_id, "w1") == "done"
    job = ledger.job(job_id)
    assert job.state == "done" and job.result and job.result["report_id"] == report_id
    assert "opened" in job.result
    with pytest.raises(PermissionDenied):
        ledger.submit_recheck(report_id, users["editor"])
    hasty = JobLedger(review.engine, settings=get_settings(jobs_timeout_s=0), queue=ledger.queue)
    late = hasty.submit_recheck(report_id, users["compliance"])
    assert execute(hasty, late, "w1") == "failed"  # the job timeout stops it at its first step
    assert "任务超时" in (hasty.job(late).error or "")
    ledger.queue.close()
    review.engine.dispose()


def test_a_regenerate_job_arrives_as_a_suggestion(db_url: str, job_env: dict[str, str], tmp_path: Path) -> None:
    if not hasattr(ReviewService, "suggest"):
        pytest.skip("ReviewService.suggest (issue 13) is not in this branch yet")
    from assistant.drafting import draft_report

    out = tmp_path / "drafted"
    draft_report(*sample_inputs(), out, get_settings(engine="offline", embedding="hash"),
                 sections=["tech_frontier", "funding"])
    review = ReviewService.open(db_url)
    from review_factories import seed_users

    users = seed_users(review)
    report_id = review.import_report(out, users["analyst"])
    section = review.find_section(report_id, "tech_frontier")
    ledger = JobLedger(review.engine, settings=get_settings())
    job_id = ledger.submit_regenerate(section.pk, "更简洁", users["editor"])
    assert execute(ledger, job_id, "w1") == "done"
    job = ledger.job(job_id)
    assert job.result and job.result["suggestion_id"] is not None
    assert review.section(section.pk).current_version == 1  # a suggestion, not a version
    assert [s.id for s in review.open_suggestions(section.pk)] == [job.result["suggestion_id"]]  # type: ignore[attr-defined]
    suggestion = review.suggestion(job.result["suggestion_id"])
    assert len(suggestion.markdown) < len(section.markdown)

    # the funding table lists every deal: 更简洁 changes nothing there, and the job says so instead of suggesting
    funding = review.find_section(report_id, "funding")
    same = ledger.submit_regenerate(funding.pk, "更简洁", users["editor"])
    assert execute(ledger, same, "w1") == "failed"
    assert "与当前版本相同" in (ledger.job(same).error or "")
    assert review.open_suggestions(funding.pk) == []
    _ = write_out_dir  # the factory module is shared with the review tests


def test_submit_regenerate_refuses_at_once_what_the_offline_engine_cannot_honour(jobs: Jobs, tmp_path: Path) -> None:
    service, users = jobs
    review = ReviewService(service.engine)
    report_id = review.import_report(write_out_dir(tmp_path / "out", make_report(3)), users["ad"])
    core, market = (review.find_section(report_id, s) for s in ("core_views", "market_review"))
    offline = JobService(service.engine, settings=get_settings(engine="offline"), queue=service.queue)
    with pytest.raises(JobError, match="离线引擎无法执行指令 “补充英伟达财报”"):
        offline.submit_regenerate(core.pk, "更简洁，补充英伟达财报", users["ed"])
    with pytest.raises(JobError, match="市场行情回顾由行情数据逐句生成"):
        offline.submit_regenerate(market.pk, "突出寒武纪", users["ed"])
    assert offline.jobs() == []  # nothing queued, nothing audited as submitted
    job_id = offline.submit_regenerate(core.pk, "请更简洁一些，突出国产算力", users["ed"], base_version=1)
    assert offline.job(job_id).inputs == {"section_pk": core.pk, "instruction": "请更简洁一些，突出国产算力",
                                          "base_version": 1}
    # A model engine reads any instruction itself: nothing is refused up front.
    model = JobService(service.engine, settings=get_settings(engine="openai", openai_api_key="sk-test"),
                       queue=service.queue)
    assert model.job(model.submit_regenerate(market.pk, "补充英伟达财报", users["ed"])).kind == "regenerate"


def test_jobs_about_one_target_are_found_in_the_database_however_many_others(jobs: Jobs, tmp_path: Path) -> None:
    """The section page's watcher asks for its own section's jobs: an old one is found behind newer jobs of
    other sections (the filter is in the query, not over the newest N)."""
    service, users = jobs
    review = ReviewService(service.engine)
    report_id = review.import_report(write_out_dir(tmp_path / "out", make_report(3)), users["ad"])
    core, other = (review.find_section(report_id, s) for s in ("core_views", "compute_dynamics"))
    ours = service.submit_regenerate(core.pk, "更简洁", users["ed"])
    for _ in range(6):
        service.submit_regenerate(other.pk, "突出国产算力", users["ed"])
    assert [j.id for j in service.jobs(kind="regenerate", about={"section_pk": core.pk}, limit=3)] == [ours]
    assert len(service.jobs(kind="regenerate", about={"section_pk": other.pk}, limit=3)) == 3
    assert service.jobs(kind="recheck", about={"report_id": report_id}) == []
