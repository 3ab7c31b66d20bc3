"""The workspace on the real sample in headless Chromium: the July sample drafted once (offline engine) and loaded
three times (twins by month and title), ``python -m assistant ui`` on a free port.

- The report in view survives a reload: report #1 opened by its address stays #1 on every page.
- The section page shows bold exactly where the Word export prints bold, for every section (no literal ``**``).
- Text typed and not yet committed (the box not left) survives a reload: it is kept as it is typed.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from review_factories import seed_users
from test_e2e_browser import ARGS, CHROMIUM, _fontconfig, _shot, _sign_in, ui_server

from assistant import SAMPLE_DIR
from assistant.review import ReviewService, UserView
from assistant.settings import get_settings

pytestmark = [pytest.mark.browser, pytest.mark.slow]

Sample = tuple[str, ReviewService, dict[str, UserView], list[int], Path]
_INVISIBLE = re.compile(r"[\s\u200b]+")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sample]:
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"{CHROMIUM} not installed")
    from assistant.drafting import draft_report

    tmp = tmp_path_factory.mktemp("sample_ui")
    out = tmp / "draft"
    draft_report(SAMPLE_DIR / "pack", SAMPLE_DIR / "corpus.jsonl", out, get_settings(engine="offline"))
    url = f"sqlite:///{tmp / 'review.db'}"
    service = ReviewService.open(url)
    users = seed_users(service)
    ids = [service.import_report(out, users["analyst"], on_duplicate="new") for _ in range(3)]
    env = dict(os.environ, PYTHONUNBUFFERED="1", RA_ENGINE="offline", RA_JOBS_DIR=str(tmp / "jobs"))
    try:
        with ui_server(url, tmp, env, worker=False) as base:
            yield base, service, users, ids, tmp
    finally:
        service.engine.dispose()


def _browser(p, tmp: Path):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)  # a rerun on a loaded 2-core machine can take several seconds
    browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, env=_fontconfig(tmp))
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.set_default_timeout(30_000)
    return browser, page


def _settled(page, timeout_s: float = 60) -> None:  # type: ignore[no-untyped-def]
    """Wait until the run is over: no element Streamlit still marks stale (left from the page before), twice."""
    import time

    deadline, quiet = time.monotonic() + timeout_s, 0
    while time.monotonic() < deadline and quiet < 2:
        stale = page.locator("[data-stale='true']").count()
        running = page.locator("[data-testid='stStatusWidget']").count()
        quiet = quiet + 1 if stale == 0 and running == 0 else 0
        page.wait_for_timeout(400)


def _expect_report(page, *texts: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    picker = page.locator("[class*='st-key-report_picker_']")
    expect(picker).to_have_count(1)
    for text in texts:  # the chosen label is the combobox's value
        expect(picker.get_by_role("combobox")).to_have_value(re.compile(re.escape(text)))


def test_the_report_opened_by_address_stays_after_a_reload_on_every_page(sample: Sample) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, service, _users, ids, tmp = sample
    first = ids[0]
    market = service.find_section(first, "market_review")
    with sync_playwright() as p:
        browser, page = _browser(p, tmp)
        _sign_in(page, base, "editor")
        _expect_report(page, f"#{ids[-1]}，", "第 3 版")  # the newest twin first, told apart by version
        page.goto(f"{base}/section?report={first}&section={market.pk}")
        expect(page.get_by_role("heading", name="章节审阅")).to_be_visible()
        page.reload()
        expect(page.get_by_role("heading", name="章节审阅")).to_be_visible()
        _expect_report(page, f"#{first}，", "第 1 版")
        expect(page.locator("[class*='st-key-section_picker_'] [role='combobox']")).to_have_value(
            re.compile(re.escape(market.title)))
        for title in ("报告总览", "导出", "章节审阅", "表格与图表", "报告总览"):
            page.get_by_role("link", name=title).click()
            expect(page.get_by_role("heading", name=title)).to_be_visible()
            _expect_report(page, f"#{first}，")
        _shot(page, tmp, "s1_report_after_reload")
        browser.close()


def _docx_bold_runs(path: Path) -> list[str]:
    """Bold text of the Word file, adjacent bold runs joined (table header rows excluded: the page draws those as
    table headers, not as bold text)."""
    import docx

    def runs(paragraphs) -> Iterator[str]:  # type: ignore[no-untyped-def]
        for paragraph in paragraphs:
            current = ""
            for run in paragraph.runs:
                if run.bold:
                    current += run.text
                elif current:
                    yield current
                    current = ""
            if current:
                yield current

    document = docx.Document(str(path))
    found = list(runs(document.paragraphs))
    for table in document.tables:
        for row in table.rows[1:]:
            for cell in row.cells:
                found += runs(cell.paragraphs)
    return [_INVISIBLE.sub("", t) for t in found if _INVISIBLE.sub("", t)]


def test_every_section_shows_bold_where_the_docx_prints_bold(sample: Sample) -> None:
    from playwright.sync_api import expect, sync_playwright

    from assistant.export.docx import render_docx

    base, service, _users, ids, tmp = sample
    report_id = ids[0]
    sections = service.sections(report_id)
    report = service.report(report_id)
    docx_path = tmp / "bold.docx"
    docx_path.write_bytes(render_docx(report, Path(service.out_dir(report_id))))
    in_word = Counter(_docx_bold_runs(docx_path))
    on_page: Counter[str] = Counter()
    with sync_playwright() as p:
        browser, page = _browser(p, tmp)
        _sign_in(page, base, "editor")
        for section in sections:
            page.goto(f"{base}/section?report={report_id}&section={section.pk}")
            # the section text (the column under the status line), not the sources beside it
            body = page.locator("[data-testid='stColumn']").filter(has_text="状态：").first
            expect(page.locator("[class*='st-key-section_picker_'] [role='combobox']")).to_have_value(
                re.compile(re.escape(section.title)))
            expect(body.locator("[data-testid='stMarkdownContainer']").first).to_be_visible()
            _settled(page)
            text = body.inner_text()
            assert "**" not in text, f"{section.title}: literal ** on the page"
            spans = [_INVISIBLE.sub("", s) for s in body.locator("strong").all_inner_texts()]
            on_page.update(s for s in spans if s)
            if section.section_id == "core_views":
                _shot(page, tmp, "s2_core_views_bold")
        browser.close()
    # Every bold span of the page is bold in Word; Word's other bold text is outside the sections (analyst names,
    # disclosures), never a section's own text.
    assert on_page - in_word == Counter()
    section_text = _INVISIBLE.sub("", "".join(s.markdown for s in sections))
    assert [t for t in (in_word - on_page) if t in section_text and not re.match(r"[表图] \d", t)] == []
    assert on_page["7月板块震荡微跌，板块调整接近尾声。"] == 1


def test_typed_text_survives_a_reload_without_leaving_the_box(sample: Sample) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, service, users, ids, tmp = sample
    section = service.find_section(ids[1], "data_policy")
    added = "编辑刚输入、尚未离开编辑框的一句话。"
    with sync_playwright() as p:
        browser, page = _browser(p, tmp)
        _sign_in(page, base, "editor")
        page.goto(f"{base}/section?report={ids[1]}&section={section.pk}")
        box = page.locator(f"[class*='st-key-ed_{section.pk}_'] textarea")
        expect(box).to_have_count(1)
        box.click()
        box.press("Control+End")
        page.keyboard.type(added)  # no blur, no Ctrl+Enter: the text area has not sent its value
        expect(page.get_by_text("已自动暂存", exact=False)).to_be_visible()
        assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"
        _shot(page, tmp, "s3_autosaved")
        page.reload()
        page.get_by_role("button", name="恢复未保存的编辑").click()
        expect(page.locator(f"[class*='st-key-ed_{section.pk}_'] textarea")).to_have_value(
            re.compile(re.escape(added) + "$"))
        browser.close()
    kept = service.kept_draft(section.pk, users["editor"])
    assert kept is not None and kept.markdown.endswith(added)


# Latin words a page may show besides the report's own data: file formats (any case), file names a user must give
# (pack.yaml) and units.
ALLOWED_LATIN = frozenset({"CSV", "XLSX", "DOCX", "ZIP", "PDF", "WORD", "MARKDOWN", "JSONL", "YAML", "RSS", "ATOM",
                           "KB", "MB", "GB"})
_FILE_NAME = re.compile(r"\.(?:ya?ml|jsonl|csv|zip|docx|xlsx|md)$", re.IGNORECASE)
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9.+\-]*[A-Za-z0-9]")
_VISIBLE_TEXT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest("[data-testid*='Icon'], script, style, noscript")) continue;  // icon ligatures
    if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) continue;  // the visually hidden skip link
    out.push(n.nodeValue);
  }
  return out.join(" ");
}"""


