"""Section review: the text with its [n] markers, the cited sources beside it, edit, regenerate, diff, review."""

from __future__ import annotations

import streamlit as st
from ra_ui import report_page, status_label
from section_parts import (
    apply_pending_reset,
    render_body,
    render_diff,
    render_editor,
    render_history,
    render_regenerate,
    render_review,
    render_sources,
)

user, svc, report_id = report_page("章节审阅")
sections = svc.sections(report_id)
if not sections:
    st.info("这份报告没有章节。")
    st.stop()
pks = [s.pk for s in sections]
wanted = st.session_state.get("section_pk")
labels = {s.pk: f"{s.title or s.section_id}（{status_label(s.status)} · v{s.current_version}）" for s in sections}
pk = st.selectbox("章节", pks, index=pks.index(wanted) if wanted in pks else 0,
                  format_func=lambda p: labels[p], key="section_picker")
st.session_state.section_pk = pk
section = svc.section(pk)
apply_pending_reset(section)

text_col, source_col = st.columns([3, 2])
with text_col:
    render_body(section)
with source_col:
    render_sources(svc, section)

edit_tab, regen_tab, review_tab, diff_tab, history_tab = st.tabs(["编辑", "重新生成", "审批", "版本对比", "历史"])
with edit_tab:
    render_editor(svc, section, user)
with regen_tab:
    render_regenerate(svc, section, user)
with review_tab:
    render_review(svc, section, user)
with diff_tab:
    render_diff(svc, section)
with history_tab:
    render_history(svc, section)
