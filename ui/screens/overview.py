"""Reports overview: every section's status, version and current holder, and what is left before export."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from inbox import render_inbox
from labels import ORIGIN_LABELS, action_label
from ra_ui import (
    literal,
    part_titles,
    report_snapshot,
    require_user,
    section_label,
    select_report,
    service,
    status_label,
)

user, svc = require_user(), service()
st.title("报告总览")
render_inbox(svc, user)  # before the report picker: running and failed jobs matter before any report exists
report_id = select_report(svc)
if report_id is None:
    st.stop()

sections = svc.sections(report_id)
approved = sum(s.status == "approved" for s in sections)
left, middle, right = st.columns(3)
left.metric("章节", len(sections))
middle.metric("已批准", approved)
right.metric("待处理", len(sections) - approved)

parts = part_titles(report_snapshot(svc, report_id))
frame = pd.DataFrame([{
    "章节": section_label(s.title or "（未命名章节）", parts.get(s.section_id, "")),
    "状态": status_label(s.status),
    "当前版本": f"v{s.current_version}",
    "来源": ORIGIN_LABELS.get(s.origin, s.origin),
    "最后修改": s.author or "系统",
    "正在编辑": s.holder or "",
} for s in sections])
st.dataframe(frame, hide_index=True, width="stretch")

gate = svc.export_gate(report_id)
if gate.allowed:
    st.success("所有章节均已批准，可以导出。")
else:
    st.subheader("导出前还需")
    for blocker in gate.blockers:
        st.markdown(f"- {literal(blocker)}")

st.subheader("打开章节")
choice = st.selectbox("章节", [s.pk for s in sections],
                      format_func=lambda pk: next(f"{section_label(s.title, parts.get(s.section_id, ''))}"
                                                  f"（{status_label(s.status)}）"
                                                  for s in sections if s.pk == pk), key="overview_section")
if st.button("打开审阅", key="open_section"):
    st.session_state.section_pk = choice
    st.session_state.goto_section = choice
    st.switch_page("screens/section.py")

with st.expander("审计日志（最近 50 条）"):
    entries = svc.audit_log(limit=50)
    st.dataframe(pd.DataFrame([{
        "时间": e.created_at, "用户": e.actor, "动作": action_label(e.action), "对象": f"{e.object_type}:{e.object_id}",
        "前版本": e.before_version, "后版本": e.after_version,
    } for e in entries]), hide_index=True, width="stretch")
