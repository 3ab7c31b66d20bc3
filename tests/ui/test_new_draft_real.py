"""The new-draft page with the real drafting stage (offline engine) on the bundled sample: no fake anywhere."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from ra_ui import literal
from streamlit.testing.v1 import AppTest

from assistant.review import ReviewService, UserView

Seeded = tuple[ReviewService, dict[str, UserView], int]
DRAFT_TIMEOUT_S = 600  # the whole sample: tables, charts, ingest with the offline embedder, 12 sections


@pytest.mark.slow
def test_new_draft_drafts_the_sample_for_real_and_imports_it(app_as: Callable[..., AppTest], store: Seeded,
                                                             tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    service, _users, seeded_id = store
    monkeypatch.setenv("RA_ENGINE", "offline")
    monkeypatch.setenv("RA_UI_OUT_DIR", str(tmp_path / "drafts"))
    for name in ("RA_STORE_DIR", "RA_CHROMA_URL", "RA_CONFIG", "RA_OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)  # the vector store must be the per-draft one under tmp_path
    at = app_as("analyst", "screens/new_draft.py")
    at.button(key="start_draft").click().run(timeout=DRAFT_TIMEOUT_S)

    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert "草稿已生成并导入审阅库" in at.success[0].value
    report_id = at.session_state["report_id"]
    assert report_id != seeded_id
    sections = service.sections(report_id)
    drafts = service.report(report_id).sections
    assert len(sections) == 12 and len(drafts) == 12
    assert [d.id for d in drafts if d.status == "failed" or d.error] == []

    progress = at.get("progress")  # the overall bar, then one bar per section in the order drafting began them
    overall, per_section = progress[0].proto, [p.proto for p in progress[1:]]
    assert overall.value == 100
    finished = {p.text.split(" ")[1]: p for p in per_section}
    assert set(finished) == {literal(s.section_id) for s in sections}  # the progress reached every section
    assert all(p.value == 100 and p.text.startswith("✓ ") for p in per_section), [p.text for p in per_section]
    out_dirs = list((tmp_path / "drafts").iterdir())
    assert len(out_dirs) == 1 and (out_dirs[0] / "report.json").is_file() and (out_dirs[0] / "store").is_dir()
