"""Who may do what, and when a report may be exported. Pure functions: the service calls them on every action."""

from __future__ import annotations

import re

from assistant.errors import PermissionDenied
from assistant.review.views import ExportGate, ReportState, SectionView, UserView

__all__ = ["PERMISSIONS", "REPORT_PARTS", "ROLE_LABELS", "SEVERITY_LABELS", "STATUS_LABELS", "allowed", "can_export",
           "can_sign_off", "cited_markers", "require"]

PERMISSIONS: dict[str, frozenset[str]] = {
    "read": frozenset({"analyst", "editor", "compliance", "admin"}),
    "import": frozenset({"analyst", "admin"}),
    "edit": frozenset({"analyst", "editor", "admin"}),
    "regenerate": frozenset({"analyst", "editor", "admin"}),
    "review": frozenset({"editor", "admin"}),
    "export": frozenset({"analyst", "editor", "admin"}),
    "manage_users": frozenset({"admin"}),
    # Compliance judgements are compliance's alone: an admin can also edit and approve, and letting the same
    # account sign off would let one person push a report through every gate (segregation of duties).
    "resolve": frozenset({"compliance"}),
    "send_back": frozenset({"compliance"}),
    "sign_off": frozenset({"compliance"}),
    # Re-running the checks only recomputes machine findings, so an admin may do it too.
    "run_checks": frozenset({"compliance", "admin"}),
}

ROLE_LABELS = {"analyst": "分析师", "editor": "编辑", "compliance": "合规", "admin": "管理员"}
STATUS_LABELS = {"draft": "草稿", "approved": "已批准", "rejected": "已驳回", "changes_requested": "需修改"}
SEVERITY_LABELS = {"blocking": "阻断", "warning": "警告", "info": "提示"}
# Findings on parts of the report that are not review sections (the checks use these ids).
REPORT_PARTS = {"header": "报告头部", "disclosures": "信息披露", "sources": "参考来源", "corpus": "新闻语料"}
_ACTION_LABELS = {"read": "查看", "import": "导入报告", "edit": "编辑", "regenerate": "重新生成",
                  "review": "审批", "export": "导出", "manage_users": "管理用户", "resolve": "处理合规问题",
                  "send_back": "退回章节", "sign_off": "合规签字", "run_checks": "运行合规检查"}
_MARKER = re.compile(r"\[(\d{1,4})\]")


def allowed(user: UserView, action: str) -> bool:
    return user.active and user.role in PERMISSIONS[action]


def require(user: UserView, action: str) -> None:
    """Raise PermissionDenied unless the user's role allows ``action``."""
    if not user.active:
        raise PermissionDenied(f"用户 {user.name} 已停用")
    if user.role not in PERMISSIONS[action]:
        role = ROLE_LABELS.get(user.role, user.role)
        raise PermissionDenied(f"{role} {user.name} 无权{_ACTION_LABELS.get(action, action)}")


def cited_markers(markdown: str) -> list[int]:
    """The ``[n]`` markers of a text, in order of first appearance."""
    seen: dict[int, None] = {}
    for match in _MARKER.finditer(markdown):
        seen.setdefault(int(match.group(1)), None)
    return list(seen)


def _unapproved(sections: list[SectionView]) -> list[str]:
    blockers = [
        f"{s.title or s.section_id}：{STATUS_LABELS.get(s.status, s.status)}（v{s.current_version}）"
        for s in sections
        if s.status != "approved"
    ]
    if not sections:
        blockers.append("报告没有任何章节")
    return blockers


def can_export(report: ReportState) -> ExportGate:
    """The single export gate: every section approved AND a valid compliance sign-off.

    ``signed_off_by`` is cleared by the database whenever a section gets a new version after the sign-off
    (migration 0002), so a set value always means the signed versions are the current ones.
    """
    blockers = _unapproved(report.sections)
    if report.signed_off_by is None:
        blockers.append("合规尚未签字（签字后若有章节产生新版本，签字自动失效）")
    return ExportGate(allowed=not blockers, blockers=blockers)


def can_sign_off(sections: list[SectionView], open_blocking: dict[str, int],
                 checked_versions: dict[str, int]) -> ExportGate:
    """Whether compliance may sign off now: every section approved, no open blocking finding, and the checks
    ran on the current version of every section (an edit after the last check may hide a new problem).

    ``open_blocking`` counts open blocking findings per section id; ``checked_versions`` is the version of
    each section the last check run saw.
    """
    blockers = _unapproved(sections)
    titles = {**REPORT_PARTS, **{s.section_id: s.title or s.section_id for s in sections}}
    order = [s.section_id for s in sections] + sorted(set(open_blocking) - {s.section_id for s in sections})
    blockers += [f"{titles.get(sid, sid)}：{open_blocking[sid]} 个阻断问题未处理"
                 for sid in order if open_blocking.get(sid)]
    blockers += [
        f"{s.title or s.section_id}：v{s.current_version} 尚未检查（上次检查 v{checked_versions.get(s.section_id, 0)}），"
        "请重新运行检查"
        for s in sections
        if checked_versions.get(s.section_id) != s.current_version
    ]
    return ExportGate(allowed=not blockers, blockers=blockers)
