"""Seeded defects: each takes a clean report and returns a copy carrying exactly one compliance defect."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.models import Report


@dataclass(frozen=True)
class Defect:
    name: str
    kind: str  # the finding kind that must report it as blocking
    apply: Callable[[Report], Report]


def _edit(section_id: str, old: str, new: str) -> Callable[[Report], Report]:
    def apply(report: Report) -> Report:
        copy = report.model_copy(deep=True)
        section = copy.section(section_id)
        if section is None or old not in section.markdown:
            raise LookupError(f"defect cannot be seeded: {old!r} not in section {section_id}")
        section.markdown = section.markdown.replace(old, new, 1)
        return copy
    return apply


def _unmark_background(report: Report) -> Report:
    copy = report.model_copy(deep=True)
    refs = [r for r in copy.sources if r.background]
    if not refs:
        raise LookupError("defect cannot be seeded: no background source")
    refs[0].background = False
    return copy


def _cite_injection(report: Report) -> Report:
    copy = _edit("llm_dynamics", "分辨率最高达 1080P[3]", "分辨率最高达 1080P[3][7]")(report)
    ref = copy.sources[0].model_copy(update={"marker": 7, "doc_id": "spam-inject", "title": "行业快讯"})
    copy.sources.append(ref)
    return copy


DEFECTS: list[Defect] = [
    Defect("citation to a non-existent source", "invented_citation",
           _edit("llm_dynamics", "两大核心功能，分辨率最高达 1080P[3]", "两大核心功能，分辨率最高达 1080P[9]")),
    Defect("citation to a real source that does not support the sentence", "unsupported",
           _edit("llm_dynamics", "便宜 60% 以上[2]", "便宜 60% 以上[1]")),
    Defect("changed number in market_review", "table_mismatch",
           _edit("market_review", "月涨跌幅为 0.52%", "月涨跌幅为 1.52%")),
    Defect("changed stock return in market_review", "table_mismatch",
           _edit("market_review", "寒武纪-U 月涨跌幅 32.91%", "寒武纪-U 月涨跌幅 35.91%")),
    Defect("number changed inside a cited sentence", "unsupported",
           _edit("data_policy", "4.65 亿吨", "5.65 亿吨")),
    Defect("removed 免责声明", "missing_disclosure",
           _edit("disclosures", "## 免责声明\n", "")),
    Defect("missing certificate number", "missing_certificate",
           _edit("disclosures", "鲁佩，分析师证书编码：S0130521060001", "鲁佩")),
    Defect("out-of-window source", "out_of_window", _unmark_background),
    Defect("forbidden phrase", "forbidden_wording",
           _edit("investment_advice", "维持“推荐”评级。", "该板块稳赚不赔，维持“推荐”评级。")),
    Defect("uncited figure", "uncited_fact",
           _edit("llm_dynamics", "此前，萝卜快跑", "Mistral Large 2 拥有 1230 亿参数。此前，萝卜快跑")),
    Defect("cited item written as instructions to a model", "instruction_like_cited", _cite_injection),
    Defect("rating in the advice differs from the header", "rating_mismatch",
           _edit("investment_advice", "维持“推荐”评级", "维持“中性”评级")),
]


def _first_market_figure(report: Report) -> tuple[str, str] | None:
    """A "涨跌幅为 X%" figure of market_review and the same text with the figure changed."""
    section = report.section("market_review")
    match = re.search(r"涨跌幅为\s*(-?\d+\.\d+)%", section.markdown) if section else None
    if match is None:
        return None
    changed = f"{float(match.group(1)) + 1.0:.2f}"
    return match.group(0), match.group(0).replace(match.group(1), changed)


def generic_defects(report: Report) -> list[Defect]:
    """Defects that can be seeded into any drafted report, whatever its wording."""
    found: list[Defect] = []
    market = _first_market_figure(report)
    if market is not None:
        found.append(Defect("changed number in market_review", "table_mismatch", _edit("market_review", *market)))
    disclosures = report.section("disclosures")
    text = disclosures.markdown if disclosures else ""
    heading = re.search(r"^#+\s*免责声明\s*$", text, re.MULTILINE)
    if heading:
        found.append(Defect("removed 免责声明", "missing_disclosure",
                            _edit("disclosures", heading.group(0), "")))
    cert = re.search(r"S\d{13}", text)
    if cert:
        found.append(Defect("missing certificate number", "missing_certificate",
                            _edit("disclosures", cert.group(0), "")))
    advice = report.section("investment_advice")
    if advice and "建议关注" in advice.markdown:
        found.append(Defect("forbidden phrase", "forbidden_wording",
                            _edit("investment_advice", "建议关注", "相关个股必涨，建议关注")))
    cited = next((s for s in report.sections if re.search(r"\[\d+\]", s.markdown)), None)
    if cited is not None:
        marker = re.search(r"\[\d+\]", cited.markdown)
        assert marker is not None
        found.append(Defect("citation to a non-existent source", "invented_citation",
                            _edit(cited.id, marker.group(0), "[999]")))
    return found
