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


def _rating_patterns(ctx: CheckContext) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(Chinese, English) patterns of a sentence that states a rating: group ``verb`` (a change or 给予/维持 …)
    and group ``rating``. A bare rating word (我们推荐关注…) is not a rating statement: it needs 评级 beside it or a
    verb that sets a rating (上调到买入)."""
    words = "|".join(re.escape(w) for w in sorted(ctx.config.ratings, key=len, reverse=True)) or "推荐"
    changes = "|".join(re.escape(w) for w in [*ctx.config.rating_up, *ctx.config.rating_down]) or "上调|下调"
    quote_open, quote_close = "[“\"「『‘]?", "[”\"」』’]?"
    zh = re.compile(
        rf"(?:评级[^。；;!！?？\n]{{0,8}}?(?P<verb1>{changes}|调整|改|定|维持|给予|首次覆盖|是)?(?:为|至|到|成)"
        rf"{quote_open}(?P<rating1>{words}){quote_close}"
        rf"|(?P<verb2>{changes})(?:为|至|到|成){quote_open}(?P<rating2>{words}){quote_close}"
        rf"|(?P<verb3>{changes}|维持|给予|首次覆盖|调整为|上调至|下调至)?[^。；;!！?？\n]{{0,16}}?"
        rf"{quote_open}(?P<rating3>{words}){quote_close}(?:的)?(?:投资|行业|公司)?评级)")
    en_words = "|".join(re.escape(w) for w in sorted(ctx.config.ratings_en, key=len, reverse=True)) or "buy"
    en = re.compile(
        rf"\b(?P<verb>upgrade[sd]?|downgrade[sd]?|raise[sd]?|cut|cuts|lower(?:s|ed)?|initiate[sd]?|"
        rf"maintain(?:s|ed)?|reiterate[sd]?|rate[sd]?|rating)\b[^.;!?\n]{{0,40}}?"
        rf"(?:\bto\b|\bat\b|\bas\b|\bwith\b|\bof\b|:|\ba\b)\s*[\"'“‘]?(?P<rating>{en_words})\b"
        rf"|[\"'“‘]?\b(?P<rating_b>{en_words})[\"'”’]?\s+(?:rating|recommendation)\b",
        re.IGNORECASE)
    return zh, en


def _direction(ctx: CheckContext, verb: str) -> str:
    if any(v in verb for v in ctx.config.rating_up) or verb.lower().startswith(("upgrade", "raise")):
        return "up"
    if any(v in verb for v in ctx.config.rating_down) or verb.lower().startswith(("downgrade", "cut", "lower")):
        return "down"
    return ""


def _stated_ratings(ctx: CheckContext, text: str) -> list[tuple[str, str, str]]:
    """(rating as written, the Chinese rating it means, direction of a stated change) for each statement."""
    zh, en = _rating_patterns(ctx)
    found: list[tuple[str, str, str]] = []
    for m in zh.finditer(text):
        rating = m.group("rating1") or m.group("rating2") or m.group("rating3")
        verb = m.group("verb1") or m.group("verb2") or m.group("verb3") or ""
        found.append((rating, rating, _direction(ctx, verb)))
    for m in en.finditer(text):
        word = m.group("rating") or m.group("rating_b")
        found.append((word, ctx.config.ratings_en.get(word.lower(), word), _direction(ctx, m.group("verb") or "")))
    return found


def check_rating(ctx: CheckContext) -> list[Finding]:
    """The rating comes from the pack alone: any sentence in any section that states another rating, or a rating
    change the pack's ``rating_action`` does not state, is blocking, cited or not (an obeyed injection such as
    “评级上调为买入” reads exactly like that). Without a pack, the report header's rating is the reference."""
    pack_rating = ctx.pack.config.rating.strip() if ctx.pack is not None else ""
    rating = pack_rating or ctx.report.rating.strip()
    action = ctx.pack.config.rating_action if ctx.pack is not None else ctx.report.rating_action
    if not rating:
        return [finding(None, "rating_missing", "warning", "报告头部没有行业评级", section="header")]
    findings: list[Finding] = []
    if pack_rating and ctx.report.rating.strip() and ctx.report.rating.strip() != pack_rating:
        findings.append(finding(None, "rating_mismatch", "blocking",
                                f"报告头部评级“{ctx.report.rating.strip()}”与数据包评级“{pack_rating}”不一致",
                                section="header"))
    allowed = _direction(ctx, action or "")
    for sentence in ctx.all_sentences():
        plain = normalise_for_matching(sentence.plain)
        for written, meant, direction in _stated_ratings(ctx, plain):
            if meant != rating:
                findings.append(finding(sentence, "rating_mismatch", "blocking",
                                        f"正文评级“{written}”与数据包评级“{rating}”不一致：评级只能来自数据包"))
            elif direction and direction != allowed:
                change = "上调" if direction == "up" else "下调"
                findings.append(finding(sentence, "rating_change_mismatch", "blocking",
                                        f"正文称评级{change}，而数据包的评级动作为“{action or '未填写'}”"))
    return findings
