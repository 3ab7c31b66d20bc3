"""Every page of the Streamlit app through AppTest, on a real SQLite review store."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from pathlib import Path

import pytest
from review_factories import EVIL_TITLE, PASSWORD, sign_off_report
from streamlit.testing.v1 import AppTest

from assistant.models import Citation, SectionDraft
from assistant.review import ReviewService, UserView

ROOT = Path(__file__).resolve().parents[2]
Seeded = tuple[ReviewService, dict[str, UserView], int]
AppFactory = Callable[..., AppTest]


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error]
    parts += [s.value for s in at.success] + [w.value for w in at.warning] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts)


def _assert_no_raw_html(at: AppTest) -> None:
    for element in at.markdown:
        assert not element.proto.allow_html
        assert "<img" not in element.value


def test_sign_in_rejects_a_wrong_password_and_accepts_the_right_one(app_as: AppFactory) -> None:
    at = app_as(None)
    assert at.title[0].value == "研报起草助手 · 登录"
    at.text_input[0].set_value("editor")
    at.text_input[1].set_value("wrong-password")
    at.button[0].click().run()
    assert "用户名或密码错误" in at.error[0].value and "user" not in at.session_state
    at.text_input[1].set_value(PASSWORD)
    at.button[0].click().run()
    assert at.session_state["user"]["role"] == "editor"
    assert at.title[0].value == "报告总览"


def test_overview_lists_sections_blockers_and_opens_a_section(app_as: AppFactory, store: Seeded) -> None:
    service, users, report_id = store
    service.begin_edit(service.sections(report_id)[1].pk, users["analyst"])
    at = app_as("editor")
    frame = at.dataframe[0].value
    assert list(frame["章节"]) == [s.title for s in service.sections(report_id)]  # titles, never ids
    assert "编号" not in frame.columns
    assert list(frame["状态"]) == ["草稿"] * 3 and frame["正在编辑"].tolist()[1] == "analyst"
    assert "导出前还需" in [s.value for s in at.subheader]
    at.selectbox(key="overview_section").set_value(service.sections(report_id)[2].pk)
    at.button(key="open_section").click().run()
    assert at.title[0].value == "章节审阅"
    assert next(b for b in at.selectbox if b.label == "章节").value == service.sections(report_id)[2].pk


def test_signing_out_clears_the_holder_shown_on_the_overview(app_as: AppFactory, store: Seeded) -> None:
    service, _users, report_id = store
    pk = service.sections(report_id)[0].pk
    editor = app_as("editor", "screens/section.py")
    editor.button(key=f"hold_{pk}").click().run()
    watcher = app_as("analyst")
    assert watcher.dataframe[0].value["正在编辑"].tolist()[0] == "editor"

    editor.button(key="sign_out").click().run()
    assert not editor.exception and "user" not in editor.session_state
    assert editor.title[0].value == "研报起草助手 · 登录"
    watcher.run()
    assert watcher.dataframe[0].value["正在编辑"].tolist() == ["", "", ""]
    assert service.audit_log(object_type="section")[0].action == "release_edit"


def test_section_page_renders_text_and_cited_sources_escaped(app_as: AppFactory) -> None:
    at = app_as("editor", "screens/section.py")
    assert "第一段：7月人工智能指数上涨 [\\[1\\]](#src-1)" in _texts(at)  # [n] links to its source
    titles = [h.value for h in at.subheader]
    assert any(t.startswith("\\[1\\] ") and "&lt;img src\\=x onerror\\=alert\\(1\\)\\>" in t for t in titles), titles
    assert any("华为昇腾910B出货量提升" in t for t in titles)
    assert "英伟达在7月发布了面向推理的新一代GPU" in _texts(at)
    _assert_no_raw_html(at)


def test_edit_and_save_creates_a_new_version_and_identical_text_none(app_as: AppFactory, store: Seeded) -> None:
    service, _users, report_id = store
    at = app_as("editor", "screens/section.py")
    pk = service.sections(report_id)[0].pk
    current = service.section(pk).markdown
    at.text_area(key=f"ed_{pk}_1").set_value(current)
    at.button(key=f"save_{pk}").click().run()
    assert "内容与当前版本相同，未生成新版本" in _texts(at) and service.count_versions(pk) == 1
    at.text_area(key=f"ed_{pk}_1").set_value("编辑后的正文 [2]。")
    at.button(key=f"save_{pk}").click().run()
    assert "已保存为 v2" in _texts(at)
    assert service.section(pk).current_version == 2 and service.section(pk).markdown == "编辑后的正文 [2]。"
    picker = next(b for b in at.selectbox if b.label == "章节")
    assert picker.value == pk and any("v2" in option for option in picker.options)  # no stale "v1" label


def test_overlapping_concurrent_edits_are_shown_and_nothing_is_dropped(app_as: AppFactory, store: Seeded) -> None:
    service, users, report_id = store
    pk = service.sections(report_id)[0].pk
    at = app_as("editor", "screens/section.py")  # opened at v1
    service.save_edit(pk, 1, "管理员抢先保存的文本 [1]", users["admin"])
    at.text_area(key=f"ed_{pk}_1").set_value("编辑的文本 [2]")
    at.button(key=f"save_{pk}").click().run()
    assert "1 处与你的修改重叠" in _texts(at)
    assert "管理员抢先保存的文本 [1]" in [t.value for t in at.text] and "编辑的文本 [2]" in [t.value for t in at.text]
    assert service.section(pk).current_version == 2
    assert at.button(key=f"merge_apply_{pk}").disabled  # nothing is chosen for the editor
    at.radio(key=f"merge_choice_{pk}_1").set_value("both").run()
    at.button(key=f"merge_apply_{pk}").click().run()
    assert at.text_area(key=f"ed_{pk}_2").value == "编辑的文本 [2]管理员抢先保存的文本 [1]"
    at.button(key=f"save_{pk}").click().run()
    assert service.section(pk).current_version == 3
    assert service.section(pk).markdown == "编辑的文本 [2]管理员抢先保存的文本 [1]"


def test_review_buttons_disabled_for_analyst_and_approve_works_for_editor(app_as: AppFactory,
                                                                           store: Seeded) -> None:
    service, _users, report_id = store
    pk = service.sections(report_id)[0].pk
    analyst = app_as("analyst", "screens/section.py")
    assert analyst.button(key=f"approve_{pk}").disabled
    assert "无权审批" in _texts(analyst)
    editor = app_as("editor", "screens/section.py")
    assert not editor.button(key=f"approve_{pk}").disabled
    editor.button(key=f"approve_{pk}").click().run()
    assert service.section(pk).status == "approved"
    assert service.reviews(pk)[0].version_number == 1


def test_compliance_reads_but_cannot_edit(app_as: AppFactory, store: Seeded) -> None:
    service, _users, report_id = store
    pk = service.sections(report_id)[0].pk
    at = app_as("compliance", "screens/section.py")
    assert at.text_area(key=f"ed_{pk}_1").disabled and at.button(key=f"save_{pk}").disabled
    assert at.button(key=f"regen_{pk}").disabled


def _fake_drafting(monkeypatch: pytest.MonkeyPatch, calls: list[str], *, fail: bool = False) -> None:
    """The model boundary: the job's drafting call returns a fixed text (or fails like a model error would)."""
    from assistant.errors import DraftingError

    def regenerate_section(out_dir: Path, section_id: str, instruction: str, settings: object, *,
                           current_markdown: str | None = None) -> SectionDraft:
        calls.append(instruction)
        if fail:
            raise DraftingError("模型接口超时（<b>第 1 次</b>）")
        return SectionDraft(id=section_id, title="t", markdown=f"按“{instruction}”重写 [2]。",
                            citations=[Citation(marker=2, doc_id="n002")])

    monkeypatch.setitem(sys.modules, "assistant.drafting",
                        types.SimpleNamespace(regenerate_section=regenerate_section))


