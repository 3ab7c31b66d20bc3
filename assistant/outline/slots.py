"""The visible marks an opinion slot leaves in a draft: drafting prints them, the checks hold them back.

Opinions are the analyst's. Where none was given, the offline engine prints a slot and a model's proposal is
prefixed with ``MODEL_MARK``; either stays a blocking finding until an editor replaces it with the analyst's text.
"""

from __future__ import annotations

import re

__all__ = ["ADVICE_SLOT", "MODEL_MARK", "SLOT_PATTERN", "STOCK_SLOT", "VIEW_SLOT"]

VIEW_SLOT = "【待分析师补充观点】"
MODEL_MARK = "【模型草拟，待分析师确认】"
STOCK_SLOT = "【待分析师补充标的】"
ADVICE_SLOT = "【待分析师确认投资方向】"
SLOT_PATTERN = re.compile(r"【(?:待分析师[^】]{0,12}|模型草拟，待分析师确认)】")
