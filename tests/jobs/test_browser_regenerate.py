"""In a real headless Chromium against ``python -m assistant ui`` (Streamlit plus its embedded worker process): an
editor asks for 更简洁 on a drafted section, the page returns at once showing the job, and the suggestion made by
the worker appears by itself (no click, no reload), marked with the job it came from.

The report is a real offline draft of the sample's 产品动态 section (hash embedding, the session's shared store).
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from jobs_support import ROOT
from review_factories import seed_users

sys.path.insert(0, str(ROOT / "tests" / "ui"))

from test_e2e_browser import ARGS, CHROMIUM, _fontconfig, _shot, _sign_in, ui_server

from assistant.jobs import JobService, sample_inputs
from assistant.review import ReviewService
from assistant.settings import get_settings

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SHOTS = Path("/tmp/shots15")


@pytest.fixture
def drafted_ui(tmp_path: Path, shared_store: Path) -> Iterator[tuple[str, ReviewService, int]]:
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"{CHROMIUM} not installed")
    from assistant.drafting import draft_report

    out = tmp_path / "drafted"
    draft_report(*sample_inputs(), out, get_settings(engine="offline", embedding="hash", store_dir=shared_store),
                 sections=["product_dynamics"])
    url = f"sqlite:///{tmp_path / 'review.db'}"
    service = ReviewService.open(url)
    users = seed_users(service)
    report_id = service.import_report(out, users["analyst"])
    env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONPATH=str(ROOT), RA_JOBS_DIR=str(tmp_path / "jobs"),
               RA_ENGINE="offline", RA_EMBEDDING="hash", RA_STORE_DIR=str(shared_store), RA_JOBS_HEARTBEAT_S="1")
    try:
        with ui_server(url, tmp_path, env) as base:
            yield base, service, report_id
    finally:
        service.engine.dispose()


def _keep(tmp_path: Path, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(tmp_path / f"{name}.png", SHOTS / f"{name}.png")


def test_regenerate_in_the_browser_arrives_from_the_embedded_worker(drafted_ui: tuple[str, ReviewService, int],
                                                                    tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, service, report_id = drafted_ui
    (section,) = service.sections(report_id)
    jobs = JobService(service.engine, settings=get_settings())
    expect.set_options(timeout=30_000)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, env=_fontconfig(tmp_path))
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(30_000)
        _sign_in(page, base, "editor")
        page.get_by_role("link", name="章节审阅").click()
        page.get_by_role("tab", name="重新生成").click()
        page.get_by_text("更简洁", exact=True).click()

        clicked = time.monotonic()
        page.get_by_role("button", name="生成建议").click()
        expect(page.get_by_text("已提交重新生成任务", exact=False)).to_be_visible()
        submitted = time.monotonic() - clicked
        (job,) = jobs.jobs(kind="regenerate")
        card = page.locator(f"[class*='st-key-job_regen_jobs_{section.pk}_{job.id}']")
        expect(card).to_be_visible()  # queued or already running: the watcher shows it with its state
        card.scroll_into_view_if_needed()  # Streamlit scrolls an inner box, not the page
        _shot(page, tmp_path, "r1_regenerate_job_running")
        _keep(tmp_path, "r1_regenerate_job_running")

        expect(page.get_by_text(f"来自任务 {job.id}", exact=False)).to_be_visible()  # no click, no reload
        arrived = time.monotonic() - clicked
        expect(card).to_have_count(0)  # done: the card is gone, the suggestion stays
        expect(page.get_by_text(f"任务 {job.id} 已完成", exact=False)).to_be_visible()
        page.get_by_text("生成建议", exact=True).scroll_into_view_if_needed()  # the suggestion's head below it
        _shot(page, tmp_path, "r2_suggestion_from_job")
        _keep(tmp_path, "r2_suggestion_from_job")
        browser.close()

    (suggestion,) = service.open_suggestions(section.pk)
    assert suggestion.job_id == job.id and jobs.job(job.id).state == "done"
    assert suggestion.instruction == "更简洁" and suggestion.engine == "offline"
    assert len(suggestion.markdown) < 0.7 * len(section.markdown)  # the offline engine's 更简洁 did shorten it
    assert service.section(section.pk).current_version == 1  # a suggestion until an editor accepts it
    print(f"submit returned after {submitted:.2f}s; suggestion shown {arrived:.2f}s after the click")
