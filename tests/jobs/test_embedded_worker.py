"""``python -m assistant ui`` starts one worker process beside Streamlit and stops it with the UI; workers record
their presence, and queued jobs without any live worker are flagged.

Real processes: the UI command, its Streamlit child and its worker child; the job the embedded worker runs is a real
re-check of an imported report.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from jobs_support import ROOT, wait_for
from review_factories import seed

sys.path.insert(0, str(ROOT / "tests" / "ui"))

from test_e2e_browser import _free_port, _wait_healthy

from assistant.jobs import JobLedger, JobService, sample_inputs
from assistant.jobs.presence import NO_WORKER
from assistant.review import UserView
from assistant.review.db import AppSetting
from assistant.settings import get_settings


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_no_worker_warning_follows_queued_jobs_and_worker_presence(
        db_url: str, jobs: tuple[JobService, dict[str, UserView]], tmp_path: Path) -> None:
    service, users = jobs
    assert service.no_worker_warning() is None  # nothing waits: nothing to warn about
    ledger = JobLedger(service.engine, settings=service.settings, queue=service.queue)
    pack, corpus = sample_inputs()  # submit validates its inputs as draft does
    job_id = service.submit_draft(users["ana"], pack=pack, corpus=corpus)
    assert service.no_worker_warning() == NO_WORKER
    ledger.present("host:1:abc")
    assert service.no_worker_warning() is None
    assert [w.ident for w in service.workers_seen()] == ["host:1:abc"]
    with ledger._sessions.begin() as session:  # the worker was last heard from longer than a lease ago
        row = session.get_one(AppSetting, "worker:host:1:abc")
        row.updated_at = row.updated_at - dt.timedelta(seconds=service.settings.jobs_lease_s + 1)
    assert service.no_worker_warning() == NO_WORKER and service.workers_seen() == []
    ledger.present("host:1:abc")
    ledger.absent("host:1:abc")  # a worker that stops says so
    assert service.no_worker_warning() == NO_WORKER
    service.cancel(job_id, users["ana"])
    assert service.no_worker_warning() is None


@pytest.fixture
def ui_command(tmp_path: Path, job_env: dict[str, str]) -> Iterator[tuple[subprocess.Popen[str], str, str]]:
    url = f"sqlite:///{tmp_path / 'review.db'}"
    env = dict(os.environ, **job_env, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "ui", "--port", str(port), "--db", url],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        yield proc, url, f"http://127.0.0.1:{port}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_ui_command_starts_its_worker_and_stops_it_on_exit(ui_command: tuple[subprocess.Popen[str], str, str],
                                                           tmp_path: Path) -> None:
    proc, url, base = ui_command
    assert proc.stdout is not None
    lines = [proc.stdout.readline() for _ in range(2)]
    match = re.search(r"内嵌任务工作进程 pid (\d+)，日志：(\S+)", lines[1])
    assert match, lines
    pid, log = int(match.group(1)), Path(match.group(2))
    assert log == (tmp_path / "jobs" / "embedded-worker.log").resolve()
    _wait_healthy(base, proc)  # type: ignore[arg-type]

    # The embedded worker runs a real job: re-checking an imported report.
    review, users, report_id = seed(url, tmp_path / "seeded")
    service = JobService(review.engine, settings=get_settings())
    wait_for(lambda: bool(service.workers_seen()), 30, "the embedded worker's presence")
    assert service.workers_seen()[0].pid == pid
    job_id = service.submit_recheck(report_id, users["compliance"])
    wait_for(lambda: service.job(job_id).state == "done", 60, "the re-check job run by the embedded worker")

    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)  # how a service manager stops the UI
    assert proc.wait(timeout=30) is not None
    stopped = time.monotonic() - started
    assert not _alive(pid), "the embedded worker outlived the UI"
    assert service.workers_seen() == []  # it left cleanly and said so
    rest = proc.stdout.read()
    assert "内嵌任务工作进程已停止" in rest, rest
    assert f"任务 {job_id}" in log.read_text(encoding="utf-8")
    print(f"UI + worker stopped {stopped:.2f}s after SIGTERM")
    review.engine.dispose()


def test_ui_command_without_worker_says_so(tmp_path: Path, job_env: dict[str, str]) -> None:
    url = f"sqlite:///{tmp_path / 'review.db'}"
    env = dict(os.environ, **job_env, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1", RA_JOBS_EMBEDDED_WORKER="false")
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "ui", "--port", str(port), "--db", url],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        head = proc.stdout.readline() + proc.stdout.readline()
        assert "未启动内嵌任务工作进程" in head and "pid" not in head
    finally:
        proc.terminate()
        proc.wait(timeout=30)
