"""The jobs service for the Streamlit pages (one per database URL) and how a job is shown."""

from __future__ import annotations

import streamlit as st

from assistant.jobs import JobService, JobView
from assistant.review import resolve_database_url

__all__ = ["SECTION_MARKS", "job_service", "progress_text"]

SECTION_MARKS = {"queued": "·", "running": "…", "ok": "✓", "failed": "✗"}
SECTION_STATES = {"queued": "等待", "running": "起草中", "ok": "完成", "failed": "失败"}


@st.cache_resource(show_spinner=False)
def _jobs_for(url: str) -> JobService:
    return JobService.open(url)


def job_service() -> JobService:
    return _jobs_for(resolve_database_url())


def progress_text(job: JobView) -> str:
    if job.sections:
        return f"{job.sections_done}/{len(job.sections)} 章"
    return job.state_label
