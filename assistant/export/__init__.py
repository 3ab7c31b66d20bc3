"""Export: turn a drafted ``Report`` into report.md, report.docx and report.json, and load report.json back.

Layout rules (section order, where tables/charts go, 表/图 numbering) live in ``assistant.export.assemble``.
"""

from __future__ import annotations

from assistant.export.assemble import Assembly, assemble
from assistant.export.docx import render_docx
from assistant.export.markdown import render_markdown
from assistant.export.writer import REPORT_FILES, load_report, numbered_report, write_report

__all__ = [
    "REPORT_FILES",
    "Assembly",
    "assemble",
    "load_report",
    "numbered_report",
    "render_docx",
    "render_markdown",
    "write_report",
]
