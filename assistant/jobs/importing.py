"""Import a job's drafted report inside the transaction that marks the job done.

The report rows and ``jobs.report_id`` commit together, so a retried job (or a second worker that thinks it owns
the job) can never import the same draft twice: the job row says whether it was imported.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from assistant.errors import ReviewError
from assistant.models import Report
from assistant.review import audit
from assistant.review.importing import report_rows
from assistant.review.users import acting_user
from assistant.review.views import UserView

__all__ = ["import_in_session"]


def import_in_session(session: Session, report: Report, out_dir: str, owner: UserView, job_id: str) -> int:
    """Add the report's rows to ``session`` (as ReviewService.import_report does) and return the report id."""
    markers = [s.marker for s in report.sources]
    if len(markers) != len(set(markers)):
        raise ReviewError("report.json 的 sources 中有重复的引用标记")
    actor = acting_user(session, owner, "import")
    row, sections, sources = report_rows(report, out_dir, actor.id)
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
                 sources=len(sources), job_id=job_id)
    return row.id
