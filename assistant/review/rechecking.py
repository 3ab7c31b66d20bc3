"""What re-running the compliance checks needs besides the store transaction: the report as it stands now (each
section's current text), the evidence to check it against, and which findings are new.

:class:`assistant.review.compliance.ComplianceService` runs these inside its role check and transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import AssistantError
from assistant.models import Finding, NewsItem, Provenance, Report, SourceRef, TableSet
from assistant.review.db import FindingRow
from assistant.review.importing import finding_row
from assistant.review.statefns import close_as_fixed

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from assistant.pack.model import MarketPack
    from assistant.review.service import ReviewService

__all__ = ["FIXED_REASON", "CheckFn", "CheckInputs", "check_inputs", "current_report", "default_checks",
           "drafted_texts", "finding_identity", "items_from_sources", "reconcile"]

# The reason given to an open finding a later check run no longer raises (its sentence was fixed or removed): it is
# closed, never deleted, so its id is never reused and audit rows and send-back comments still point at it.
_log = logging.getLogger(__name__)
FIXED_REASON = "重新检查未再发现（原句已修改或删除）"
_SPACE_OR_MARKUP = re.compile(r"[\s*_`]+")

CheckFn = Callable[..., list[Finding]]
# items, pack, tables, the corpus file used (None: the stored passages), a note for the reviewer
CheckInputs = tuple[dict[str, NewsItem], "MarketPack | None", TableSet | None, str | None, str]


def finding_identity(section: str, kind: str, sentence: str, marker: int | None) -> tuple[str, str, str, int | None]:
    """A finding's stable identity across re-checks: section, kind, the hash of its normalised sentence (width,
    spaces and emphasis do not count) and the citation it is about. The detail may change (a new figure in the
    message), the finding is the same."""
    normal = _SPACE_OR_MARKUP.sub("", unicodedata.normalize("NFKC", sentence))
    return section, kind, hashlib.sha256(normal.encode()).hexdigest()[:16], marker


def reconcile(session: Session, report_id: int, found: list[Finding], versions: dict[str, int],
              actor_id: int) -> tuple[int, int, list[int], list[int]]:
    """Store a check run's findings, keeping ids: a finding raised again keeps its row (an open one stays open as
    first recorded: findings are append-only; one resolved by a person stays resolved while its sentence is
    unchanged); a new one gets a new row; an open one no longer raised is closed as fixed (resolved with
    ``FIXED_REASON``, never deleted, so its id is never reused). A finding closed that way that comes back is a
    new finding. Closing goes through ``statefns`` (on PostgreSQL the app role may not update findings).
    Returns (open findings, kept resolved, ids closed as fixed, ids open after the run)."""
    from sqlalchemy import select

    rows = list(session.scalars(select(FindingRow).where(FindingRow.report_id == report_id)
                                .order_by(FindingRow.id)))
    pool: dict[tuple[str, str, str, int | None], list[FindingRow]] = {}
    for row in rows:
        if not (row.status == "resolved" and row.reason == FIXED_REASON):
            pool.setdefault(finding_identity(row.section_id, row.kind, row.sentence, row.marker), []).append(row)
    matched: set[int] = set()
    opened = kept = 0
    for f in found:
        candidates = [r for r in pool.get(finding_identity(f.section, f.kind, f.sentence, f.marker), [])
                      if r.id not in matched]
        found_row = next((r for r in candidates if r.status == "open"), candidates[0] if candidates else None)
        if found_row is None:
            row = finding_row(f, versions.get(f.section))
            row.report_id = report_id
            session.add(row)
        else:
            row = found_row
            matched.add(row.id)
        if row.status == "resolved":
            kept += 1
        else:
            opened += 1
    closed = [r.id for r in rows if r.status == "open" and r.id not in matched]
    session.flush()
    close_as_fixed(session, closed, actor_id, FIXED_REASON)
    open_ids = sorted(session.scalars(select(FindingRow.id).where(FindingRow.report_id == report_id,
                                                                  FindingRow.status == "open")))
    return opened, kept, closed, open_ids


def default_checks(drafted: dict[str, str] | None = None) -> CheckFn:
    """``assistant.checks.run_checks`` plus the required-parts rule (an emptied 风险提示 blocks the sign-off) and,
    given the drafted texts (section id -> markdown), the facts of every changed cited sentence against its
    cited passage (``checks.facts``)."""
    from assistant.checks import run_checks  # late: the checks pull in the tables stage
    from assistant.checks.facts import fact_findings
    from assistant.review.required import required_parts_findings

    def checks(report: Report, items: dict[str, NewsItem], **kwargs: Any) -> list[Finding]:
        found = [*run_checks(report, items, **kwargs), *required_parts_findings(report)]
        return found + (fact_findings(report, items, drafted) if drafted is not None else [])

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


def drafted_texts(review: ReviewService, report_id: int) -> dict[str, str]:
    """Each section's text as drafted (the imported snapshot): a re-check fact-checks what an edit changed."""
    return {s.id: s.markdown for s in review.report(report_id).sections}


def check_inputs(out_dir: Path, report: Report, corpus: Path | None) -> CheckInputs:
    """Corpus, pack and tables recorded by the draft; without them, the stored source passages."""
    from assistant.checks.inputs import load_check_inputs

    try:
        inputs = load_check_inputs(out_dir, corpus=corpus)
    except (AssistantError, OSError) as exc:
        if corpus is not None:  # an explicitly named corpus that cannot be read is an error, not a fallback
            raise
        # an OS error's text is English and names server paths: the reviewer reads why in Chinese, the log has it
        reason = str(exc) if isinstance(exc, AssistantError) else "起草时的语料或数据文件无法读取"
        _log.info("re-check without the corpus: %s", exc)
        return items_from_sources(report.sources), None, None, None, f"未使用新闻语料（{reason}），按已存来源段落核对"
    return inputs.items, inputs.pack, inputs.tables, str(inputs.corpus_path), ""
