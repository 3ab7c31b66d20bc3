"""Checks owed to model output: the answer check on each section's current text, and model-written judgement
without a citation (tagged at drafting), blocking until an editor confirms it."""

from __future__ import annotations

import re

from assistant.checks.context import CheckContext
from assistant.engine.answer import AWAITING_EDITOR, check_answer
from assistant.errors import PromptError
from assistant.models import Finding

__all__ = ["check_answers", "check_model_judgement"]


def check_answers(ctx: CheckContext) -> list[Finding]:
    """Sections the drafting answer check sent to review, checked again on their current text: the findings say
    why, and an editor's fix clears them (prompt echo is judged at drafting only: the prompt is not stored).
    Failed sections are reported by ``check_failed_sections``."""
    from assistant.drafting.template import load_template

    try:
        template = load_template(ctx.report.template_id or "monthly_ai")
    except PromptError:
        return []
    specs = {s.id: s for s in template.sections}
    titles = [t for s in template.sections for t in (s.title, s.chapter) if t]
    findings: list[Finding] = []
    for section in ctx.report.sections:
        spec = specs.get(section.id)
        if spec is None or section.status == "failed" or section.answer_check != "needs_review":
            continue
        # Markers in the current text that name a report source (an edited section's citation list may lag).
        cited = {int(m) for m in re.findall(r"\[(\d{1,3})\]", section.markdown)} & set(ctx.sources)
        verdict = check_answer(spec, section.markdown, citations=len(cited), other_titles=titles)
        findings += [f.model_copy(update={"detail": f"答案检查：{f.detail}"}) for f in verdict.findings]
    return findings


def check_model_judgement(ctx: CheckContext) -> list[Finding]:
    """Every sentence still carrying the editor mark; deleting the mark (an edit, versioned) is the confirmation."""
    findings: list[Finding] = []
    for section in ctx.report.sections:
        for line in section.markdown.splitlines():
            for part in line.split("。"):
                if AWAITING_EDITOR in part:
                    findings.append(Finding(
                        section=section.id, kind="uncited_model_judgement", severity="blocking",
                        sentence=part.strip()[:200],
                        detail=f"模型写出的判断没有引用或分析师提纲支撑，需编辑确认（删除「{AWAITING_EDITOR}」）"))
    return findings
