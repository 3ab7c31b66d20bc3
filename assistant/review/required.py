"""Required sections that are empty or lost their required parts: blocking findings (pure).

An editor can save anything, including an empty 风险提示; the sign-off must not pass it. The checks of
``assistant.checks`` look at what a section says; these look at whether the required sections still say enough.
"""

from __future__ import annotations

import re

from assistant.models import Finding, Report

__all__ = ["REQUIRED_PARTS", "required_parts_findings"]

_BULLET = re.compile(r"^\s*(?:[-*+]|\d{1,2}[.、)])\s+\S", re.M)
_MIN_CHARS = 12

# section id -> (title, [(what is required, pattern that shows it)])
REQUIRED_PARTS: dict[str, tuple[str, list[tuple[str, re.Pattern[str]]]]] = {
    "core_views": ("核心观点", [("至少一条观点要点", _BULLET)]),
    "risk_warnings": ("风险提示", [("至少一项风险（含“风险”二字）", re.compile(r"风险"))]),
    "investment_advice": ("投资建议", [("行业评级", re.compile(r"评级"))]),
    "disclosures": ("信息披露", [("分析师承诺", re.compile(r"分析师承诺|本人承诺")),
                                 ("免责声明", re.compile(r"免责声明")),
                                 ("评级标准", re.compile(r"评级标准"))]),
}


def _visible(markdown: str) -> str:
    return re.sub(r"[#>*_`|\-\s]", "", markdown)


def required_parts_findings(report: Report) -> list[Finding]:
    """One blocking ``empty_section`` finding per required section that is empty or misses a required part."""
    found: list[Finding] = []
    for section in report.sections:
        rule = REQUIRED_PARTS.get(section.id)
        if rule is None:
            continue
        title, parts = rule
        text = section.markdown or ""
        if len(_visible(text)) < _MIN_CHARS:
            found.append(Finding(section=section.id, kind="empty_section", severity="blocking",
                                 detail=f"必需章节“{title}”为空或几乎为空（{len(_visible(text))} 字），不能签字"))
            continue
        missing = [what for what, pattern in parts if not pattern.search(text)]
        if missing:
            found.append(Finding(section=section.id, kind="empty_section", severity="blocking",
                                 detail=f"必需章节“{title}”缺少：{'、'.join(missing)}"))
    return found
