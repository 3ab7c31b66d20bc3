"""The review workspace in a real headless Chromium against ``streamlit run`` (one browser session, many checks).

An editor opens 市场行情回顾 (tables and charts in place, ``50~73%`` as written), types, switches sections and
comes back (text kept), reloads (still signed in; the unsaved text is offered back), saves over another editor's
non-overlapping edit (both kept) and an overlapping one (shown side by side, both kept by choice), cannot approve
his own version, is refused at once a regeneration the offline engine cannot do, sees a regenerate job fail in the
worker process the UI command started (error in place, 重试 offered), rejects a regenerate suggestion (version
unchanged) and reads a send-back reason on the section.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from review_factories import make_report, seed_users, write_out_dir
from test_e2e_browser import ARGS, CHROMIUM, _fontconfig, _shot, _sign_in, ui_server

from assistant.jobs import JobService
from assistant.models import Chart
from assistant.review import ReviewService, UserView
from assistant.settings import get_settings

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIRST = "7月人工智能指数上涨5.2%，估值 5~9 倍，毛利率 50~73% [1]。"
SECOND = "国产算力加速，昇腾出货提升 [2]。"
MARKET = f"{FIRST}{SECOND}\n\n{{{{table:T1}}}}\n\n指数走势见下图。\n\n{{{{chart:F1}}}}"
Store = tuple[str, ReviewService, dict[str, UserView], int]


def _seed(url: str, out: Path) -> tuple[ReviewService, dict[str, UserView], int]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    report = make_report(3)
    market = next(s for s in report.sections if s.id == "market_review")
    sections = [s.model_copy(update={"markdown": MARKET, "charts": ["F1"]}) if s is market else s
                for s in report.sections]
    chart = Chart(id="F1", key="index_performance", title="7 月人工智能指数表现", path="charts/F1.png", source="Wind")
    report = report.model_copy(update={"sections": sections, "charts": [chart]})
    (out / "charts").mkdir(parents=True, exist_ok=True)
    figure = plt.figure(figsize=(4, 2))
    figure.gca().plot([1, 2, 3], [1, 3, 2])
    figure.savefig(out / "charts" / "F1.png")
    plt.close(figure)
    service = ReviewService.open(url)
    users = seed_users(service)
    return service, users, service.import_report(write_out_dir(out, report), users["analyst"])


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Store]:
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"{CHROMIUM} not installed")
    url_db = f"sqlite:///{tmp_path / 'review.db'}"
    service, users, report_id = _seed(url_db, tmp_path / "out")
    env = dict(os.environ, PYTHONUNBUFFERED="1", RA_ENGINE="offline", RA_JOBS_DIR=str(tmp_path / "jobs"),
               RA_JOBS_HEARTBEAT_S="1")
    try:  # the UI command, as users start it: Streamlit plus its embedded job worker (regeneration runs there)
        with ui_server(url_db, tmp_path, env) as base:
            yield base, service, users, report_id
    finally:
        service.engine.dispose()


def _pick_section(page, title: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    picker = page.locator("[class*='st-key-section_picker_']")
    expect(picker).to_have_count(1)  # the key follows the labels: wait out a rerun's stale copy
    option = page.get_by_role("option", name=title, exact=False).first
    for _attempt in range(3):  # a rerun finishing just after the click closes the list again: open it anew
        picker.click()
        try:
            option.click(timeout=5_000)
            return
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    option.click()


def _editor(page, pk: int):  # type: ignore[no-untyped-def]
    """The section's editor (its key names the section and the base version; a rerun may briefly show both)."""
    from playwright.sync_api import expect

    box = page.locator(f"[class*='st-key-ed_{pk}_'] textarea")
    expect(box).to_have_count(1)
    return box


