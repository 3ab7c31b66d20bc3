"""The jobs service for the Streamlit pages (one per database URL), how a job is shown, and the job watcher.

The watcher (``watch_jobs``) is what a page that submitted work shows: this target's queued, running and recently
failed jobs, re-read every ``ui_poll_s`` seconds inside a fragment, and a rerun of the whole page when one of them
finishes so its result (a suggestion, refreshed findings) appears without a click. Job and model text is escaped.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from ra_ui import hide_paths
from section_view import md_escape

from assistant.errors import AssistantError
from assistant.jobs import JobService, JobView
from assistant.jobs.views import SECTION_LABELS, SECTION_MARKS
from assistant.review import UserView, resolve_database_url
from assistant.settings import get_settings

__all__ = ["SECTION_MARKS", "SECTION_STATES", "act", "job_service", "progress_text", "section_state",
           "watch_jobs"]

SECTION_STATES = SECTION_LABELS
_RECENT = 100  # newest jobs of one target looked at: plenty to find its active and recently failed ones
_FAILED_SHOWN = 3


@st.cache_resource(show_spinner=False)
def _jobs_for(url: str) -> JobService:
    return JobService.open(url)


def job_service() -> JobService:
    return _jobs_for(resolve_database_url())


def progress_text(job: JobView) -> str:
    return job.progress_label


def section_state(job: JobView, status: str) -> tuple[str, str]:
    """Mark and label of one section of ``job``: a section still waiting or running when the job was cancelled
    (or failed) was not drafted, and says so."""
    if job.state in ("cancelled", "failed") and status in ("queued", "running"):
        return "✗", "未完成（任务已取消）" if job.state == "cancelled" else "未完成（任务失败）"
    return SECTION_MARKS.get(status, "?"), SECTION_STATES.get(status, "未知")


def poll_seconds() -> float:
    try:
        return max(0.5, float(get_settings().ui_poll_s))
    except (ValueError, TypeError):  # a broken setting must not take the page down; the default is fine
        return 2.0


def _relevant(jobs: list[JobView]) -> list[JobView]:
    """Active jobs, and failed ones since the target's last success (newest first): what still needs an eye."""
    out: list[JobView] = []
    failed = 0
    for job in jobs:  # newest first
        if job.state == "done":
            out += [j for j in jobs if not j.finished and j not in out]
            break
        if not job.finished:
            out.append(job)
        elif job.state == "failed" and failed < _FAILED_SHOWN:
            out.append(job)
            failed += 1
    return out


def act(svc: JobService, action: str, job: JobView, user: UserView, error_key: str) -> None:
    """Cancel or retry ``job``; a refusal is kept under ``error_key`` for the page to show after the rerun."""
    try:
        if action == "cancel":
            svc.cancel(job.id, user)
        else:
            svc.retry(job.id, user)
    except AssistantError as exc:
        st.session_state[error_key] = str(exc)
    st.rerun()  # the whole page: the watcher's polling follows whether anything is still active


def _card(svc: JobService, job: JobView, user: UserView, key: str) -> None:
    with st.container(border=True, key=f"job_{key}_{job.id}"):
        st.markdown(f"**{md_escape(job.kind_label)}** · 任务 `{job.id}` · **{md_escape(job.state_label)}** · "
                    f"提交人 {md_escape(job.owner)} · {job.created_at.astimezone():%H:%M:%S}")
        if job.message and job.state != "failed":
            st.caption(md_escape(hide_paths(job.message)))
        if job.error:
            st.error(f"错误：{md_escape(hide_paths(job.error))}")
        mine = user.role == "admin" or user.id == job.owner_id
        if not mine:
            return
        if job.state in ("queued", "running") and not job.cancel_requested:
            if st.button("取消", key=f"jobcancel_{key}_{job.id}"):
                act(svc, "cancel", job, user, f"{key}:error")
        elif job.state == "failed" and st.button("重试", key=f"jobretry_{key}_{job.id}"):
            act(svc, "retry", job, user, f"{key}:error")


def watch_jobs(user: UserView, *, kind: str, about: dict[str, int], key: str,
               on_finished: Callable[[JobView], None] | None = None) -> None:
    """Show ``kind`` jobs whose inputs match ``about`` (e.g. ``{"section_pk": 7}``); refresh while any is active;
    rerun the page (after ``on_finished`` for each) when one this session saw active has finished."""
    svc = job_service()
    seen_key = f"{key}:active"

    def look() -> list[JobView]:
        return svc.jobs(kind=kind, about=about, limit=_RECENT)

    def body() -> None:
        jobs = look()
        active = {j.id for j in jobs if not j.finished}
        before: set[str] = st.session_state.get(seen_key, set())
        st.session_state[seen_key] = active
        ended = [j for j in jobs if j.id in before - active]
        if ended:
            for job in ended:
                if on_finished is not None:
                    on_finished(job)
            st.rerun(scope="app")
        if f"{key}:error" in st.session_state:
            st.error(md_escape(st.session_state.pop(f"{key}:error")))
        if active:
            warning = svc.no_worker_warning()
            if warning:
                st.warning(warning)
        for job in _relevant(jobs):
            _card(svc, job, user, key)

    live = any(not j.finished for j in look())
    # Only while something is queued or running: a still page costs nothing.
    st.fragment(body, run_every=poll_seconds() if live else None)()
