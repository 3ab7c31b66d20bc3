"""New draft: the sample data or an uploaded pack zip + corpus file, submitted as a job and returned at once.

The corpus is a file, or a zip of a folder of saved pages, PDF, Word and feed files. A worker process drafts it
(``python -m assistant worker``); the 任务 page shows its progress per section, links the imported report and
shows the ingestion report. Navigating away, closing the tab or signing out does not touch the job.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import streamlit as st
from jobs_ui import job_service
from ra_ui import extract_zip, literal, require_user, unzip_safely

from assistant import SAMPLE_DIR
from assistant.errors import AssistantError
from assistant.jobs.plan import section_plan
from assistant.review import allowed
from assistant.settings import get_settings

CORPUS_SUFFIXES = (".jsonl", ".csv")

user = require_user()
jobs = job_service()
st.title("新建草稿")
can = allowed(user, "import")
if not can:
    st.info("只有分析师和管理员可以起草新报告。")

mode = st.radio("数据来源", ["样例数据", "上传数据包"], horizontal=True, key="draft_mode", disabled=not can)
pack_zip = corpus_file = None
if mode == "上传数据包":
    pack_zip = st.file_uploader("市场数据包（zip，内含 pack.yaml）", type=["zip"], key="pack_zip")
    corpus_file = st.file_uploader("新闻语料（.jsonl / .csv，或把网页、PDF、Word、RSS/Atom 文件夹打包成 zip）",
                                   type=["jsonl", "csv", "zip"], key="corpus_file")
plan = section_plan(get_settings().template, None)
titles = {s["id"]: s["title"] for s in plan}
chosen = st.multiselect("只起草部分章节（不选则起草全部）", list(titles), format_func=lambda sid: titles[sid],
                        key="draft_sections", disabled=not can)


def _inputs() -> tuple[Path, Path]:
    if mode == "样例数据":
        return SAMPLE_DIR / "pack", SAMPLE_DIR / "corpus.jsonl"
    if pack_zip is None or corpus_file is None:
        raise AssistantError("请同时上传数据包 zip 和新闻语料文件")
    # The worker reads the inputs later, maybe on another machine: they go under the shared jobs folder.
    work = Path(get_settings().jobs_dir) / "uploads" / uuid.uuid4().hex[:12]
    work.mkdir(parents=True, exist_ok=True)
    suffix = Path(corpus_file.name).suffix.lower()
    if suffix == ".zip":
        return extract_zip(pack_zip.getvalue(), work / "pack"), unzip_safely(corpus_file.getvalue(), work / "corpus",
                                                                              corpus_file.name)
    corpus = work / f"corpus{suffix if suffix in CORPUS_SUFFIXES else '.jsonl'}"
    corpus.write_bytes(corpus_file.getvalue())
    return extract_zip(pack_zip.getvalue(), work / "pack"), corpus


if st.button("开始起草", disabled=not can, type="primary", key="start_draft"):
    try:
        pack_dir, corpus = _inputs()
        job_id = jobs.submit_draft(user, pack=pack_dir, corpus=corpus, sections=list(chosen) or None)
    except AssistantError as exc:
        st.error(f"提交失败：{literal(str(exc))}")  # member names and paths are data: never rendered as Markdown
    except OSError as exc:  # a full disk or an unwritable jobs folder: named, never a traceback
        st.error(literal(f"提交失败：无法写入上传文件（{exc.strerror or type(exc).__name__}）"))
    else:
        st.session_state.last_job_id = job_id
        st.success(f"已提交起草任务 {job_id}：由工作进程在后台起草，完成后自动导入审阅库。可以离开本页。")
        st.page_link("screens/jobs.py", label="查看任务进度")
