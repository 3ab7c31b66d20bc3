"""Opinions awaiting the analyst: an empty view slot or a model-drafted view blocks until an editor replaces it;
so does a disclosure the pack did not supply (【待补：…】)."""

from __future__ import annotations

from assistant.checks.context import CheckContext, finding
from assistant.models import Finding
from assistant.outline.slots import MODEL_MARK, PENDING_PATTERN, SLOT_PATTERN

__all__ = ["check_view_slots"]


def check_view_slots(ctx: CheckContext) -> list[Finding]:
    out = []
    for section in ctx.report.sections:
        for line in section.markdown.splitlines():
            for match in SLOT_PATTERN.finditer(line):
                if match.group(0) == MODEL_MARK:
                    detail = "模型草拟的观点，待分析师确认：请改写或确认后删除该标记"
                else:
                    detail = f"{match.group(0)}：此处的观点或标的须由分析师填写"
                out.append(finding(None, "view_awaiting_analyst", "blocking", detail, section=section.id,
                                   evidence=line.strip()[:200]))
            for match in PENDING_PATTERN.finditer(line):
                out.append(finding(None, "disclosure_incomplete", "blocking",
                                   f"{match.group(0)}：此处须按 pack.yaml 补齐后方可签发", section=section.id,
                                   evidence=line.strip()[:200]))
    return out
