"""Model-written judgement without a citation (tagged at drafting): blocking until an editor confirms it."""

from __future__ import annotations

from assistant.checks.context import CheckContext
from assistant.engine.answer import AWAITING_EDITOR
from assistant.models import Finding

__all__ = ["check_model_judgement"]


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
