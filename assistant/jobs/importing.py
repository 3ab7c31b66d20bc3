"""Import a job's drafted report inside the transaction that marks the job done.

The report rows and ``jobs.report_id`` commit together, so a retried job (or a second worker that thinks it owns
the job) can never import the same draft twice: the job row says whether it was imported.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from assistant.models import Report
from assistant.review.importing import add_report
from assistant.review.views import UserView

__all__ = ["import_in_session"]


def import_in_session(session: Session, report: Report, out_dir: str, owner: UserView, job_id: str) -> int:
    """Add the report's rows to the job's ``session`` (the same rows ReviewService.import_report writes, with the
    job's id in the audit entry) and return the report id."""
    return add_report(session, report, out_dir, owner, job_id=job_id)