def _type(page, pk: int, text: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import Error as PlaywrightError

    for _attempt in range(3):
        box = _editor(page, pk)
        try:  # a rerun still finishing can draw the new box beside the old one after the count was taken
            box.fill(text)
            break
        except PlaywrightError:
            page.wait_for_timeout(500)
    else:
        box = _editor(page, pk)
        box.fill(text)
    box.press("Control+Enter")  # commits the value (the buffer and the kept draft follow)
    page.wait_for_timeout(600)


def test_editor_workspace_in_chromium(workspace: Store, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, service, users, report_id = workspace
    expect.set_options(timeout=30_000)  # a rerun on a loaded 2-core machine can take several seconds
    market = service.find_section(report_id, "market_review")
    pk = market.pk
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, env=_fontconfig(tmp_path))
        context = browser.new_context(viewport={"width": 1400, "height": 1100})
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.set_default_timeout(30_000)

        _sign_in(page, base, "editor")
        page.get_by_role("link", name="章节审阅").click()
        _pick_section(page, market.title)
        # WYSIWYG: the computed table and the chart are in place with their numbers; tildes are text.
        expect(page.get_by_text("表 1：7 月份人工智能板块涨幅前十")).to_be_visible()
        expect(page.get_by_text("图 1：7 月人工智能指数表现")).to_be_visible()
        expect(page.locator("[data-testid='stImage'] img").first).to_be_visible()
        expect(page.get_by_text("毛利率 50~73%", exact=False).first).to_be_visible()
        assert page.locator("[data-testid='stMarkdownContainer'] del").count() == 0
        _shot(page, tmp_path, "w1_market_wysiwyg")

        # Switch away and back: the typed text is still in the editor.
        mine = MARKET.replace(SECOND, "国产算力加速，昇腾与寒武纪出货双双提升 [2]。")
        _type(page, pk, mine)
        compute = service.find_section(report_id, "compute_dynamics")
        _pick_section(page, "章节compute_dynamics")
        expect(_editor(page, compute.pk)).to_have_value(compute.markdown)
        _pick_section(page, market.title)
        expect(_editor(page, pk)).to_have_value(mine)

        # Reload: still signed in, and the unsaved text is offered back.
        page.reload()
        expect(page.get_by_role("button", name="退出登录")).to_be_visible()
        page.get_by_role("link", name="章节审阅").click()
        _pick_section(page, market.title)
        page.get_by_role("button", name="恢复未保存的编辑").click()
        expect(_editor(page, pk)).to_have_value(mine)
        _shot(page, tmp_path, "w2_reload_offer")

        # Another editor saves a different sentence meanwhile: both edits survive.
        theirs = MARKET.replace("指数走势见下图。", "指数走势见下图，7月下旬有所回落。")
        service.save_edit(pk, 1, theirs, users["admin"])
        page.get_by_role("button", name="保存为新版本").click()
        expect(page.get_by_text("已自动合并到编辑框", exact=False)).to_be_visible()
        page.get_by_role("button", name="保存为新版本").click()
        expect(page.get_by_text("已保存为 v3")).to_be_visible()
        merged = service.section(pk).markdown
        assert "昇腾与寒武纪出货双双提升" in merged and "7月下旬有所回落" in merged

        # Overlapping edits of one sentence: shown side by side, kept by the editor's choice.
        service.save_edit(pk, 3, merged.replace("上涨5.2%", "大涨5.2%"), users["admin"])
        _type(page, pk, merged.replace("上涨5.2%", "上涨5.3%"))
        page.get_by_role("button", name="保存为新版本").click()
        expect(page.get_by_text("1 处与你的修改重叠", exact=False)).to_be_visible()
        expect(page.get_by_text("7月人工智能指数大涨5.2%", exact=False).first).to_be_visible()
        page.get_by_text("两者都保留（我的在前）").scroll_into_view_if_needed()  # Streamlit scrolls an inner box
        _shot(page, tmp_path, "w3_overlap")
        page.get_by_text("两者都保留（我的在前）").click()
        page.get_by_role("button", name="把合并结果放入编辑框").click()
        expect(page.get_by_text("已合并到编辑框", exact=False)).to_be_visible()
        page.get_by_role("button", name="保存为新版本").click()
        expect(page.get_by_text("已保存为 v5")).to_be_visible()
        final = service.section(pk).markdown
        assert "上涨5.3%" in final and "大涨5.2%" in final and "7月下旬有所回落" in final

        # Four eyes: the author of v5 cannot approve it.
        page.get_by_role("tab", name="审批").click()
        expect(page.get_by_role("button", name="批准 v5")).to_be_disabled()
        expect(page.get_by_text("四眼原则", exact=False).first).to_be_visible()

        # Regeneration runs as a job: what the offline engine cannot do is refused at once, without a job ...
        jobs = JobService(service.engine, settings=get_settings())
        page.get_by_role("tab", name="重新生成").click()
        page.locator(f".st-key-regen_{pk} button").click()  # 更简洁 on the data-generated market section
        expect(page.get_by_text("市场行情回顾由行情数据逐句生成", exact=False)).to_be_visible()
        assert jobs.jobs() == []
        # ... and a job the worker process cannot finish shows its error in place, with 重试 (the seeded report
        # has no drafting stages to regenerate from; the new-suggestion path is tests/jobs/test_browser_regenerate).
        compute = service.find_section(report_id, "compute_dynamics")
        _pick_section(page, "章节compute_dynamics")
        # compute's own button: the market section's stays on the page until the rerun has drawn the new one
        page.locator(f".st-key-regen_{compute.pk} button").click()
        # (the "已提交" notice is transient: the worker may finish before it is seen, and the page then reruns)
        deadline = time.monotonic() + 30
        while not jobs.jobs(kind="regenerate") and time.monotonic() < deadline:
            time.sleep(0.2)
        (job,) = jobs.jobs(kind="regenerate")
        assert job.inputs["section_pk"] == compute.pk and job.inputs["instruction"] == "更简洁"
        card = page.locator(f".st-key-job_regen_jobs_{compute.pk}_{job.id}")  # (the inbox holds the error too)
        expect(card.get_by_text("没有起草阶段文件", exact=False)).to_be_visible()  # no reload, no click
        retry = page.locator(f".st-key-jobretry_regen_jobs_{compute.pk}_{job.id} button")
        expect(retry).to_be_visible()
        assert jobs.job(job.id).state == "failed"
        retry.scroll_into_view_if_needed()
        _shot(page, tmp_path, "w4_failed_job")
        _pick_section(page, market.title)

        # A regenerate suggestion shown as a diff and rejected leaves the version as it was.
        suggestion = service.suggest(pk, base_version=5, markdown=final.replace("上涨5.3%", "上涨"),
                                     instruction="更简洁", engine="offline", user=users["analyst"])
        page.reload()
        page.get_by_role("link", name="章节审阅").click()
        _pick_section(page, market.title)
        page.get_by_role("tab", name="重新生成").click()
        expect(page.get_by_text(f"建议 #{suggestion.id}", exact=False)).to_be_visible()
        expect(page.get_by_text("离线引擎只能执行", exact=False)).to_be_visible()
        page.locator(f".st-key-reject_sugg_{suggestion.id}").scroll_into_view_if_needed()
        _shot(page, tmp_path, "w5_suggestion")
        page.locator(f".st-key-reject_sugg_{suggestion.id} button").click()
        expect(page.get_by_text(f"已拒绝建议 #{suggestion.id}", exact=False)).to_be_visible()
        assert service.section(pk).current_version == 5 and service.section(pk).markdown == final

        # Sent back with a reason: the editor reads it on the section itself.
        reason = "请补充昇腾出货数据的来源，并删去“稳赚不赔”。"
        other = service.find_section(report_id, "compute_dynamics")
        service.request_changes(other.pk, 1, users["admin"], reason)
        page.reload()
        page.get_by_role("link", name="章节审阅").click()
        _pick_section(page, "章节compute_dynamics")
        expect(page.get_by_text(reason, exact=False).first).to_be_visible()
        _shot(page, tmp_path, "w6_sent_back")
        browser.close()
    assert dialogs == []
