"""The store's own check run on what it imports: the findings written in a file are never trusted.

``report.json`` is a file anyone with the folder can edit: emptying its ``checks`` list and adding 稳赚不赔 must
not give a report with no findings. Every import (``load``, the UI, a draft job) therefore re-runs the checks on
the texts it imports, with the pack, tables and corpus the draft recorded in ``stages/``. When the corpus cannot be
read, the citations can only be compared with the passages the file itself carries, so that is a blocking finding
of its own (``evidence_unavailable``), not a pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.models import Finding, Report
from assistant.review.rechecking import CheckFn, check_inputs, default_checks

__all__ = ["EVIDENCE_UNAVAILABLE", "StoreCheck", "store_checks", "without_findings"]

EVIDENCE_UNAVAILABLE = "evidence_unavailable"


@dataclass(frozen=True)
class StoreCheck:
    """The result of one check run the store records: findings (none ``ok``), the corpus used, a note."""

    findings: list[Finding]
    corpus: str | None
    note: str = ""


def without_findings(report: Report) -> Report:
    """The report as the checks must see it: no finding of the file's own left anywhere."""
    return report.model_copy(update={"checks": [],
                                     "sections": [s.model_copy(update={"findings": []}) for s in report.sections]})


def evidence_finding(note: str) -> Finding:
    return Finding(section="sources", kind=EVIDENCE_UNAVAILABLE, severity="blocking",
                   detail=f"起草时的新闻语料无法读取（{note or '未记录语料路径'}）：引用只能与报告文件自带的来源段落比对，"
                          "不能据此视为通过；请用原语料重新运行检查，或逐条核对后写明理由标记为已处理")


def store_checks(out_dir: Path, report: Report, *, corpus: Path | None = None,
                 check_fn: CheckFn | None = None) -> StoreCheck:
    """Run the checks on ``report`` with the evidence recorded in ``out_dir`` (``corpus`` overrides it)."""
    items, pack, tables, used, note = check_inputs(out_dir, report, corpus)
    checks = check_fn if check_fn is not None else default_checks()
    found = [f for f in checks(without_findings(report), items, pack=pack, tables=tables) if not f.ok]
    if used is None:
        found.append(evidence_finding(note))
    return StoreCheck(found, used, note)
