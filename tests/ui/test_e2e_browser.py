"""End to end in a real headless Chromium: ``streamlit run`` on a free port, a seeded SQLite store, Playwright.

Signs in as editor, opens a section, follows a citation to its source, edits and saves, and may not approve his
own version (four eyes); signs in as analyst and finds approval refused. A source titled ``<img src=x onerror=alert(1)>`` must show as literal text and
no dialog may fire.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from review_factories import EVIL_TITLE, PASSWORD, seed

from assistant.review import ReviewService, list_users

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
SCREENS = Path("/tmp/ui-screens")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError("streamlit did not become healthy")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, ReviewService, int]]:
    if not Path(CHROMIUM).is_file():
        print(f"\n{CHROMIUM} missing (apt-get install -y chromium); browser test skipped")
        pytest.skip(f"{CHROMIUM} not installed")
    url_db = f"sqlite:///{tmp_path / 'review.db'}"
    service, _users, report_id = seed(url_db, tmp_path / "out")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    try:
        with ui_server(url_db, tmp_path, env, worker=False) as base:
            yield base, service, report_id
    finally:
        service.engine.dispose()


@contextmanager
def ui_server(db_url: str, cwd: Path, env: dict[str, str], *, worker: bool = True) -> Iterator[str]:
    """``python -m assistant ui`` as users start it (with its embedded job worker unless ``worker=False``) on a
    free port; yields the base URL once healthy; stops it (and so its worker) afterwards. Log: ``cwd/ui.log``."""
    port = _free_port()
    args = [sys.executable, "-m", "assistant", "ui", "--port", str(port), "--db", db_url]
    with (cwd / "ui.log").open("wb") as log:
        proc = subprocess.Popen(args + ([] if worker else ["--no-worker"]), cwd=cwd,
                                env=dict(env, PYTHONPATH=str(ROOT)), stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(base, proc)
            yield base
        finally:
            proc.terminate()  # the UI command stops its worker as well
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def _fontconfig(directory: Path) -> dict[str, str]:
    """Chromium finds the CJK fonts mplfonts ships (a dependency), so screenshots show Chinese, not boxes."""
    import mplfonts

    fonts = Path(mplfonts.__file__).resolve().parent / "fonts"
    conf = directory / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f'<include ignore_missing="yes">/etc/fonts/fonts.conf</include><dir>{fonts}</dir>'
        f'<cachedir>{directory / "fc-cache"}</cachedir></fontconfig>', encoding="utf-8")
    return dict(os.environ, FONTCONFIG_FILE=str(conf))


def _shot(page, directory: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    path = directory / f"{name}.png"
    page.wait_for_timeout(800)  # let Streamlit's expand/tab transitions finish so the picture shows the end state
    page.screenshot(path=str(path), full_page=True)
    SCREENS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SCREENS / path.name)


def _sign_in(page, base: str, name: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto(base)
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="报告总览")).to_be_visible(timeout=30_000)
    wait_for_session_cookie(page)


def wait_for_session_cookie(page, timeout_s: float = 30) -> dict:  # type: ignore[no-untyped-def, type-arg]
    """The server sets the HttpOnly session cookie just after sign-in (the page posts a one-time ticket)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = [c for c in page.context.cookies() if c["name"] == "ra_session" and c["value"]]
        if found:
            return found[0]  # type: ignore[no-any-return]
        page.wait_for_timeout(100)
    raise TimeoutError("the session cookie was not set")


