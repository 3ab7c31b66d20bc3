"""任务: every draft / regeneration / re-check job with its state and per-section progress, refreshed live.

The table lists up to 200 jobs in one element (fast with hundreds queued); cards below show the jobs that are
still active and the latest finished ones with their actions: cancel, retry, open the imported report.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st
from ingest_ui import show_ingest_report
from jobs_ui import act, job_service, poll_seconds, progress_text, section_state
from ra_ui import literal, require_user
from section_view import md_escape

from assistant.jobs import JobView
from assistant.review import UserView, allowed

CARDS = 10

user = require_user()
svc = job_service()
st.title("任务")
everyone = user.role == "admin" and st.toggle("显示所有人的任务", value=True, key="jobs_all")
owner: UserView | None = None if everyone else user


def _table(jobs: list[JobView]) -> None:
    frame = pd.DataFrame([{
        "任务": j.id, "类型": j.kind_label, "提交人": j.owner, "状态": j.state_label, "进度": progress_text(j),
        "报告": f"#{j.report_id}" if j.report_id else "", "提交时间": j.created_at.astimezone().strftime("%m-%d %H:%M:%S"),
    } for j in jobs])
    st.dataframe(frame, hide_index=True, width="stretch")


def _card(job: JobView) -> None:
    with st.container(border=True):
        head = f"**{literal(job.kind_label)}** · `{job.id}` · {literal(job.state_label)}"
        st.markdown(f"{head} · 提交人 {literal(job.owner)} · {job.created_at.astimezone():%m-%d %H:%M:%S}")
        if job.sections:
            st.progress(job.sections_done / len(job.sections), text=literal(f"{progress_text(job)} · {job.message}"))
            st.text("\n".join("{} {}：{}".format(section_state(job, s.status)[0], s.title or "（未命名章节）",
                                                 section_state(job, s.status)[1]) for s in job.sections))
        elif job.message:
            st.text(job.message)
        if job.error:
            st.error(f"错误：{literal(job.error)}")
        mine = user.role == "admin" or user.id == job.owner_id
        cols = st.columns(3)
        cancellable = job.state in ("queued", "running") and mine and not job.cancel_requested
        if cancellable and cols[0].button("取消", key=f"cancel_{job.id}"):
            act(svc, "cancel", job, user, "jobs_error")
        if job.state in ("failed", "cancelled") and mine and cols[0].button("重试", key=f"retry_{job.id}"):
            act(svc, "retry", job, user, "jobs_error")
        if job.report_id and cols[0].button(f"打开报告 #{job.report_id}", key=f"open_{job.id}"):
            st.session_state.report_id = job.report_id
            st.switch_page("screens/overview.py")
        report = Path(job.out_dir) / "ingest_report.json" if job.out_dir and job.finished else None
        if report is not None and report.is_file():
            with st.expander("语料导入报告"):
                show_ingest_report(report)


def _board() -> None:
    jobs = svc.jobs(owner=owner, limit=200)
    if "jobs_error" in st.session_state:
        st.error(md_escape(st.session_state.pop("jobs_error")))
    if not jobs:
        # role-appropriate: only who may draft is sent to 新建草稿
        can = [text for action, text in (("import", "在「新建草稿」提交的起草"), ("regenerate", "在章节页提交的重新生成"),
                                         ("run_checks", "在合规页提交的重新检查")) if allowed(user, action)]
        st.info("还没有任务。" + ("、".join(can) + "会显示在这里。" if can else ""))
        return
    counts = {s: sum(1 for j in jobs if j.state == s) for s in ("queued", "running", "done", "failed", "cancelled")}
    warning = svc.no_worker_warning()
    if warning:
        st.warning(warning)
    st.caption(f"排队 {counts['queued']} · 运行 {counts['running']} · 完成 {counts['done']} · "
               f"失败 {counts['failed']} · 取消 {counts['cancelled']}")
    _table(jobs)
    active = [j for j in jobs if not j.finished]
    finished = [j for j in jobs if j.finished]
    if active:
        st.subheader("进行中")
        for job in sorted(active, key=lambda j: (j.state != "running", j.created_at))[:CARDS]:
            _card(job)
    if finished:
        st.subheader("最近结束")
        for job in finished[:CARDS]:
            _card(job)


def _live() -> bool:
    return any(not j.finished for j in svc.jobs(owner=owner, states=("queued", "running"), limit=1))


# Refresh only while something is queued or running; a finished board stays still.
st.fragment(_board, run_every=poll_seconds() if _live() else None)()
