"""The review store wired to the real drafting and export stages (no fakes)."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from review_factories import PASSWORD, make_report, seed, sign_off_report, write_out_dir

from assistant.errors import ReviewError
from assistant.review import ReviewService, add_user
from assistant.review.exporting import export_final
from assistant.settings import get_settings


def test_export_final_writes_markdown_and_docx_of_the_approved_texts(tmp_path: Path) -> None:
    service, users, report_id = seed(f"sqlite:///{tmp_path / 'r.db'}", tmp_path / "out")
    sections = service.sections(report_id)
    with pytest.raises(ReviewError, match="尚不能导出"):
        export_final(service, report_id, users["editor"], tmp_path / "final")
    service.save_edit(sections[0].pk, 1, "编辑终稿：7月国产算力持续突破 [2]。", users["analyst"])
    for section in service.sections(report_id):
        service.approve(section.pk, section.current_version, users["editor"])
    with pytest.raises(ReviewError, match="合规尚未签字"):
        export_final(service, report_id, users["editor"], tmp_path / "final")
    sign_off_report(service, users["compliance"], report_id)
    paths = export_final(service, report_id, users["editor"], tmp_path / "final")
    markdown = paths["md"].read_text(encoding="utf-8")
    assert "编辑终稿：7月国产算力持续突破" in markdown
    docx_text = "\n".join(p.text for p in Document(str(paths["docx"])).paragraphs)
    assert "编辑终稿：7月国产算力持续突破" in docx_text
    assert not (tmp_path / "out" / "report.md").exists()  # the drafted folder is left untouched


@pytest.mark.slow
def test_draft_sample_import_regenerate_and_export(tmp_path: Path, sample_draft_copy: Path) -> None:
    settings = get_settings(engine="offline")
    out_dir = sample_draft_copy
    service = ReviewService.open(f"sqlite:///{tmp_path / 'r.db'}", settings=settings)
    analyst = add_user(service.engine, "analyst", "analyst", PASSWORD)
    editor = add_user(service.engine, "editor", "editor", PASSWORD)
    compliance = add_user(service.engine, "compliance", "compliance", PASSWORD)
    report_id = service.import_report(out_dir, analyst)
    section = service.find_section(report_id, "compute_dynamics")
    version = service.regenerate(section.pk, "更简洁", analyst)
    assert (version.number, version.origin, version.instruction) == (2, "regenerated", "更简洁")
    assert version.markdown and version.markdown != service.version(section.pk, 1).markdown
    cited = {s.marker for s in service.section_sources(service.section(section.pk))}
    assert cited == {c.marker for c in version.citations}  # every marker of the new text resolves to a source
    for s in service.sections(report_id):
        service.approve(s.pk, s.current_version, editor)
    sign_off_report(service, compliance, report_id)  # checks re-run on the regenerated text, over the real corpus
    paths = export_final(service, report_id, editor, tmp_path / "final")
    assert paths["docx"].stat().st_size > 10_000 and (tmp_path / "final" / "charts").is_dir()


def test_regenerate_surfaces_drafting_errors_as_review_errors(tmp_path: Path) -> None:
    service, users, report_id = seed(f"sqlite:///{tmp_path / 'r.db'}", tmp_path / "out")
    write_out_dir(tmp_path / "out", make_report())  # a report.json but no stages/: the real engine refuses
    with pytest.raises(ReviewError, match="重新生成失败"):
        service.regenerate(service.sections(report_id)[0].pk, "更简洁", users["editor"])
    assert service.version_numbers(service.sections(report_id)[0].pk) == [1]
