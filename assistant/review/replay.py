"""Review state recomputed from the keyed audit log, for ``verify``.

A row of ``sections`` or ``findings`` says what the state is; the audit log says how it got there. Whoever can
write the tables but not seal audit entries (no key) can set ``sections.status = 'approved'`` or delete an open
finding, but cannot add the entries that would explain it. Here only sealed entries count:

- a section's status and current version must be what its last version entry (edit, regenerate, restore, …: a new
  version, status draft) or decision entry (approve / reject / request_changes / send_back, on that version) says;
- every finding a report's last check run opened (``run_checks`` ``finding_ids``) must still exist, and a resolved
  one must have a sealed ``resolve_finding`` entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.review.audit import legacy_hash, sealed, session_key
from assistant.review.db import AuditLog, FindingRow, Section

__all__ = ["DECISION_STATES", "StateProblem", "check_state"]

DECISION_STATES = {"approve": "approved", "reject": "rejected", "request_changes": "changes_requested",
                   "send_back": "changes_requested"}


@dataclass(frozen=True)
class StateProblem:
    object_type: str  # "section" | "finding"
    object_id: int
    problem: str  # Chinese, for verify's output


def _expected_sections(entries: list[AuditLog]) -> dict[int, tuple[str, int]]:
    """(status, current version) per section pk as the sealed entries tell it, in log order."""
    state: dict[int, tuple[str, int]] = {}
    for entry in entries:
        if entry.object_type != "section" or not entry.object_id.isdigit():
            continue
        pk = int(entry.object_id)
        if entry.action in DECISION_STATES and entry.after_version is not None:
            state[pk] = (DECISION_STATES[entry.action], entry.after_version)
        elif (entry.before_version is not None and entry.after_version is not None
              and entry.after_version == entry.before_version + 1):
            state[pk] = ("draft", entry.after_version)
    return state


def _section_problems(session: Session, entries: list[AuditLog]) -> list[StateProblem]:
    expected = _expected_sections(entries)
    problems: list[StateProblem] = []
    for section in session.scalars(select(Section).order_by(Section.id)):
        status, version = expected.get(section.id, ("draft", 1))  # imported: v1, draft
        if (section.status, section.current_version) != (status, version):
            problems.append(StateProblem("section", section.id, (
                f"报告 {section.report_id} 章节 {section.section_id}：库中为 {section.status}/v{section.current_version}，"
                f"审计日志推算应为 {status}/v{version}（状态被绕过服务直接改写）")))
    return problems


def _finding_problems(session: Session, entries: list[AuditLog]) -> list[StateProblem]:
    last_run: dict[str, list[int]] = {}
    resolved: set[int] = set()
    for entry in entries:
        detail = entry.detail if isinstance(entry.detail, dict) else {}
        if entry.action == "run_checks" and isinstance(detail.get("finding_ids"), list):
            last_run[entry.object_id] = [int(i) for i in detail["finding_ids"]]
        if entry.action == "run_checks" and isinstance(detail.get("closed_as_fixed"), list):
            resolved.update(int(i) for i in detail["closed_as_fixed"])  # closed by a sealed re-check, not a person
        elif entry.action == "resolve_finding" and entry.object_id.isdigit():
            resolved.add(int(entry.object_id))
    wanted = sorted({i for ids in last_run.values() for i in ids})
    rows = {r.id: r for r in session.scalars(select(FindingRow).where(FindingRow.id.in_(wanted)))} if wanted else {}
    problems: list[StateProblem] = []
    for report_id, ids in sorted(last_run.items()):
        for finding_id in ids:
            row = rows.get(finding_id)
            if row is None:
                problems.append(StateProblem("finding", finding_id,
                                             f"报告 {report_id} 最近一次检查发现的问题 #{finding_id} 已不在库中（被直接删除）"))
            elif row.status == "resolved" and finding_id not in resolved:
                problems.append(StateProblem("finding", finding_id,
                                             f"报告 {report_id} 的问题 #{finding_id} 标为已处理，但没有合规处理的审计记录"))
    return problems


def _legacy(entry: AuditLog) -> bool:
    """A row sealed before 0007 (unkeyed): counted when its own seal holds; ``verify_chain`` reports one that
    appears after the keyed chain began."""
    return (entry.key_id is None and entry.row_hash is not None and entry.prev_hash is not None
            and legacy_hash(entry.prev_hash, entry) == entry.row_hash)


def check_state(session: Session) -> list[StateProblem]:
    """Sections and findings whose stored state the sealed audit log does not explain."""
    key = session_key(session)
    entries = [e for e in session.scalars(select(AuditLog).order_by(AuditLog.id)) if sealed(e, key) or _legacy(e)]
    return _section_problems(session, entries) + _finding_problems(session, entries)
