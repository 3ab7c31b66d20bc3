"""The user's inbox: what awaits them, shown after sign-in (overview) and on the section page.

Besides the review's own items it lists the user's jobs that are queued or running, and those that failed in the
last ``JOB_FAILED_DAYS`` days and were not retried: long work submitted elsewhere must not be forgotten."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st
from jobs_ui import job_service, progress_text
from labels import INBOX_LABELS
from section_view import md_escape

from assistant.jobs import JobView
from assistant.review import ReviewService, UserView
from assistant.review.db import utcnow

__all__ = ["JOB_FAILED_DAYS", "render_inbox"]

JOB_FAILED_DAYS = 3


def _jobs(user: UserView) -> list[JobView]:
    since = utcnow() - timedelta(days=JOB_FAILED_DAYS)
    jobs = job_service().jobs(owner=user, states=("queued", "running", "failed"), limit=50)
    return [j for j in jobs if j.state != "failed" or (j.finished_at is not None and j.finished_at >= since)]


def render_inbox(svc: ReviewService, user: UserView, *, compact: bool = False) -> None:
    items = svc.inbox(user)
    jobs = _jobs(user)
    if not items and not jobs:
        if not compact:
            st.caption("收件箱：暂无待办。")
        return
    counts: dict[str, int] = {}
    for kind in [item.kind for item in items] + [_job_kind(j) for j in jobs]:
        counts[kind] = counts.get(kind, 0) + 1
    summary = "，".join(f"{INBOX_LABELS.get(k, k)} {n}" for k, n in counts.items())
    with st.expander(f"收件箱：{summary}", expanded=not compact):
        for i, item in enumerate(items):
            left, right = st.columns([5, 1])
            left.markdown(f"**{INBOX_LABELS.get(item.kind, item.kind)}** · 报告 #{item.report_id} · "
                          f"{md_escape(item.title)}  \n" + md_escape(item.detail).replace("\n", "  \n"))
            if item.section_pk is not None and right.button("打开", key=f"inbox_{compact}_{i}"):
                st.session_state.goto = {"report_id": item.report_id, "section_pk": item.section_pk}
                st.switch_page("screens/section.py")
        for job in jobs:
            left, right = st.columns([5, 1])
            detail = job.error if job.state == "failed" else (job.message or progress_text(job))
            left.markdown(f"**{INBOX_LABELS[_job_kind(job)]}** · {md_escape(job.kind_label)} · 任务 `{job.id}` · "
                          f"{md_escape(job.state_label)}  \n" + md_escape(detail or ""))
            if right.button("查看", key=f"inbox_job_{compact}_{job.id}"):
                st.switch_page("screens/jobs.py")


def _job_kind(job: JobView) -> str:
    return "job_failed" if job.state == "failed" else "job_active"
