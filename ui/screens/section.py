"""Section review: the section as it will export, its cited sources, edit, regenerate, review, diff and history."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from editor_parts import render_editor, show_flash
from inbox import render_inbox
from ra_ui import (
    label_key,
    literal,
    part_titles,
    report_page,
    report_snapshot,
    section_label,
    status_label,
    url_number,
)
from section_parts import (
    render_diff,
    render_history,
    render_regenerate,
    render_review,
    render_sent_back,
)
from section_view import render_section, render_sources

user, svc, report_id = report_page("章节审阅")
sections = svc.sections(report_id)
if not sections:
    st.info("这份报告没有章节。")
    st.stop()
pks = [s.pk for s in sections]
parts = part_titles(report_snapshot(svc, report_id))  # （一）/（二） under their part heading
labels = {s.pk: f"{section_label(s.title or '（未命名章节）', parts.get(s.section_id, ''))}"
                f"（{status_label(s.status)} · v{s.current_version}）" for s in sections}
# The picker's value is seeded through session state only (no index= as well: Streamlit warns, and may reset the
# choice, when a widget gets both); ``section_pk`` outlives the widget when another page is shown. The key carries
# the labels' fingerprint so a new version or status shows at once instead of a stale "v1" label.
picker = f"section_picker_{label_key(labels)}"
goto = st.session_state.pop("goto_section", None)
if goto in pks:
    st.session_state[picker] = goto
elif st.session_state.get(picker) not in pks:
    wanted = st.session_state.get("section_pk", url_number("section"))
    st.session_state[picker] = wanted if wanted in pks else pks[0]
pk = st.selectbox("章节", pks, format_func=lambda p: labels[p], key=picker)
st.session_state.section_pk = pk
st.query_params["section"] = str(pk)
section = next(s for s in sections if s.pk == pk)
show_flash()
render_sent_back(svc, section)
render_inbox(svc, user, compact=True)

text_col, source_col = st.columns([3, 2])
with text_col:
    if parts.get(section.section_id):
        st.markdown(f"##### {literal(parts[section.section_id])}")
    st.caption(f"状态：{status_label(section.status)} · 当前版本 v{section.current_version} · "
               f"最后修改 {section.author or '系统'}" + (f" · {section.holder} 正在编辑" if section.holder else ""))
    drafted = next((d for d in report_snapshot(svc, report_id).sections if d.id == section.section_id), None)
    if drafted is not None and drafted.provenance is not None and drafted.provenance.fallback:
        st.warning("模型未能起草，已用离线草稿")  # issue 24: a fallback draft is never passed off as the model's
    render_section(svc, report_id, sections, section, Path(svc.out_dir(report_id)))
with source_col:
    render_sources(svc, section)

# Keyed and tracked, so the open tab survives reruns: a submitted regeneration and the suggestion its job brings
# back (the watcher reruns the page) stay in view instead of the page jumping back to 编辑.
edit_tab, regen_tab, review_tab, diff_tab, history_tab = st.tabs(["编辑", "重新生成", "审批", "版本对比", "历史"],
                                                                 key="section_tab", on_change="rerun")
with edit_tab:
    render_editor(svc, section, user)
with regen_tab:
    render_regenerate(svc, section, user)
with review_tab:
    render_review(svc, section, user)
with diff_tab:
    render_diff(svc, section)
with history_tab:
    render_history(svc, section, user)
