"""The new-draft page with an uploaded pack zip and a zip of a raw corpus folder (saved pages, PDF, Word, feeds):
submitted as a job, drafted for real by a worker (offline engine), then the ingestion report is shown on 任务."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant import SAMPLE_DIR
from assistant.jobs.worker import Worker
from assistant.review import ReviewService, UserView
from assistant.settings import get_settings

Seeded = tuple[ReviewService, dict[str, UserView], int]


def _zip(folder: Path, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"{folder.name}/{path.relative_to(folder)}")
        for name, data in (extra or {}).items():
            archive.writestr(f"{folder.name}/{name}", data)
    return buffer.getvalue()


@pytest.fixture
def draft_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RA_ENGINE", "offline")
    monkeypatch.setenv("RA_EMBEDDING", "hash")
    monkeypatch.setenv("RA_JOBS_DIR", str(tmp_path / "jobs"))
    for name in ("RA_STORE_DIR", "RA_CHROMA_URL", "RA_CONFIG", "RA_OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "jobs"


def _upload(at: AppTest, corpus: bytes) -> AppTest:
    at.radio(key="draft_mode").set_value("上传数据包").run()
    at.get("file_uploader")[0].upload("pack.zip", _zip(SAMPLE_DIR / "pack"), "application/zip")
    at.get("file_uploader")[1].upload("raw.zip", corpus, "application/zip")
    return at.run()


@pytest.mark.slow
def test_a_zipped_raw_folder_is_drafted_and_its_ingest_report_shown(app_as: Callable[..., AppTest],
                                                                    store: Seeded, draft_env: Path) -> None:
    service, _users, _seeded = store
    at = _upload(app_as("analyst", "screens/new_draft.py"), _zip(SAMPLE_DIR / "raw"))
    at.button(key="start_draft").click().run(timeout=60)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert "已提交起草任务" in at.success[0].value
    job_id = at.session_state["last_job_id"]
    worker = Worker(service.engine.url.render_as_string(hide_password=False), get_settings())
    assert worker.run(burst=True) == 1
    job = worker.ledger.job(job_id)
    worker.queue.close()
    assert job.state == "done", job.error
    assert job.out_dir is not None and (Path(job.out_dir) / "ingest_report.json").is_file()

    board = app_as("analyst", "screens/jobs.py").run(timeout=60)
    assert not board.exception, [e.value for e in board.exception]
    assert any("语料导入报告" in e.label for e in board.expander)
    frame = board.dataframe[1].value  # [0] is the job table
    assert sorted(frame["文件"]) == sorted(p.name for p in (SAMPLE_DIR / "raw").iterdir() if p.suffix != ".yaml")
    pdf = frame[frame["文件"] == "miit-ai-standards-policy.pdf"].iloc[0]
    assert pdf["格式"] == "pdf" and "date←text" in pdf["字段来源"]
    feed = frame[frame["文件"] == "jiqizhixin-rss.xml"].iloc[0]
    assert feed["结果"] == "新增 1 重复（已关联） 1"  # the Xinhua story also saved as a page
    english = frame[frame["文件"] == "venturebeat-gpt4o-mini.html"].iloc[0]
    assert "语言为 en" in english["警告"]
