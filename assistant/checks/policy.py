"""Report-level rules: required disclosures and analyst certificates, forbidden wording, required hedges,
and the header rating agreeing with the investment advice.
"""

from __future__ import annotations

import re

from assistant.checks.context import CheckContext, finding
from assistant.models import Finding
from assistant.safety import normalise_for_matching

__all__ = ["check_disclosures", "check_hedges", "check_instructions_in_text", "check_rating", "check_wording",
           "report_lines"]

_HEADING_PREFIX = re.compile(r"^[\s#*>\-]*(?:[一二三四五六七八九十]+、|\d+[.、]|[（(][一二三四五六七八九十\d]+[）)])?\s*\**")
_RATING_RE = re.compile(
    r"(维持|给予|上调至|下调至|调整为|首次覆盖，?给予)?\s*[“\"「]?(谨慎推荐|推荐|中性|回避|买入|增持|减持|卖出)[”\"」]?\s*评级"
)


def report_lines(ctx: CheckContext) -> list[str]:
    """Section titles and markdown lines, as a reader sees the whole report."""
    lines: list[str] = []
    for section in ctx.report.sections:
        lines.append(section.title)
        lines.extend(section.markdown.splitlines())
    return lines


def _has_heading(lines: list[str], names: list[str]) -> bool:
    for line in lines:
        stripped = _HEADING_PREFIX.sub("", line).strip()
        if any(stripped.startswith(n) for n in names):
            return True
    return False


def check_disclosures(ctx: CheckContext) -> list[Finding]:
    """Every configured element heads a block, and every analyst's name and certificate number is printed."""
    lines = report_lines(ctx)
    text = "\n".join(lines)
    findings: list[Finding] = []
    for rule in ctx.config.required:
        if not _has_heading(lines, rule.heading):
            findings.append(finding(None, "missing_disclosure", "blocking", f"缺少“{rule.name}”部分",
                                    section="disclosures"))
        elif rule.contains and not any(p in text for p in rule.contains):
            findings.append(finding(None, "incomplete_disclosure", "blocking",
                                    f"“{rule.name}”缺少必备表述（{' / '.join(rule.contains)}）",
                                    section="disclosures"))
    return findings + _check_analysts(ctx, text)


def _analysts(ctx: CheckContext) -> list[dict[str, str]]:
    """The pack's analysts; without a pack, the ones the report carries for its title block."""
    if ctx.pack is not None:
        return [a.model_dump() for a in ctx.pack.config.analysts]
    return [dict(a) for a in getattr(ctx.report, "analysts", [])]


def _check_analysts(ctx: CheckContext, text: str) -> list[Finding]:
    analysts = _analysts(ctx)
    if not analysts:
        if "分析师" in text and re.search(ctx.config.certificate_pattern, text):
            return []
        return [finding(None, "missing_certificate", "blocking",
                        "报告中没有分析师及其证书编码（无数据包或分析师名单，按证书编码格式检查）",
                        section="disclosures")]
    findings: list[Finding] = []
    for analyst in analysts:
        name, cert, role = analyst.get("name", ""), analyst.get("certificate", ""), analyst.get("role", "")
        if name and name not in text:
            findings.append(finding(None, "missing_analyst", "blocking", f"报告中没有分析师 {name}",
                                    section="disclosures"))
        if cert and cert not in text:
            findings.append(finding(None, "missing_certificate", "blocking",
                                    f"分析师 {name} 的证书编码 {cert} 未出现在报告中", section="disclosures"))
        elif not cert and "助理" not in role:
            findings.append(finding(None, "missing_certificate", "blocking",
                                    f"分析师 {name} 没有证书编码", section="disclosures"))
    if not any(a.get("certificate") for a in analysts):
        findings.append(finding(None, "missing_certificate", "blocking", "没有任何一位分析师有证书编码",
                                section="disclosures"))
    return findings


def check_wording(ctx: CheckContext) -> list[Finding]:
    """Configured forbidden expressions anywhere in the report are blocking."""
    findings: list[Finding] = []
    for sentence in ctx.all_sentences():
        plain = normalise_for_matching(sentence.plain)
        hits = [r.phrase for r in ctx.config.forbidden if r.hits_in_plain(plain)]
        # 稳赚 inside 稳赚不赔 is one problem, reported under the longer phrase.
        for phrase in hits:
            if not any(phrase != other and phrase in other for other in hits):
                findings.append(finding(sentence, "forbidden_wording", "blocking", f"禁用表述“{phrase}”"))
    return findings


def check_instructions_in_text(ctx: CheckContext) -> list[Finding]:
    """A sentence of the report itself that addresses a model (an echoed injection) is blocking."""
    regexes = ctx.config.instruction_regexes()
    findings: list[Finding] = []
    for sentence in ctx.all_sentences():
        plain = normalise_for_matching(sentence.text)  # once per sentence, not once per pattern
        if any(p.search(plain) for p in regexes):
            findings.append(finding(sentence, "instruction_in_text", "blocking",
                                    "正文含有针对模型的指令性文字（疑为注入内容被照抄）"))
    return findings


def check_hedges(ctx: CheckContext) -> list[Finding]:
    """Sections with required hedging must use at least one configured expression."""
    findings: list[Finding] = []
    for section_id, phrases in ctx.config.required_hedges.items():
        section = ctx.report.section(section_id)
        if section is None or not section.markdown.strip():
            continue
        if not any(p in section.markdown for p in phrases):
            findings.append(finding(None, "missing_hedge", "warning",
                                    f"缺少审慎表述（应含 {' / '.join(phrases)} 之一）", section=section_id))
    return findings


def check_rating(ctx: CheckContext) -> list[Finding]:
    """The header rating (Report.rating) is the one the investment advice and core views state."""
    rating = ctx.report.rating.strip()
    if not rating:
        return [finding(None, "rating_missing", "warning", "报告头部没有行业评级", section="header")]
    findings: list[Finding] = []
    for section_id in [*ctx.config.advice_sections, "core_views"]:
        for sentence in ctx.sentences.get(section_id, []):
            for m in _RATING_RE.finditer(sentence.plain):
                if m.group(2) != rating:
                    findings.append(finding(sentence, "rating_mismatch", "blocking",
                                            f"正文评级“{m.group(2)}”与报告头部评级“{rating}”不一致"))
    return findings
