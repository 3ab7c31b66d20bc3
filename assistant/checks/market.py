"""Market figures: every number next to an index, stock, board or metric must equal the computed value.

A figure is tied to the nearest subject before it in the sentence (or after it in the same clause), and only
judged when its clause speaks of a market metric, so that ``百度 … 82.6万单`` is left to the source check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.checks.context import CheckContext, finding
from assistant.checks.text import Figure, Sentence, extract_figures, normalise
from assistant.models import Finding, Table

__all__ = [
    "Association",
    "Subject",
    "associate",
    "build_subjects",
    "check_core_views_in_body",
    "check_cross_section",
    "check_tables",
    "table_values",
]

_NUMBER_CELL = re.compile(r"^[-+]?\d[\d,]*(?:\.\d+)?%?$")
_BOUNDARY = "，,；;。:：（）()"
_MARKET_CUES = ("涨跌", "涨幅", "跌幅", "上涨", "下跌", "收盘", "市值", "市盈率", "市销率", "PE", "PS", "估值",
                "回报", "收益率", "成分股", "复合增长率", "增速", "净值", "规模", "营收", "净利润", "相对")
_NEGATIVE_CUES = ("下跌", "跌幅", "下降", "回落", "减少", "下滑", "跌")
_METRIC_CLASSES = (
    ("ytd_return", ("今年以来", "年初至今", "年内")),
    ("return", ("涨跌幅", "涨幅", "跌幅", "上涨", "下跌", "回报")),
    ("close", ("收盘",)),
    ("market_cap", ("市值",)),
)
_METRIC_FACTS = {
    "复合增长率": ("valuation.revenue_cagr", "valuation.profit_cagr"),
    # the previous year-end PE (tables/derived.py) is the one earlier valuation point the prose may compare with
    "市盈率": ("valuation.pe_ttm", "valuation.pe_year_start"), "PE": ("valuation.pe_ttm", "valuation.pe_year_start"),
    "市销率": ("valuation.ps_ttm",), "PS": ("valuation.ps_ttm",),
    "成分股": ("constituents.count",), "总市值": ("constituents.market_cap",),
}


@dataclass
class Subject:
    label: str
    aliases: list[str]
    values: list[float] = field(default_factory=list)
    metric: bool = False  # a metric keyword rather than a named index, stock or board


@dataclass(frozen=True)
class Association:
    figure: Figure
    subject: Subject | None
    cued: bool  # the clause speaks of a market metric
    matched: bool
    metric_class: str


def _number(cell: str) -> float | None:
    text = normalise(cell).strip().replace(",", "")
    if not _NUMBER_CELL.match(text):
        return None
    return float(text.rstrip("%"))


def table_values(tables: list[Table], facts: dict[str, str]) -> list[float]:
    out = [v for t in tables for row in t.rows for c in row if (v := _number(c)) is not None]
    out += [float(len(t.rows)) for t in tables]  # "28 只主题基金" counts a table's rows
    return out + [v for f in facts.values() if (v := _number(f)) is not None]


def _name_variants(name: str) -> list[str]:
    variants = [name]
    base = re.sub(r"-(U|UW|W|WD|SW)$", "", name)
    if base != name and len(base) >= 2:
        variants.append(base)
    if name.endswith("指数") and len(name) > 4:
        variants.append(name[:-2] + "板块指数")
    return variants


def _merge(subjects: dict[str, Subject], label: str, aliases: list[str], values: list[float],
           metric: bool = False) -> None:
    subject = subjects.setdefault(label, Subject(label, [], [], metric))
    subject.aliases.extend(a for a in aliases if a and a not in subject.aliases)
    subject.values.extend(values)


def _fact_values(facts: dict[str, str], keys: list[str]) -> list[float]:
    return [v for k in keys if (v := _number(facts.get(k, ""))) is not None]


def build_subjects(tables: list[Table], facts: dict[str, str]) -> list[Subject]:
    """Named rows of the tables, the indices and boards of the facts, and metric keywords."""
    subjects: dict[str, Subject] = {}
    for table in tables:
        for row in table.rows:
            names = [c.strip() for c in row[:2] if c.strip() and _number(c) is None]
            if not names:
                continue
            values = [v for c in row if (v := _number(c)) is not None]
            aliases = [v for n in names for v in _name_variants(n)]
            _merge(subjects, names[-1], aliases, values)
    theme_extra = [k for k in facts if k.startswith(("constituents.", "valuation."))]
    for prefix in sorted({k.rsplit(".", 1)[0] for k in facts if k.endswith(".name")}):
        name = facts.get(f"{prefix}.name", "")
        keys = [f"{prefix}.close", f"{prefix}.return"] + (theme_extra if prefix == "theme_index" else [])
        aliases = [*_name_variants(name), facts.get(f"{prefix}.code", "")]
        _merge(subjects, name, aliases, _fact_values(facts, keys))
    for key in facts:
        if key.startswith("constituents.board."):
            board = key.rsplit(".", 1)[1]
            _merge(subjects, board, [board], _fact_values(facts, [key]))
    for word, fact_keys in _METRIC_FACTS.items():
        values = _fact_values(facts, list(fact_keys))
        if values:
            _merge(subjects, word, [word], values, metric=True)
    return list(subjects.values())


def _occurrences(text: str, subjects: list[Subject]) -> list[tuple[int, int, Subject]]:
    pairs = sorted(((a, s) for s in subjects for a in s.aliases), key=lambda p: -len(p[0]))
    taken: list[tuple[int, int, Subject]] = []
    for alias, subject in pairs:
        for m in re.finditer(re.escape(alias), text):
            if not any(m.start() < e and s < m.end() for s, e, _ in taken):
                taken.append((m.start(), m.end(), subject))
    return sorted(taken, key=lambda t: t[0])


def _clause(text: str, start: int, end: int) -> str:
    left = max((text.rfind(ch, 0, start) for ch in _BOUNDARY), default=-1)
    rights = [i for ch in _BOUNDARY if (i := text.find(ch, end)) >= 0]
    return text[left + 1:min(rights) if rights else len(text)]


def _pick_subject(fig: Figure, occ: list[tuple[int, int, Subject]]) -> Subject | None:
    # Only subjects before the figure: Chinese prose names the index or stock first, then its value;
    # "28 只基金中…东方人工智能主题 A" must not tie the count to the fund after it.
    for metric in (False, True):
        before = [o for o in occ if o[1] <= fig.start and o[2].metric is metric]
        if before:
            return before[-1][2]
    return None


def _signed(text: str, fig: Figure) -> float:
    window = text[max(0, fig.start - 4):fig.start]
    if fig.raw > 0 and any(cue in window for cue in _NEGATIVE_CUES):
        return -fig.raw
    return fig.raw


def _metric_class(clause: str) -> str:
    return next((name for name, cues in _METRIC_CLASSES if any(c in clause for c in cues)), "")


def associate(sentence: Sentence, subjects: list[Subject]) -> list[Association]:
    text = normalise(sentence.plain)
    occ = _occurrences(text, subjects)
    figures = extract_figures(text, mask=[(s, e) for s, e, _ in occ])
    out: list[Association] = []
    for fig in figures:
        subject = _pick_subject(fig, occ)
        clause = _clause(text, fig.start, fig.end)
        between = text[occ[0][1]:fig.start] if occ else ""
        cued = any(c in clause or c in between[-12:] for c in _MARKET_CUES)
        signed = _signed(text, fig)
        matched = subject is not None and any(fig.matches(v, raw=True) or
                                              abs(signed - v) <= 0.5 * 10 ** -fig.decimals + 1e-9
                                              for v in subject.values)
        out.append(Association(fig, subject, cued, matched, _metric_class(clause)))
    return out


def check_tables(ctx: CheckContext, subjects: list[Subject]) -> list[Finding]:
    """Figures next to a market subject in the market sections must equal the computed tables and facts. Only
    uncited figures: a sentence that cites a corpus item speaks of that item's figures, which
    ``support.check_support`` judges against the item ("英伟达 … 300 亿美元[3]" is not a market cell)."""
    findings: list[Finding] = []
    for section in ctx.config.market_sections:
        for sentence in ctx.sentences.get(section, []):
            if sentence.markers or sentence.kind == "table_header":
                continue
            for a in associate(sentence, subjects):
                if a.subject is None or a.matched or not (a.cued or sentence.kind == "table_row"):
                    continue
                shown = "、".join(f"{v:g}" for v in a.subject.values[:12])
                findings.append(finding(sentence, "table_mismatch", "blocking",
                                        f"{a.subject.label} 的数值 {a.figure.text} 与计算结果不符（计算值：{shown}）"))
    return findings


def check_cross_section(ctx: CheckContext, subjects: list[Subject]) -> list[Finding]:
    """The same metric of the same index or stock carries one value in every section (the figures the report
    states itself; a cited news figure is the source's and is judged against it)."""
    seen: dict[tuple[str, str], tuple[str, Association]] = {}
    findings: list[Finding] = []
    for sentence in ctx.all_sentences():
        if sentence.section in ctx.config.exempt_sections or sentence.markers:
            continue
        for a in associate(sentence, subjects):
            if a.subject is None or a.subject.metric or not a.metric_class:
                continue
            key = (a.subject.label, a.metric_class)
            first = seen.setdefault(key, (sentence.section, a))
            other_section, other = first
            if other_section != sentence.section and not a.figure.matches(other.figure.raw, raw=True) \
                    and not other.figure.matches(a.figure.raw, raw=True):
                findings.append(finding(sentence, "cross_section_mismatch", "blocking",
                                        f"{a.subject.label} 的 {a.metric_class} 在 {other_section} 中为 "
                                        f"{other.figure.text}，此处为 {a.figure.text}"))
    return findings


def check_core_views_in_body(ctx: CheckContext, subjects: list[Subject],
                             core_section: str = "core_views") -> list[Finding]:
    """Every figure of 核心观点 also appears in the body or in the computed tables."""
    body: list[float] = table_values(ctx.tables, ctx.facts)
    for sentence in ctx.all_sentences():
        if sentence.section != core_section:
            body.extend(abs(f.value) for f in extract_figures(sentence.plain))
    findings: list[Finding] = []
    for sentence in ctx.sentences.get(core_section, []):
        for fig in (a.figure for a in associate(sentence, subjects)):
            if not any(fig.matches(v) or fig.matches(-v) or fig.matches(v, raw=True) for v in body):
                findings.append(finding(sentence, "core_view_not_in_body", "warning",
                                        f"核心观点中的数字 {fig.text} 在正文和计算表格中均未出现"))
    return findings
