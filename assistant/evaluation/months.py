"""Draft quality on any month: a drafted ``Report`` scored against the month's ``truth.yaml``.

``truth.yaml`` (written by ``scripts/make_months.py`` from each month's description, never by drafting code) extends
the July gold (facts, items, funding) with the month's non-financing investments, policy levels, background items
and the shape it stresses. The score says what an analyst checks first on an unseen month: did the draft finish,
which sections failed, which facts and funding cells survived, which in-window items were printed in their
section, which were neither printed nor named to the editor (silently lost), and which blocking findings hold
sign-off for no reason the month explains.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

from assistant.evaluation.quality import GoldError, QualityGold, evaluate_quality
from assistant.models import Report

__all__ = ["FAILED_TEXT", "SLOT_KINDS", "MonthScore", "MonthTruth", "evaluate_month", "load_truth"]

# Blocking findings that are the month's own gaps made visible (a missing view, a missing pack key): expected.
SLOT_KINDS = frozenset({"view_awaiting_analyst", "evidence_awaiting_analyst", "disclosure_incomplete",
                        "disclosure_missing", "disclosure_slot", "stock_unresolved"})
FAILED_KINDS = frozenset({"section_failed", "drafting_failed", "timeout", "model_error", "retrieval_failed",
                          "answer_check_failed", "missing_table"})
# Error wording that must never reach a reader of report.md
FAILED_TEXT = re.compile(r"起草失败|Traceback|Error:|答案检查未通过|占位符 \{")
_MARKER = re.compile(r"\[(\d+)\]")


class NonFinancing(BaseModel):
    anchor: str
    kind: str


class MonthTruth(QualityGold):
    name: str = ""
    stresses: list[str] = Field(default_factory=list)
    non_financing: list[NonFinancing] = Field(default_factory=list)
    policy: list[dict[str, str]] = Field(default_factory=list)
    background: list[str] = Field(default_factory=list)
    pack_without: list[str] = Field(default_factory=list)
    has_outline: bool = False


class MonthScore(BaseModel):
    name: str
    exit_status: int = 0
    failed_sections: list[str] = Field(default_factory=list)
    facts_kept: int = 0
    facts_total: int = 0
    funding_right: int = 0
    funding_total: int = 0
    items_placed: int = 0
    items_total: int = 0
    unplaced: list[str] = Field(default_factory=list)  # in-window items neither printed nor named in a finding
    mid_context: int = 0
    false_blocking: list[str] = Field(default_factory=list)
    non_financing_in_table: list[str] = Field(default_factory=list)
    error_text: list[str] = Field(default_factory=list)  # error wording printed in report.md
    misses: dict[str, list[str]] = Field(default_factory=dict)

    def row(self) -> dict[str, str]:
        return {
            "month": self.name, "exit": str(self.exit_status),
            "failed sections": ",".join(self.failed_sections) or "-",
            "facts kept": f"{self.facts_kept}/{self.facts_total}",
            "funding cells": f"{self.funding_right}/{self.funding_total}",
            "items placed": f"{self.items_placed}/{self.items_total}",
            "silently lost": str(len(self.unplaced)), "mid-context": str(self.mid_context),
            "false blocking": str(len(self.false_blocking)),
            "non-financing in table": str(len(self.non_financing_in_table)),
            "error text": str(len(self.error_text)),
        }


def load_truth(path: Path) -> MonthTruth:
    try:
        return MonthTruth.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise GoldError(f"{path}: 月份真值文件无法读取: {exc}") from exc


def _norm(text: str) -> str:
    return re.sub(r"[\s*]+", "", text).lower()


def _cited_titles(report: Report) -> list[str]:
    titles = {s.marker: s.title for s in report.sources}
    cited = {int(m) for s in report.sections for m in _MARKER.findall(s.markdown)}
    return [_norm(titles[m]) for m in cited if m in titles]


def _named(report: Report) -> str:
    """Every finding's text: an item named here is visible to the editor, not silently lost."""
    findings = [*report.checks, *(f for s in report.sections for f in s.findings)]
    return _norm(" ".join(f"{f.sentence} {f.detail} {f.evidence}" for f in findings))


def _funding_rows_citing(report: Report, anchor: str) -> bool:
    section = report.section("funding")
    if section is None:
        return False
    titles = {s.marker: _norm(s.title) for s in report.sources}
    for line in section.markdown.splitlines():
        if line.strip().startswith("|") and any(_norm(anchor) in titles.get(int(m), "")
                                                for m in _MARKER.findall(line)):
            return True
    return False


def evaluate_month(report: Report, truth: MonthTruth, *, report_md: str = "",
                   analyst_views: list[str] | None = None) -> MonthScore:
    """Score one drafted month. ``report_md`` is the written report.md (error wording is looked for there)."""
    quality = evaluate_quality(report, truth, analyst_views=analyst_views or [])
    failed = [s.id for s in report.sections if s.status == "failed"]
    score = MonthScore(name=truth.name or truth.month, exit_status=1 if failed else 0, failed_sections=failed,
                       facts_kept=quality.facts_kept, facts_total=quality.facts_total,
                       funding_right=quality.funding_right, funding_total=quality.funding_total,
                       items_placed=quality.items_placed, items_total=quality.items_total,
                       mid_context=len(quality.mid_context))
    cited, named = _cited_titles(report), _named(report)
    for anchor in [i.anchor for i in truth.items] + [n.anchor for n in truth.non_financing]:
        key = _norm(anchor)
        if not any(key in t for t in cited) and key not in named:
            score.unplaced.append(anchor)
    explained = set(SLOT_KINDS)
    score.false_blocking = [f"{f.section}/{f.kind}: {(f.detail or f.sentence)[:80]}" for f in report.checks
                            if f.severity == "blocking" and not f.ok and f.kind not in explained
                            and f.kind not in FAILED_KINDS]
    score.non_financing_in_table = [n.anchor for n in truth.non_financing if _funding_rows_citing(report, n.anchor)]
    score.error_text = [m.group(0) for m in FAILED_TEXT.finditer(report_md)]
    score.misses = {"facts": quality.facts_missing, "funding": quality.funding_wrong, "items": quality.items_missing,
                    "mid-context": quality.mid_context, "lost": score.unplaced, "false blocking": score.false_blocking,
                    "non-financing in table": score.non_financing_in_table}
    return score
