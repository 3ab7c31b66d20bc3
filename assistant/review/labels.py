"""Chinese names of the finding kinds the checks emit (shown to editors and compliance instead of rule ids)."""

from __future__ import annotations

__all__ = ["FINDING_LABELS", "kind_label"]

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
    "disclosure_incomplete": "披露信息待补（pack.yaml）", "thesis_name_unsupported": "观点所依名称缺少本月证据",
    "funding_cell_missing": "融资表单元格待补", "cited_figure_unsupported": "引用数字与来源不符",
    "unsupported": "引用原文中找不到", "unsupported_fact": "改动的事实与引用原文不符", "instruction_in_text": "正文含疑似指令",
    "uncited_model_judgement": "模型判断无引用", "uncitable_source": "引用了不可引用的来源", "source_pending": "来源待补",
}


def kind_label(kind: str) -> str:
    """Chinese only: ``answer_check:<rule>`` kinds and kinds without a label get a generic Chinese name (the rule
    id stays in the finding's record, not on the page)."""
    if kind.startswith("answer_check:"):
        return "模型答案检查问题"
    return FINDING_LABELS.get(kind, "其他检查问题")