def _foreign_words(page, data_words: set[str]) -> list[str]:  # type: ignore[no-untyped-def]
    text = page.evaluate(_VISIBLE_TEXT)
    return sorted({w for w in _LATIN.findall(text) if not any(c.isdigit() for c in w)  # codes, ids, versions
                   and w not in data_words and w.upper() not in ALLOWED_LATIN and not _FILE_NAME.search(w)})


def test_every_page_speaks_chinese_for_every_role(sample: Sample) -> None:
    """Walks every page of each role's menu: Latin words other than the report's own (company and product names
    in the corpus, user names) and file formats fail, so do Streamlit's English texts (uploader, placeholders)."""
    from playwright.sync_api import expect, sync_playwright

    base, service, users, ids, tmp = sample
    data = service.report(ids[0]).model_dump_json() + " ".join(u.name for u in users.values())
    data_words = set(_LATIN.findall(data))
    found: dict[str, list[str]] = {}
    with sync_playwright() as p:
        browser, page = _browser(p, tmp)
        for role in ("analyst", "editor", "compliance", "admin"):
            page.context.clear_cookies()
            _sign_in(page, base, role)
            for title in page.locator("[data-testid='stSidebarNav'] a").all_inner_texts():
                page.get_by_role("link", name=title).click()
                expect(page.get_by_role("heading", name=title).first).to_be_visible()
                if title == "新建草稿":  # the uploader is drawn once a pack is to be uploaded
                    page.get_by_text("上传数据包").click()
                    expect(page.locator("[data-testid='stFileUploader']").first).to_be_visible()
                    uploader = page.locator("[data-testid='stFileUploader']").first
                    expect(uploader).to_contain_text("选择文件")  # Streamlit's "Upload"
                    expect(uploader).to_contain_text("单个文件不超过 200 MB")  # "200MB per file"
                _settled(page)  # the page finishes drawing (and the Chinese texts replace Streamlit's)
                page.wait_for_timeout(300)
                words = _foreign_words(page, data_words)
                if words:
                    found[f"{role}/{title}"] = words
            page.get_by_role("button", name="退出登录").click()
            expect(page.get_by_label("用户名")).to_be_visible()
        page.goto(f"{base}/screens/compliance")  # an unknown address: the main page, no English dialog
        expect(page.get_by_label("用户名")).to_be_visible()
        assert page.get_by_text("Page not found").count() == 0
        browser.close()
    assert found == {}
