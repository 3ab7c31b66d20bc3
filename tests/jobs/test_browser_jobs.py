"""In a real headless Chromium: an analyst submits a draft in 新建草稿, leaves for 报告总览, comes back to 任务, sees
the per-section progress move (no reload: the page refreshes itself) and opens the imported report.

A real ``streamlit run`` and a real ``worker`` process share one SQLite review store and its queue file.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from review_factories import seed

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "ui"))

from test_e2e_browser import ARGS, CHROMIUM, _fontconfig, _free_port, _shot, _sign_in, _wait_healthy  # noqa: E402

from assistant.jobs import JobService  # noqa: E402
from assistant.review import ReviewService  # noqa: E402

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def app_and_worker(tmp_path: Path, shared_store: Path) -> Iterator[tuple[str, ReviewService]]:
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"{CHROMIUM} not installed")
    url = f"sqlite:///{tmp_path / 'review.db'}"
    service, _users, _report_id = seed(url, tmp_path / "seeded")
    env = dict(os.environ, RA_DATABASE_URL=url, PYTHONUNBUFFERED="1", PYTHONPATH=str(ROOT),
               RA_JOBS_DIR=str(tmp_path / "jobs"), RA_ENGINE="offline", RA_EMBEDDING="hash",
               RA_STORE_DIR=str(shared_store), RA_MAX_CONCURRENCY="1", RA_JOBS_HEARTBEAT_S="1")
    port = _free_port()
    logs = [(tmp_path / "streamlit.log").open("wb"), (tmp_path / "worker.log").open("wb")]
    procs = [
        # the UI as users start it (ui/server.py: its route sets the HttpOnly session cookie), worker apart
        subprocess.Popen([sys.executable, "-m", "assistant", "ui", "--port", str(port), "--db", url, "--no-worker"],
                         cwd=tmp_path, env=env, stdout=logs[0], stderr=subprocess.STDOUT),
        subprocess.Popen([sys.executable, "-m", "assistant", "worker"], cwd=tmp_path, env=env, stdout=logs[1],
                         stderr=subprocess.STDOUT),
    ]
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, procs[0])
        yield base, service
    finally:
        for proc in procs:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        for log in logs:
            log.close()
        service.engine.dispose()


def _pick(page: Page, picker: Locator, title: str) -> None:
    """Pick one option of the multiselect, as a user does: open, click, close, see it chosen.

    The list re-renders after each pick (a Streamlit rerun); a click that lands while it does is lost, so the user,
    like this helper, waits for the app to settle and tries again (CI lost the second pick once in ~40 runs).
    """
    from playwright.sync_api import expect

    chosen = picker.get_by_text(title)
    for _ in range(3):
        expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=30_000)
        picker.click()
        page.get_by_role("option", name=title).click()
        page.keyboard.press("Escape")
        try:
            expect(chosen).to_be_visible(timeout=5_000)
            return
        except AssertionError:
            continue
    expect(chosen).to_be_visible()


def test_submit_leave_return_watch_progress_open_report(app_and_worker: tuple[str, ReviewService],
                                                        tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, service = app_and_worker
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, env=_fontconfig(tmp_path))
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.set_default_timeout(30_000)
        _sign_in(page, base, "analyst")

        page.get_by_role("link", name="新建草稿").click()
        expect(page.get_by_role("heading", name="新建草稿")).to_be_visible()
        picker = page.get_by_test_id("stMultiSelect")
        for title in ("一、市场行情回顾", "（二）投融资事件", "（二）算法端：国内外巨头大模型动态"):
            _pick(page, picker, title)
        page.get_by_role("button", name="开始起草").click()
        expect(page.get_by_text("已提交起草任务")).to_be_visible()
        _shot(page, tmp_path, "jobs_1_submitted")

        page.get_by_role("link", name="报告总览").click()  # leave: the job does not depend on this page
        expect(page.get_by_role("heading", name="报告总览")).to_be_visible()
        page.get_by_role("link", name="任务").click()
        expect(page.get_by_role("heading", name="任务")).to_be_visible()
        # the card's progress line (the job table's cell of the same text is drawn on a canvas grid, not visible text)
        expect(page.get_by_text(re.compile(r"\d/3 章 ·")).first).to_be_visible()
        _shot(page, tmp_path, "jobs_2_progress")
        # No reload: the page refreshes itself until the worker has drafted and imported the report.
        open_report = page.get_by_role("button", name="打开报告 #")
        expect(open_report).to_be_visible(timeout=240_000)
        expect(page.get_by_text("✓ 一、市场行情回顾：完成")).to_be_visible()
        _shot(page, tmp_path, "jobs_3_done")
        open_report.click()
        expect(page.get_by_role("heading", name="报告总览")).to_be_visible()
        _shot(page, tmp_path, "jobs_4_report")
        browser.close()

    assert dialogs == []
    jobs = JobService(service.engine).jobs()
    assert len(jobs) == 1 and jobs[0].state == "done" and jobs[0].report_id is not None
    assert [s.section_id for s in service.sections(jobs[0].report_id)] == [
        "market_review", "llm_dynamics", "funding"]
