"""Chinese labels for the ids the store and the checks use (origins, decisions, audit actions, finding kinds)."""

from __future__ import annotations

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
FINDING_LABELS = {
    "uncited_fact": "事实无引用", "invented_citation": "引用编号不存在", "unknown_source": "来源未知",
    "citation_mismatch": "引用与原文不符", "weak_support": "原文支撑不足", "not_retrieved": "来源未被检索",
    "out_of_window": "超出报告月份", "unused_source": "来源未被引用", "forbidden_wording": "违规措辞",
    "investment_advice": "投资建议措辞", "missing_hedge": "缺少风险提示措辞", "missing_disclosure": "缺少披露",
    "incomplete_disclosure": "披露不完整", "missing_analyst": "缺少分析师信息", "missing_certificate": "缺少执业证书号",
    "rating_missing": "缺少评级", "rating_mismatch": "评级不一致", "table_mismatch": "与计算表格不符",
    "cross_section_mismatch": "章节间数据不一致", "core_view_not_in_body": "核心观点在正文中无依据",
    "section_failed": "章节起草失败", "instruction_like": "疑似指令注入", "instruction_like_cited": "引用了疑似指令文本",
    "instruction_like_in_corpus": "语料含疑似指令", "blocked_publisher": "来源发布方被禁用",
    "unlisted_publisher": "来源发布方不在名单", "source_metadata_mismatch": "来源信息不一致",
    "view_awaiting_analyst": "观点待分析师补充", "empty_section": "必需章节为空或缺少必备内容",
}
INBOX_LABELS = {"sent_back": "被退回", "to_approve": "待审批", "suggestion": "待处理建议", "unsaved": "未保存的编辑",
                "findings": "待处理合规问题", "signoff_voided": "签字已失效"}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def finding_label(kind: str) -> str:
    """``answer_check:<rule>`` kinds keep their rule name after a Chinese prefix."""
    if kind.startswith("answer_check:"):
        return f"答案检查：{kind.split(':', 1)[1]}"
    return FINDING_LABELS.get(kind, kind)
