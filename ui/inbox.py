"""The user's inbox: what awaits them, shown after sign-in (overview) and on the section page."""

from __future__ import annotations

import streamlit as st
from labels import INBOX_LABELS
from section_view import md_escape

from assistant.review import ReviewService, UserView

__all__ = ["render_inbox"]


def render_inbox(svc: ReviewService, user: UserView, *, compact: bool = False) -> None:
    items = svc.inbox(user)
    if not items:
        if not compact:
            st.caption("收件箱：暂无待办。")
        return
    counts: dict[str, int] = {}
    for item in items:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    summary = "，".join(f"{INBOX_LABELS.get(k, k)} {n}" for k, n in counts.items())
    with st.expander(f"收件箱：{summary}", expanded=not compact):
        for i, item in enumerate(items):
            left, right = st.columns([5, 1])
            left.markdown(f"**{INBOX_LABELS.get(item.kind, item.kind)}** · 报告 #{item.report_id} · "
                          f"{md_escape(item.title)}  \n" + md_escape(item.detail).replace("\n", "  \n"))
            if item.section_pk is not None and right.button("打开", key=f"inbox_{compact}_{i}"):
                st.session_state.goto = {"report_id": item.report_id, "section_pk": item.section_pk}
                st.switch_page("screens/section.py")
