"""Drafting: report template and prompt files -> LCEL section chains -> section drafts -> Report.

Public API: ``draft_report`` and ``regenerate_section`` (see docs/interfaces.md), plus the template loader and
the offline engine for callers that assemble their own runs.
"""

from assistant.drafting.offline import OfflineEngine
from assistant.drafting.orchestrator import draft_report, make_engine, regenerate_section
from assistant.drafting.template import ReportTemplate, SectionSpec, load_template
from assistant.prompts import PromptFile, load_prompt

__all__ = [
    "OfflineEngine",
    "PromptFile",
    "ReportTemplate",
    "SectionSpec",
    "draft_report",
    "load_prompt",
    "load_template",
    "make_engine",
    "regenerate_section",
]