def _ledger(service: ReviewService):  # type: ignore[no-untyped-def]
    from assistant.jobs import JobLedger
    from assistant.settings import get_settings

    return JobLedger(service.engine, settings=get_settings())


def test_regenerate_submits_a_job_whose_suggestion_appears_when_it_is_done(
        app_as: AppFactory, store: Seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.jobs.runner import execute

    monkeypatch.setenv("RA_ENGINE", "offline")
    service, _users, report_id = store
    pk = service.sections(report_id)[0].pk  # core_views: the offline engine honours 突出X there
    calls: list[str] = []
    _fake_drafting(monkeypatch, calls)
    at = app_as("analyst", "screens/section.py")
    at.radio(key=f"preset_{pk}").set_value("突出国产算力")
    at.button(key=f"regen_{pk}").click().run()
    assert not at.exception and not at.error
    assert calls == [] and service.open_suggestions(pk) == []  # nothing was drafted inside the page run
    ledger = _ledger(service)
    (job,) = ledger.jobs(kind="regenerate")
    assert job.state == "queued" and job.owner == "analyst"
    assert job.inputs == {"section_pk": pk, "instruction": "突出国产算力", "base_version": 1}
    assert f"已提交重新生成任务 {job.id}" in _texts(at)
    assert any(f"任务 `{job.id}`" in m.value and "排队中" in m.value for m in at.markdown)
    assert "没有运行中的工作进程" in _texts(at)

    assert execute(ledger, job.id, "test-worker") == "done"  # what the worker process does
    at.run()
    (suggestion,) = service.open_suggestions(pk)
    assert calls == ["突出国产算力"] and suggestion.job_id == job.id
    texts = _texts(at)
    assert f"任务 {job.id} 已完成：建议 #{suggestion.id} 已生成" in texts
    assert f"建议 #{suggestion.id}" in texts and f"来自任务 `{job.id}`" in texts
    assert ":green-background[按“突出]国产算力" in texts  # character-level changes
    assert service.section(pk).current_version == 1  # a preview, not a version
    at.button(key=f"accept_sugg_{suggestion.id}").click().run()
    assert service.section(pk).origin == "regenerated" and service.section(pk).current_version == 2
    assert at.text_area(key=f"ed_{pk}_2").value == "按“突出国产算力”重写 [2]。"


def test_regenerate_refuses_at_once_what_the_offline_engine_cannot_do(
        app_as: AppFactory, store: Seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RA_ENGINE", "offline")
    service, _users, report_id = store
    core, market = service.sections(report_id)[:2]
    at = app_as("editor", "screens/section.py")
    at.radio(key=f"preset_{core.pk}").set_value("自定义").run()
    at.text_input(key=f"instr_{core.pk}").set_value("更简洁，补充英伟达财报数据").run()
    at.button(key=f"regen_{core.pk}").click().run()
    assert "离线引擎无法执行指令 “补充英伟达财报数据”" in at.error[0].value
    at.selectbox(key=next(k for k in at.session_state if str(k).startswith("section_picker_"))).set_value(market.pk)
    at.run()
    at.radio(key=f"preset_{market.pk}").set_value("更简洁")
    at.button(key=f"regen_{market.pk}").click().run()
    assert "市场行情回顾由行情数据逐句生成" in at.error[0].value
    assert _ledger(service).jobs() == []  # nothing was queued


def test_a_failed_regenerate_job_shows_its_error_escaped_and_can_be_retried(
        app_as: AppFactory, store: Seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.jobs.runner import execute

    monkeypatch.setenv("RA_ENGINE", "offline")
    service, users, report_id = store
    pk = service.sections(report_id)[0].pk
    _fake_drafting(monkeypatch, [], fail=True)
    ledger = _ledger(service)
    job_id = ledger.submit_regenerate(pk, "更简洁", users["editor"], base_version=1)
    mine = app_as("editor", "screens/section.py")
    assert execute(ledger, job_id, "test-worker") == "failed"
    mine.run()
    (error,) = [e.value for e in mine.error if job_id in e.value or "模型接口超时" in e.value]
    assert "&lt;b\\>第 1 次&lt;\\/b\\>" in error and "<b>" not in error  # model text is data, never HTML
    assert any(f"任务 `{job_id}`" in m.value and "失败" in m.value for m in mine.markdown)
    other = app_as("analyst", "screens/section.py")  # not the owner: sees it, cannot act on it
    assert not [b for b in other.button if b.key == f"jobretry_regen_jobs_{pk}_{job_id}"]
    mine.button(key=f"jobretry_regen_jobs_{pk}_{job_id}").click().run()
    assert ledger.job(job_id).state == "queued"
    assert mine.button(key=f"jobcancel_regen_jobs_{pk}_{job_id}")  # queued again: now it can be cancelled


def test_character_diff_between_versions_and_restore(app_as: AppFactory, store: Seeded) -> None:
    service, users, report_id = store
    pk = service.sections(report_id)[0].pk
    old = service.section(pk).markdown
    service.save_edit(pk, 1, old.replace("上涨", "大涨"), users["analyst"])
    at = app_as("editor", "screens/section.py")
    assert ":red-background[~~上~~]:green-background[大]" in _texts(at)
    at.button(key=f"restore_{pk}").click().run()
    assert service.section(pk).current_version == 3 and service.section(pk).markdown == old
    assert service.audit_log(object_type="section", object_id=pk)[0].action == "restore"


def test_tables_page_shows_tables_and_offers_downloads(app_as: AppFactory) -> None:
    at = app_as("compliance", "screens/tables.py")
    assert at.dataframe[0].value["名称"].tolist() == ["寒武纪-U", "景嘉微"]
    assert "表 1：7 月份人工智能板块涨幅前十" in [s.value for s in at.subheader]
    assert len(at.get("download_button")) == 3


def test_export_page_is_gated_and_exports_when_all_approved(app_as: AppFactory, store: Seeded, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    service, users, report_id = store
    at = app_as("editor", "screens/export.py")
    assert at.button(key="build_export").disabled and "还不能导出" in _texts(at)
    for section in service.sections(report_id):
        service.approve(section.pk, 1, users["editor"])
    at = app_as("editor", "screens/export.py")
    assert at.button(key="build_export").disabled and "合规尚未签字" in _texts(at)
    sign_off_report(service, users["compliance"], report_id)

    def write_report(report: object, out_dir: Path) -> dict[str, Path]:
        (out_dir / "report.md").write_text("# 终稿", encoding="utf-8")
        (out_dir / "report.docx").write_bytes(b"PK docx")
        return {"md": out_dir / "report.md", "docx": out_dir / "report.docx"}

    monkeypatch.setitem(sys.modules, "assistant.export", types.SimpleNamespace(write_report=write_report))
    at = app_as("editor", "screens/export.py")
    assert not at.button(key="build_export").disabled
    at.button(key="build_export").click().run()
    assert len(at.get("download_button")) == 2
    assert service.audit_log(object_type="report")[0].action == "export"


def test_new_draft_submits_a_job_and_returns(app_as: AppFactory, store: Seeded, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.jobs import JobService

    service, users, _report_id = store
    monkeypatch.setenv("RA_JOBS_DIR", str(tmp_path / "jobs"))
    at = app_as("analyst", "screens/new_draft.py")
    at.button(key="start_draft").click().run()
    assert "已提交起草任务" in _texts(at), _texts(at)
    job = JobService(service.engine).job(at.session_state["last_job_id"])
    assert job.state == "queued" and job.owner == users["analyst"].name and len(job.sections) == 12
    assert len(service.list_reports()) == 1  # nothing drafted in the page: a worker does it


def test_new_draft_is_disabled_for_editors(app_as: AppFactory) -> None:
    at = app_as("editor", "screens/new_draft.py")
    assert at.button(key="start_draft").disabled


def test_escaped_title_never_reaches_markdown_as_html(store: Seeded) -> None:
    from ra_ui import literal, safe_markdown, safe_url

    assert "<" not in literal(EVIL_TITLE) and "<" not in safe_markdown(f"正文 {EVIL_TITLE}")
    assert safe_url("javascript:alert(1)") is None and safe_url("https://a.cn/x") == "https://a.cn/x"
    assert "!\\[" in safe_markdown("![x](http://tracker/img.png)")
    assert safe_markdown("[点我](javascript:alert(1))") == "[点我]\\(javascript:alert(1))"
    # issue 22: no link in data is live, http(s) included, and a bare URL is not autolinked
    assert safe_markdown("[原文](https://a.cn)") == "[原文]\\(https:\\/\\/a.cn)"


def test_the_address_keeps_the_open_report_and_section_so_a_reload_reopens_them(
        app_as: Callable[..., AppTest], store: Seeded) -> None:
    service, users, report_id = store
    second = service.sections(report_id)[1]
    at = app_as("editor", "screens/section.py")
    picker = next(s for s in at.selectbox if s.label == "章节")
    picker.set_value(second.pk).run()
    assert at.query_params["report"] == str(report_id) and at.query_params["section"] == str(second.pk)

    # a reload: a new session, signed in again by its cookie, with only the address to go on
    reloaded = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "ui" / "app.py"), default_timeout=60)
    reloaded.session_state["user"] = users["editor"].model_dump()
    reloaded.query_params["report"] = str(report_id)
    reloaded.query_params["section"] = str(second.pk)
    reloaded.switch_page("screens/section.py")
    reloaded.run()
    assert not reloaded.exception
    assert next(s for s in reloaded.selectbox if s.label == "章节").value == second.pk
