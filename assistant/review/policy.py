"""Who may do what, and when a report may be exported. Pure functions: the service calls them on every action."""

from __future__ import annotations

import re

from assistant.errors import PermissionDenied
from assistant.review.views import ExportGate, ReportState, UserView

__all__ = ["PERMISSIONS", "ROLE_LABELS", "STATUS_LABELS", "allowed", "can_export", "cited_markers", "require"]

PERMISSIONS: dict[str, frozenset[str]] = {
    "read": frozenset({"analyst", "editor", "compliance", "admin"}),
    "import": frozenset({"analyst", "admin"}),
    "edit": frozenset({"analyst", "editor", "admin"}),
    "regenerate": frozenset({"analyst", "editor", "admin"}),
    "review": frozenset({"editor", "admin"}),
    "export": frozenset({"analyst", "editor", "admin"}),
    "manage_users": frozenset({"admin"}),
}

ROLE_LABELS = {"analyst": "分析师", "editor": "编辑", "compliance": "合规", "admin": "管理员"}
STATUS_LABELS = {"draft": "草稿", "approved": "已批准", "rejected": "已驳回", "changes_requested": "需修改"}
_ACTION_LABELS = {"read": "查看", "import": "导入报告", "edit": "编辑", "regenerate": "重新生成",
                  "review": "审批", "export": "导出", "manage_users": "管理用户"}
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


def can_export(report: ReportState) -> ExportGate:
    """The single export gate. Today: every section approved. The compliance sign-off check extends this."""
    blockers = [
        f"{s.title or s.section_id}：{STATUS_LABELS.get(s.status, s.status)}（v{s.current_version}）"
        for s in report.sections
        if s.status != "approved"
    ]
    if not report.sections:
        blockers.append("报告没有任何章节")
    return ExportGate(allowed=not blockers, blockers=blockers)
