"""The sections a draft job will draft, read from the report template without importing the drafting stack.

Submitting is interactive (CLI, UI button): importing ``assistant.drafting`` pulls in langchain and Chroma and takes
seconds, while the plan needs only the template's section ids and titles.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from assistant.engine.spec import SectionSpec
from assistant.jobs.errors import JobError
from assistant.jobs.views import SectionProgress
from assistant.prompts import PROMPTS_DIR

__all__ = ["section_kind", "section_plan"]


def _specs(template: str) -> tuple[str, list[SectionSpec]]:
    path = Path(template) if template.endswith((".yaml", ".yml")) else PROMPTS_DIR / "templates" / f"{template}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return str(data.get("id", template)), [SectionSpec.model_validate(s) for s in data["sections"]]
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError, ValidationError) as exc:
        raise JobError(f"报告模板 {path} 无法读取: {exc}") from exc


def section_plan(template: str, wanted: list[str] | None) -> list[dict[str, Any]]:
    """``[{id, title, status: queued}]`` in template order; unknown ``wanted`` ids are refused."""
    name, specs = _specs(template)
    ids = [s.id for s in specs]
    unknown = [w for w in wanted or [] if w not in ids]
    if unknown:
        raise JobError(f"模板 {name} 中没有这些章节: {', '.join(unknown)}")
    return [SectionProgress(id=s.id, title=s.title).model_dump() for s in specs if wanted is None or s.id in wanted]


def section_kind(template: str, section_id: str) -> str | None:
    """The kind (market, digest, writeup ...) of ``section_id`` in the template; None for a section the template
    does not list (one the analyst's outline added) or a template that cannot be read."""
    try:
        _name, specs = _specs(template)
    except JobError:
        return None
    return next((s.kind for s in specs if s.id == section_id), None)
