"""A section the offline engine drafted because the model could not says so on the section page (issue 24)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from review_factories import make_report, write_out_dir
from streamlit.testing.v1 import AppTest

from assistant.models import Provenance
from assistant.review import ReviewService, UserView

Seeded = tuple[ReviewService, dict[str, UserView], int]


def test_a_fallback_section_shows_the_note_and_a_model_section_does_not(
        app_as: Callable[..., AppTest], store: Seeded, tmp_path: Path) -> None:
    service, users, _first = store
    report = make_report(3)
    fallback = Provenance(engine="openai+offline", fallback=True, fallback_reason="模型两次未通过格式校验")
    report.sections[0] = report.sections[0].model_copy(update={"provenance": fallback})
    report_id = service.import_report(write_out_dir(tmp_path / "fb", report), users["analyst"])
    sections = service.sections(report_id)
    at = app_as("editor", "screens/section.py", report_id=report_id, section_pk=sections[0].pk)
    assert [w.value for w in at.warning] == ["模型未能起草，已用离线草稿"]
    at = app_as("editor", "screens/section.py", report_id=report_id, section_pk=sections[1].pk)
    assert "模型未能起草，已用离线草稿" not in [w.value for w in at.warning]
