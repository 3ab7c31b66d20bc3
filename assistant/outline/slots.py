"""The visible marks an opinion slot leaves in a draft: drafting prints them, the checks hold them back.

Opinions are the analyst's. Where none was given, the offline engine prints a slot and a model's proposal is
prefixed with ``MODEL_MARK``; either stays a blocking finding until an editor replaces it with the analyst's text.
"""

from __future__ import annotations

import re

__all__ = ["ADVICE_SLOT", "EVIDENCE_SLOT", "MODEL_MARK", "PENDING_PATTERN", "RISK_SLOT", "SLOT_PATTERN", "STOCK_SLOT", "VIEW_SLOT"]

VIEW_SLOT = "【待分析师补充观点】"
MODEL_MARK = "【模型草拟，待分析师确认】"
STOCK_SLOT = "【待分析师补充标的】"
ADVICE_SLOT = "【待分析师确认投资方向】"
RISK_SLOT = "【待分析师补充风险提示】"
# the names a view relies on that no item of the month supports: "【待分析师补充证据：Llama 3.1、H100】"
EVIDENCE_SLOT = "【待分析师补充证据：{names}】"
SLOT_PATTERN = re.compile(r"【(?:待分析师[^】]{0,80}|模型草拟，待分析师确认)】")
# a fact the pack must supply and did not (disclosures: "【待补：持牌法人名称（pack.yaml legal_entity）】")
PENDING_PATTERN = re.compile(r"【待补：[^】]{1,80}】")
