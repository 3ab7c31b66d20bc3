"""Final export of an approved report: the service's gate, then the export stage's writer.

The gate check and the read of the texts are separate steps in the service, so the texts about to be written are
re-verified against the sign-off's content hashes (``signing.verify_export``) before a byte is written: an edit
slipped in between, or a signed version's text changed in the database, stops the export.
"""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path

from sqlalchemy.orm import Session

from assistant.review.service import ReviewService
from assistant.review.signing import verify_export
from assistant.review.views import UserView

__all__ = ["export_final"]


def export_final(service: ReviewService, report_id: int, user: UserView, target: Path) -> dict[str, Path]:
    """Write report.md / report.docx / report.json of the approved texts into ``target``.

    Raises ReviewError unless ``can_export`` allows it and every text is the one signed. Charts are copied from
    the drafted folder because the DOCX embeds them and the drafted folder itself is left untouched (it is the
    record of what was drafted).
    """
    final = service.final_report(report_id, user)
    with Session(service.engine) as session, session.begin():
        verify_export(session, report_id, {s.id: s.markdown for s in final.sections})
    target.mkdir(parents=True, exist_ok=True)
    source_dir = Path(service.out_dir(report_id))
    for chart in final.charts:
        src, dst = source_dir / chart.path, target / chart.path
        if src.is_file() and src.resolve().is_relative_to(source_dir.resolve()):
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    writer = importlib.import_module("assistant.export")
    paths: dict[str, Path] = writer.write_report(final, target)
    return paths
