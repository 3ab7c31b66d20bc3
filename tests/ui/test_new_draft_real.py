"""The new-draft page with the real drafting stage (offline engine) on the bundled sample: no fake anywhere.

The page only submits a job and returns; a worker (here in process, ``--burst`` style) drafts all 12 sections
into the job's own folder and imports the report.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant.jobs.worker import Worker
from assistant.review import ReviewService, UserView
from assistant.settings import get_settings

Seeded = tuple[ReviewService, dict[str, UserView], int]
DRAFT_TIMEOUT_S = 600  # the whole sample: tables, charts, ingest with the offline embedder, 12 sections


@pytest.mark.slow
def test_new_draft_submits_a_job_that_a_worker_drafts_and_imports(app_as: Callable[..., AppTest], store: Seeded,
                                                                  tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    service, users, seeded_id = store
    monkeypatch.setenv("RA_ENGINE", "offline")
    monkeypatch.setenv("RA_JOBS_DIR", str(tmp_path / "jobs"))
    for name in ("RA_STORE_DIR", "RA_CHROMA_URL", "RA_CONFIG", "RA_OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)  # the vector store must be the per-draft one under tmp_path
    at = app_as("analyst", "screens/new_draft.py")
    at.button(key="start_draft").click().run(timeout=60)

    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert "已提交起草任务" in at.success[0].value
    job_id = at.session_state["last_job_id"]
    url = service.engine.url.render_as_string(hide_password=False)
    worker = Worker(url, get_settings())
    assert worker.run(burst=True) == 1

    job = worker.ledger.job(job_id)
    assert job.state == "done", job.error
    assert job.owner == users["analyst"].name and job.report_id not in (None, seeded_id)
    report_id = job.report_id
    assert report_id is not None
    sections = service.sections(report_id)
    drafts = service.report(report_id).sections
    assert len(sections) == 12 and len(drafts) == 12
    assert [d.id for d in drafts if d.status == "failed" or d.error] == []
    assert {s.id for s in job.sections} == {s.section_id for s in sections}  # progress reached every section
    assert all(s.status == "ok" and s.attempt == 1 for s in job.sections)
    out_dirs = list((tmp_path / "jobs").iterdir())
    assert out_dirs == [Path(job.out_dir or "")]
    assert (out_dirs[0] / "report.json").is_file() and (out_dirs[0] / "store").is_dir()
    worker.queue.close()
