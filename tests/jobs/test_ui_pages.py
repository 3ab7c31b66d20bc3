"""The 任务 page and the new-draft page through AppTest: submit returns at once, cancel, retry, errors shown."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant.jobs import JobLedger, JobService, sample_inputs
from assistant.review import UserView
from assistant.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "ui"))
APP = str(ROOT / "ui" / "app.py")
Jobs = tuple[JobService, dict[str, UserView]]


@pytest.fixture
def page(jobs: Jobs, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    monkeypatch.setenv("RA_DATABASE_URL", db_url)
    _service, users = jobs

    def build(name: str, target: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        at.session_state["user"] = users[name].model_dump()
        at.run()
        at.switch_page(target)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return build


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_new_draft_enqueues_and_returns(page: Callable[..., AppTest], jobs: Jobs) -> None:
    service, _users = jobs
    at = page("ana", "screens/new_draft.py")
    at.multiselect(key="draft_sections").set_value(["market_review", "funding"])
    at.button(key="start_draft").click().run()
    assert not at.exception and not at.error
    job = service.job(at.session_state["last_job_id"])
    assert job.state == "queued" and [s.id for s in job.sections] == ["market_review", "funding"]
    assert job.id in at.success[0].value


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_jobs_page_shows_progress_cancel_and_retry(page: Callable[..., AppTest], jobs: Jobs) -> None:
    service, users = jobs
    pack, corpus = sample_inputs()
    running = service.submit_draft(users["ana"], pack=pack, corpus=corpus, sections=["market_review", "funding"])
    queued = service.submit_draft(users["ana"], pack=pack, corpus=corpus, sections=["funding"])
    other = service.submit_draft(users["bo"], pack=pack, corpus=corpus)
    ledger = JobLedger(service.engine, settings=get_settings(), queue=service.queue)
    claim = ledger.claim(running, "w1")
    assert claim is not None
    from assistant.progress import ProgressEvent

    ledger.record_progress(claim, ProgressEvent("draft", "完成 一、市场行情回顾", 1, 2, "market_review", "ok"))

    at = page("ana", "screens/jobs.py")
    texts = "\n".join(t.value for t in at.text)
    assert "✓ 一、市场行情回顾：完成" in texts and "· （二）投融资事件：等待" in texts
    assert any(p.proto.value == 50 for p in at.get("progress"))
    assert other not in "\n".join(m.value for m in at.markdown)  # bo's job is not ana's to see
    at.button(key=f"cancel_{queued}").click().run()
    assert service.job(queued).state == "cancelled"
    at.button(key=f"retry_{queued}").click().run()
    assert service.job(queued).state == "queued"

    ledger.finish(claim, "failed", error="数据包 pack.yaml 第 3 行 字段 month: 格式错误")
    at.run()
    assert any("第 3 行" in e.value for e in at.error)
    admin = page("ad", "screens/jobs.py")
    assert other in "\n".join(m.value for m in admin.markdown)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_inbox_lists_the_users_running_and_failed_jobs(page: Callable[..., AppTest], jobs: Jobs) -> None:
    service, users = jobs
    pack, corpus = sample_inputs()
    running = service.submit_draft(users["ana"], pack=pack, corpus=corpus, sections=["funding"])
    failing = service.submit_draft(users["ana"], pack=pack, corpus=corpus, sections=["funding"])
    done = service.submit_draft(users["ana"], pack=pack, corpus=corpus, sections=["funding"])
    others = service.submit_draft(users["bo"], pack=pack, corpus=corpus, sections=["funding"])
    ledger = JobLedger(service.engine, settings=get_settings(), queue=service.queue)
    for job_id in (failing, done):
        claim = ledger.claim(job_id, "w1")
        assert claim is not None
        if job_id == failing:
            ledger.finish(claim, "failed", error="数据包 pack.yaml 第 3 行 字段 month: 格式错误 <b>x</b>")
        else:
            ledger.finish(claim, "done")

    at = page("ana", "screens/overview.py")
    inbox = next(e for e in at.expander if e.label.startswith("收件箱"))
    assert "进行中的任务 1" in inbox.label and "失败的任务 1" in inbox.label
    shown = "\n".join(m.value for m in inbox.markdown)
    assert running in shown and failing in shown and done not in shown and others not in shown
    assert "第 3 行" in shown and "<b>" not in shown  # the error as data, escaped
    at.button(key=f"inbox_job_False_{failing}").click().run()
    assert not at.exception
