"""Submitting is atomic with the queue, progress is the ledger's truth, and inputs are validated at submit.

A submit whose message cannot be sent leaves no job (a user who resubmits gets one job, not two); a transport that
cannot be reached is one message naming its address; submitters and workers of one database share one transport;
a job that ends keeps a true per-section record; what ``draft`` refuses, ``jobs submit`` refuses, in its words.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from review_factories import make_report
from sqlalchemy import func, select

from assistant.drafting import draft_report
from assistant.errors import AssistantError, ConfigError
from assistant.jobs import JobLedger, JobService, sample_inputs
from assistant.jobs.errors import QueueUnavailable
from assistant.jobs.rows import JobRow
from assistant.jobs.runner import execute
from assistant.progress import ProgressEvent
from assistant.review import UserView
from assistant.review.db import AuditLog
from assistant.settings import get_settings

Jobs = tuple[JobService, dict[str, UserView]]


def _count(service: JobService, model: type, **where: str) -> int:
    query = select(func.count()).select_from(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    with service.engine.connect() as conn:
        return int(conn.scalar(query) or 0)


def _submit(service: JobService, user: UserView, sections: list[str] | None = None) -> str:
    pack, corpus = sample_inputs()
    return service.submit_draft(user, pack=pack, corpus=corpus, sections=sections or ["market_review"])


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_refused_send_leaves_no_job_and_no_audit_row(jobs: Jobs, monkeypatch: pytest.MonkeyPatch) -> None:
    service, users = jobs
    queue = service.queue

    def refuse(job_id: str) -> None:
        raise queue._unavailable(ConnectionError("Connection refused"))

    monkeypatch.setattr(queue, "send", refuse)
    with pytest.raises(QueueUnavailable, match=r"无法连接任务队列.*任务未提交"):
        _submit(service, users["ana"])
    assert _count(service, JobRow) == 0
    assert _count(service, AuditLog, action="job_submit") == 0


def test_an_unreachable_redis_is_one_message_naming_it_and_nothing_is_queued(db_url: str, job_env: dict[str, str],
                                                                            password_hash: str) -> None:
    pytest.importorskip("redis")
    from jobs_support import make_users

    url = f"redis://:secret@127.0.0.1:{_dead_port()}/0"
    service = JobService.open(db_url, settings=get_settings(jobs_queue_url=url))
    users = make_users(service.engine, password_hash)
    try:
        started = time.monotonic()
        with pytest.raises(QueueUnavailable) as info:
            _submit(service, users["ana"])
        message = str(info.value)
        assert f"redis://***@127.0.0.1:{url.rsplit(':', 1)[1]}" in message and "secret" not in message
        assert "Traceback" not in message and time.monotonic() - started < 30
        assert _count(service, JobRow) == 0
        with pytest.raises(QueueUnavailable):
            service.queue.ping()  # what ``worker`` checks first, so it stops with this message, not a traceback
    finally:
        service.engine.dispose()


def test_submitters_and_workers_share_the_transport_stored_with_the_database(jobs: Jobs) -> None:
    service, users = jobs
    first = _submit(service, users["ana"])
    other = JobService(service.engine, settings=get_settings(jobs_queue_url="redis://127.0.0.1:6379/15"))
    with pytest.raises(ConfigError, match=r"任务队列不一致：.*审阅库内的队列.*redis://127.0.0.1:6379/15"):
        _submit(other, users["ana"])
    with pytest.raises(AssistantError, match="管理"):
        other.adopt_transport(users["ana"])  # only an admin moves the jobs of a database
    assert other.adopt_transport(users["ad"]) == "redis://127.0.0.1:6379/15"
    with service.engine.connect() as conn:  # the queued job's message went to the old transport: sent again
        assert conn.scalar(select(JobRow.dispatched_at).where(JobRow.id == first)) is None
    with pytest.raises(ConfigError, match="任务队列不一致"):
        JobService(service.engine, settings=get_settings()).agree_transport()


def test_a_message_for_a_job_that_never_committed_is_dropped_after_a_short_wait(jobs: Jobs) -> None:
    service, _ = jobs
    ledger = JobLedger(service.engine, settings=get_settings(), queue=service.queue)
    started = time.monotonic()
    assert execute(ledger, "0123456789abcdef", "w1") is None
    assert time.monotonic() - started < 10


def test_a_job_that_ends_keeps_a_true_record_of_its_sections(jobs: Jobs) -> None:
    service, users = jobs
    ledger = JobLedger(service.engine, settings=get_settings(), queue=service.queue)
    job_id = _submit(service, users["ana"], ["market_review", "funding", "risk_warnings"])
    claim = ledger.claim(job_id, "w1")
    assert claim is not None
    ledger.record_progress(claim, ProgressEvent("draft", "完成", 1, 3, "market_review", "ok"))
    ledger.record_progress(claim, ProgressEvent("draft", "起草", 2, 3, "funding", "running"))
    assert ledger.finish(claim, "cancelled")
    job = service.job(job_id)
    assert [(s.id, s.status) for s in job.sections] == [
        ("market_review", "ok"), ("funding", "interrupted"), ("risk_warnings", "skipped")]
    assert job.progress_label == "已起草 1/3 章，未导入"
    retried = service.retry(job_id, users["ana"])
    assert [s.status for s in retried.sections] == ["ok", "queued", "queued"]  # the drafted one is kept


def test_the_finishing_worker_writes_the_final_state_of_every_section(jobs: Jobs) -> None:
    service, users = jobs
    ledger = JobLedger(service.engine, settings=get_settings(), queue=service.queue)
    report = make_report(3)
    ids = [s.id for s in report.sections]
    job_id = _submit(service, users["ana"], ids)
    claim = ledger.claim(job_id, "w2")
    assert claim is not None
    # A first worker, killed mid-section, left "running" behind; the resume drafted from stages without events.
    ledger.record_progress(claim, ProgressEvent("draft", "起草", 1, 3, ids[1], "running"))
    report.sections[2].status = "failed"
    assert ledger.finish_draft(claim, report)
    job = service.job(job_id)
    drafted = {s.id: s.status for s in report.sections}
    assert {s.id: s.status for s in job.sections} == {
        k: "failed" if v == "failed" else "ok" for k, v in drafted.items()}
    assert "running" not in {s.status for s in job.sections}
    assert job.state == "done" and job.progress_label == f"{len(ids) - 1}/{len(ids)} 章，1 章失败"


def test_cancelling_twice_says_the_state_once(jobs: Jobs) -> None:
    service, users = jobs
    job_id = _submit(service, users["ana"])
    service.cancel(job_id, users["ana"])
    with pytest.raises(AssistantError) as info:
        service.cancel(job_id, users["ana"])
    assert "已已" not in str(info.value) and "「已取消」" in str(info.value)


@pytest.mark.parametrize("breakage", ["no_pack_yaml", "bad_outline", "no_corpus_file"])
def test_submit_refuses_what_draft_refuses_with_the_same_message(jobs: Jobs, tmp_path: Path, breakage: str) -> None:
    import shutil

    service, users = jobs
    pack, corpus = sample_inputs()
    bad_pack = tmp_path / "pack"
    shutil.copytree(pack, bad_pack)
    bad_corpus = tmp_path / "corpus.jsonl"
    shutil.copy(corpus, bad_corpus)
    if breakage == "no_pack_yaml":
        (bad_pack / "pack.yaml").unlink()
    elif breakage == "bad_outline":
        (bad_pack / "views.yaml").write_text("theses: [unclosed\n", encoding="utf-8")
    else:
        bad_corpus.write_text('{"title": "没有日期和正文"}\n', encoding="utf-8")
    with pytest.raises(AssistantError) as submitted:
        service.submit_draft(users["ana"], pack=bad_pack, corpus=bad_corpus)
    with pytest.raises(AssistantError) as drafted:
        draft_report(bad_pack, bad_corpus, tmp_path / "out", get_settings())
    assert str(submitted.value) == str(drafted.value)
    assert _count(service, JobRow) == 0
