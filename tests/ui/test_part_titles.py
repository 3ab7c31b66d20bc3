"""Sub-sections （一）/（二） are labelled with their numbered part, as the report prints them."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "ui"))

from ra_ui import part_titles, section_label

from assistant.models import Report, SectionDraft


def test_sub_sections_carry_their_part_until_the_next_top_level_section() -> None:
    titles = [("core", "核心观点", ""), ("market", "一、市场行情回顾", ""),
              ("data", "（一）数据要素", "二、人工智能产业政策动态"), ("llm", "（二）算法端", ""),
              ("tech", "（一）前沿技术动态", "三、前沿行业动态"), ("policy", "（二）前沿政策动态", ""),
              ("advice", "五、投资建议", ""), ("disclosures", "分析师承诺", "")]
    report = Report(month="2024-07", title="月报", engine="offline",
                    sections=[SectionDraft(id=i, title=t, chapter=c) for i, t, c in titles])
    parts = part_titles(report)
    assert parts == {"core": "", "market": "", "data": "二、人工智能产业政策动态", "llm": "二、人工智能产业政策动态",
                     "tech": "三、前沿行业动态", "policy": "三、前沿行业动态", "advice": "", "disclosures": ""}
    assert section_label("（二）算法端", parts["llm"]) == "二、人工智能产业政策动态 › （二）算法端"
