"""Chinese labels for the ids the store and the checks use (origins, decisions, audit actions, finding kinds)."""

from __future__ import annotations

from assistant.review.labels import FINDING_LABELS, kind_label

__all__ = ["ACTION_LABELS", "DECISION_LABELS", "FINDING_LABELS", "INBOX_LABELS", "ORIGIN_LABELS", "action_label",
           "finding_label"]

ORIGIN_LABELS = {"drafted": "起草", "edited": "编辑", "regenerated": "重新生成"}
DECISION_LABELS = {"approve": "批准", "reject": "驳回", "request_changes": "要求修改"}
ACTION_LABELS = {
    "import": "导入报告", "begin_edit": "开始编辑", "release_edit": "释放编辑", "edit": "编辑保存",
    "regenerated": "重新生成", "regenerate": "重新生成", "approve": "批准", "reject": "驳回",
    "request_changes": "要求修改", "export": "导出", "login": "登录", "login_failed": "登录失败",
    "login_locked": "登录锁定", "login_throttled": "登录限速", "session_start": "会话开始", "session_end": "退出登录",
    "suggest": "生成建议", "accept_suggestion": "采纳建议", "reject_suggestion": "拒绝建议", "restore": "恢复旧版本",
    "setting": "修改设置", "user_add": "新增用户", "user_activate": "启用用户", "user_deactivate": "停用用户",
    "run_checks": "运行合规检查", "resolve_finding": "处理合规问题", "send_back": "合规退回", "sign_off": "合规签字",
    "signoff_invalidated": "签字失效",
}
INBOX_LABELS = {"sent_back": "被退回", "to_approve": "待审批", "suggestion": "待处理建议", "unsaved": "未保存的编辑",
                "findings": "待处理合规问题", "signoff_voided": "签字已失效", "job_active": "进行中的任务",
                "job_failed": "失败的任务"}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def finding_label(kind: str) -> str:
    return kind_label(kind)
