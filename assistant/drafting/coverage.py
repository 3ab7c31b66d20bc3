"""No item of the month is lost silently (pure): every in-window item the report does not print is named to the
editor in a finding (``item_not_used``) on the section its kind belongs to, with why when it is known
(a near-duplicate of a printed item, a kind no section prints)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from assistant.drafting.template import ReportTemplate
from assistant.models import Finding, NewsItem, Report

__all__ = ["unused_items"]


def _home(template: ReportTemplate, category: str | None) -> str:
    for spec in template.sections:
        if any(category in (r.categories or []) for r in spec.retrieval if not r.background):
            return spec.id
    return "core_views"


def _named(report: Report) -> str:
    findings: Iterable[Finding] = [*report.checks, *(f for s in report.sections for f in s.findings)]
    return " ".join(f"{f.sentence} {f.detail}" for f in findings)


def unused_items(report: Report, items: dict[str, NewsItem], window: tuple[dt.date, dt.date],
                 template: ReportTemplate) -> list[Finding]:
    """One warning per in-window item neither cited in any section nor already named by a finding."""
    cited = {c.doc_id for s in report.sections for c in s.citations}
    named = _named(report)
    out: list[Finding] = []
    for item in sorted(items.values(), key=lambda i: (i.date, i.doc_id)):
        if not window[0] <= item.date <= window[1] or item.doc_id in cited or item.title in named:
            continue
        if item.duplicate_of and item.duplicate_of in cited:
            why = "与已采用的条目内容重复"
        elif _home(template, item.category) == "core_views":
            why = f"类别「{item.category or '未分类'}」没有对应的章节"
        else:
            why = "本节未采用"
        out.append(Finding(section=_home(template, item.category), kind="item_not_used", severity="warning",
                           sentence=item.title,
                           detail=f"未采用的本月条目（{why}）：{item.title}（{item.date.isoformat()}，{item.source}）"))
    return out
