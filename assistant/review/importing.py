"""Reading a drafted output folder (``report.json``) and turning a Report into review-store rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from assistant.errors import InputError, ReviewError
from assistant.models import Finding, Report, SourceRef
from assistant.review import audit
from assistant.review.db import FindingRow, ReportRow, Section, SectionVersion, Source
from assistant.review.users import acting_user
from assistant.review.views import UserView

if TYPE_CHECKING:
    from assistant.review.checking import StoreCheck

__all__ = ["add_report", "engine_sources", "finding_row", "finding_rows", "read_report_json", "report_rows",
           "source_row"]


def read_report_json(out_dir: Path) -> Report:
    """Load ``out_dir/report.json``; a bad file names the field that failed."""
    path = Path(out_dir) / "report.json"
    if not path.is_file():
        raise InputError("找不到 report.json（请先运行 draft）", file=str(path))
    try:
        return Report.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(first["msg"], file=str(path), field=where) from exc
    except UnicodeDecodeError as exc:
        raise InputError("不是 UTF-8 编码", file=str(path)) from exc


def engine_sources(out_dir: Path) -> list[SourceRef]:
    """Every source the drafting engine knows for ``out_dir``: ``stages/sources.json`` (kept up to date by
    regeneration) first, then ``report.json``."""
    found: dict[int, SourceRef] = {}
    stages = out_dir / "stages" / "sources.json"
    if stages.is_file():
        try:
            for raw in json.loads(stages.read_text(encoding="utf-8")):
                ref = SourceRef.model_validate(raw)
                found.setdefault(ref.marker, ref)
        except (ValueError, ValidationError) as exc:
            raise InputError(f"来源文件无法解析: {exc}", file=str(stages)) from exc
    if (out_dir / "report.json").is_file():
        for ref in read_report_json(out_dir).sources:
            found.setdefault(ref.marker, ref)
    return sorted(found.values(), key=lambda r: r.marker)


def source_row(ref: SourceRef) -> Source:
    return Source(marker=ref.marker, doc_id=ref.doc_id, title=ref.title, date=ref.date, publisher=ref.source,
                  url=ref.url, passage=ref.passage, background=ref.background)


def _section_rows(report: Report, author_id: int | None) -> list[tuple[Section, SectionVersion]]:
    sections: list[tuple[Section, SectionVersion]] = []
    for order, draft in enumerate(report.sections):
        provenance: dict[str, Any] = draft.provenance.model_dump(mode="json") if draft.provenance else {}
        if draft.error:
            # A failed section still enters review so an editor can write it by hand; the error stays visible.
            provenance["error"] = draft.error
        version = SectionVersion(
            number=1, markdown=draft.markdown, author_id=author_id, origin="drafted",
            citations=[c.model_dump(mode="json") for c in draft.citations], provenance=provenance or None,
        )
        section = Section(section_id=draft.id, title=draft.title, order=order, status="draft", current_version=1)
        sections.append((section, version))
    return sections


def finding_row(finding: Finding, version: int | None) -> FindingRow:
    return FindingRow(section_id=finding.section, version=version, kind=finding.kind, severity=finding.severity,
                      sentence=finding.sentence, evidence=finding.evidence, detail=finding.detail,
                      marker=finding.marker, status="open")


def finding_rows(report: Report, findings: list[Finding]) -> list[FindingRow]:
    """The open findings of the store's check run on an imported report, once each.

    Passed checks (``ok``) are not problems and are not stored. Findings on a section are tied to version 1,
    the imported text they were computed on; report-level ones (header, sources) carry no version.
    """
    sections = {s.id for s in report.sections}
    seen: set[tuple[str, str, str, str, int | None]] = set()
    rows: list[FindingRow] = []
    for finding in findings:
        key = (finding.section, finding.kind, finding.sentence, finding.detail, finding.marker)
        if finding.ok or key in seen:
            continue
        seen.add(key)
        rows.append(finding_row(finding, 1 if finding.section in sections else None))
    return rows


def report_rows(report: Report, out_dir: str, author_id: int | None, findings: list[Finding],
                ) -> tuple[ReportRow, list[tuple[Section, SectionVersion]], list[Source]]:
    """The rows of a newly imported report (not yet added to a session); ``findings`` are the store's."""
    snapshot = json.loads(report.model_dump_json())
    row = ReportRow(month=report.month, title=report.title, engine=report.engine, out_dir=out_dir,
                    snapshot=snapshot, created_by=author_id, findings=finding_rows(report, findings))
    return row, _section_rows(report, author_id), [source_row(s) for s in report.sources]


def add_report(session: Session, report: Report, out_dir: str, user: UserView | None, *,
               checked: StoreCheck | None = None, **audit_detail: Any) -> int:
    """Add an imported report's rows and its audit entries to the caller's open transaction; return the report id.

    The caller owns the transaction because a job must commit the report together with the job row that records
    it (``jobs.importing``), while ``ReviewService`` commits it alone. ``user`` None: an import by a script,
    with no role to check. ``audit_detail`` is added to the audit entry (a job passes its id).

    The findings stored are the store's own check run (``checked``, else run here on ``out_dir``'s evidence),
    never the ones the file carries; that run is audited as ``run_checks`` on version 1 of every section, the
    only kind of entry that makes a version count as checked.
    """
    markers = [s.marker for s in report.sources]
    if len(markers) != len(set(markers)):
        raise ReviewError("report.json 的 sources 中有重复的引用标记")
    actor = acting_user(session, user, "import") if user is not None else None
    if checked is None:
        from assistant.review.checking import store_checks  # late: the checks import this module's helpers

        checked = store_checks(Path(out_dir), report)
    row, sections, sources = report_rows(report, out_dir, actor.id if actor else None, checked.findings)
    session.add(row)
    session.flush()
    for source in sources:
        source.report_id = row.id
        session.add(source)
    for section, version in sections:
        section.report_id = row.id
        session.add(section)
        session.flush()
        version.section_pk = section.id
        session.add(version)
    audit.record(session, actor, "import", "report", row.id, after=1, out_dir=out_dir, sections=len(sections),
                 sources=len(sources), **audit_detail)
    audit.record(session, actor, "run_checks", "report", row.id, versions={s.section_id: 1 for s, _v in sections},
                 opened=len(row.findings), kept_resolved=0, corpus=checked.corpus, at="import",
                 finding_ids=sorted(f.id for f in row.findings),
                 ignored_file_findings=len(report.checks) + sum(len(s.findings) for s in report.sections))
    return row.id
