"""What re-running the compliance checks needs besides the store transaction: the report as it stands now (each
section's current text), the evidence to check it against, and which findings are new.

:class:`assistant.review.compliance.ComplianceService` runs these inside its role check and transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import AssistantError
from assistant.models import Finding, NewsItem, Provenance, Report, SourceRef, TableSet
from assistant.review.db import FindingRow
from assistant.review.importing import finding_row

if TYPE_CHECKING:
    from assistant.pack.model import MarketPack
    from assistant.review.service import ReviewService

__all__ = ["CheckFn", "CheckInputs", "FindingKey", "check_inputs", "current_report", "default_checks",
           "finding_key", "fresh_rows", "items_from_sources"]

CheckFn = Callable[..., list[Finding]]
FindingKey = tuple[str, str, str, str, int | None]
# items, pack, tables, the corpus file used (None: the stored passages), a note for the reviewer
CheckInputs = tuple[dict[str, NewsItem], "MarketPack | None", TableSet | None, str | None, str]


def finding_key(section: str, kind: str, sentence: str, detail: str, marker: int | None) -> FindingKey:
    """Two findings with the same key are the same problem in the same sentence."""
    return section, kind, sentence, detail, marker


def fresh_rows(found: list[Finding], resolved: set[FindingKey], versions: dict[str, int]) -> list[FindingRow]:
    """Rows for the findings not already resolved (and not repeated), tagged with their section's version."""
    seen = set(resolved)
    rows: list[FindingRow] = []
    for f in found:
        key = finding_key(f.section, f.kind, f.sentence, f.detail, f.marker)
        if key not in seen:
            seen.add(key)
            rows.append(finding_row(f, versions.get(f.section)))
    return rows


def default_checks() -> CheckFn:
    """``assistant.checks.run_checks`` plus the required-parts rule (an emptied 风险提示 blocks the sign-off)."""
    from assistant.checks import run_checks  # late: the checks pull in the tables stage
    from assistant.review.required import required_parts_findings

    def checks(report: Report, items: dict[str, NewsItem], **kwargs: Any) -> list[Finding]:
        return [*run_checks(report, items, **kwargs), *required_parts_findings(report)]

    return checks


def items_from_sources(sources: list[SourceRef]) -> dict[str, NewsItem]:
    """Without the corpus, the passages stored with the report are the evidence the citations are checked on."""
    return {s.doc_id: NewsItem(doc_id=s.doc_id, date=s.date, title=s.title, body=s.passage, source=s.source,
                               url=s.url) for s in sources}


def current_report(review: ReviewService, report_id: int) -> tuple[Report, dict[str, int]]:
    """The imported report with each section's current text and the report's stored sources."""
    snapshot = review.report(report_id)
    current = {s.section_id: s for s in review.sections(report_id)}
    sections = []
    for draft in snapshot.sections:
        view = current.get(draft.id)
        if view is None:
            continue
        update_: dict[str, Any] = {"markdown": view.markdown, "citations": view.citations, "findings": []}
        if view.current_version > 1:  # a later version replaced the drafted text, failed or not
            stored = review.version(view.pk, view.current_version).provenance
            update_.update(status="draft", error=None)
            if stored and "engine" in stored:
                update_["provenance"] = Provenance.model_validate(stored)
        sections.append(draft.model_copy(update=update_))
    month_start = dt.date.fromisoformat(f"{snapshot.month}-01")
    sources = [SourceRef(marker=s.marker, doc_id=s.doc_id, title=s.title, date=s.date or month_start,
                         source=s.publisher, url=s.url, passage=s.passage, background=s.background)
               for s in review.sources(report_id)]
    report = snapshot.model_copy(update={"sections": sections, "sources": sources, "checks": []})
    return report, {s.section_id: s.current_version for s in current.values()}


def check_inputs(out_dir: Path, report: Report, corpus: Path | None) -> CheckInputs:
    """Corpus, pack and tables recorded by the draft; without them, the stored source passages."""
    from assistant.checks.inputs import load_check_inputs

    try:
        inputs = load_check_inputs(out_dir, corpus=corpus)
    except (AssistantError, OSError) as exc:
        if corpus is not None:  # an explicitly named corpus that cannot be read is an error, not a fallback
            raise
        return items_from_sources(report.sources), None, None, None, f"未使用新闻语料（{exc}），按已存来源段落核对"
    return inputs.items, inputs.pack, inputs.tables, str(inputs.corpus_path), ""