def _open_first_section(page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.get_by_role("button", name="打开审阅").click()
    expect(page.get_by_role("heading", name="章节审阅")).to_be_visible(timeout=30_000)


def test_editor_flow_and_analyst_refusal_in_chromium(server: tuple[str, ReviewService, int],
                                                     tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, service, report_id = server
    pk = service.sections(report_id)[0].pk
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, env=_fontconfig(tmp_path))
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.set_default_timeout(30_000)

        _sign_in(page, base, "editor")
        _open_first_section(page)
        # Follow citation [1] to its source: the injected title must be literal text.
        expect(page.locator("a[href='#src-1']").first).to_be_visible()
        page.locator("a[href='#src-1']").first.click()
        expect(page.get_by_text(f"[1] {EVIL_TITLE}", exact=True)).to_be_visible()
        expect(page.get_by_text("英伟达在7月发布了面向推理的新一代GPU", exact=False).first).to_be_visible()
        expect(page.get_by_role("link", name="打开原文").first).to_have_attribute("href", "https://example.com/n001")
        assert page.locator("img[src='x']").count() == 0
        _shot(page, tmp_path, "1_editor_citation")

        editor_box = page.get_by_label("正文（基于 v1）")
        editor_box.fill("编辑在浏览器里改写的正文 [1]。")
        editor_box.press("Control+Enter")
        page.get_by_role("button", name="保存为新版本").click()
        expect(page.get_by_text("已保存为 v2")).to_be_visible()
        page.get_by_role("tab", name="审批").click()
        expect(page.get_by_role("button", name="批准 v2")).to_be_disabled()  # four eyes: his own version
        _shot(page, tmp_path, "2_editor_four_eyes")
        assert service.section(pk).current_version == 2

        page.get_by_role("button", name="退出登录").click()
        # signed out once the form is back: navigating before the click's run is done would keep the session
        expect(page.get_by_label("用户名")).to_be_visible()
        _sign_in(page, base, "analyst")
        _open_first_section(page)
        page.get_by_role("tab", name="审批").click()
        expect(page.get_by_role("button", name="批准 v2")).to_be_disabled()
        expect(page.get_by_text("你的角色无权审批", exact=False)).to_be_visible()
        _shot(page, tmp_path, "3_analyst_refused")
        browser.close()

    assert dialogs == []
    assert service.reviews(pk) == []
    assert service.version(pk, 2).markdown == "编辑在浏览器里改写的正文 [1]。"


def _prepare_compliance(service: ReviewService, report_id: int) -> int:
    """Sections approved, the real checks re-run, every blocking finding but one resolved. Returns that one."""
    from assistant.review.compliance import ComplianceService

    users = {u.name: u for u in list_users(service.engine)}
    for section in service.sections(report_id):
        service.approve(section.pk, 1, users["editor"])
    comp = ComplianceService(service)
    comp.rerun_checks(report_id, users["compliance"])
    blocking = [f for f in comp.findings(report_id) if f.severity == "blocking"]
    left = next(f for f in blocking if f.section_id == "core_views" and f.sentence)
    for finding in blocking:
        if finding.id != left.id:
            comp.resolve(finding.id, "测试前已核对", users["compliance"])
    return left.id


def test_compliance_resolves_a_finding_and_signs_off_in_chromium(server: tuple[str, ReviewService, int],
                                                                 tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, service, report_id = server
    finding_id = _prepare_compliance(service, report_id)
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, env=_fontconfig(tmp_path))
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.set_default_timeout(30_000)

        _sign_in(page, base, "compliance")
        page.get_by_role("link", name="合规审查").click()
        expect(page.get_by_role("heading", name="合规审查")).to_be_visible()
        expect(page.get_by_text(f"#{finding_id}", exact=False).first).to_be_visible()
        expect(page.get_by_role("button", name="合规签字")).to_be_disabled()
        _shot(page, tmp_path, "4_compliance_findings")

        page.locator(f".st-key-reason_{finding_id} input").fill("已与原文核对，引用恰当")
        page.locator(f".st-key-reason_{finding_id} input").press("Enter")
        page.locator(f".st-key-resolve_{finding_id} button").click()
        expect(page.get_by_text(f"问题 #{finding_id} 已标记为已处理")).to_be_visible()
        page.get_by_label("签字意见").fill("引用与披露已核对")
        page.get_by_role("button", name="合规签字").click()
        expect(page.get_by_text("已签字：报告可以导出")).to_be_visible()
        assert page.locator("img[src='x']").count() == 0
        signed = page.get_by_text("已由 compliance 于", exact=False)
        expect(signed).to_be_visible()  # waits out the rerun, so the element no longer gets replaced
        signed.scroll_into_view_if_needed()  # Streamlit scrolls an inner container, not the page
        _shot(page, tmp_path, "5_compliance_signed")
        browser.close()

    assert dialogs == []
    assert service.export_gate(report_id).allowed
    assert service.audit_log(object_type="report")[0].action == "sign_off"
