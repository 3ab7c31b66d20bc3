"""Claims against their sources: every figure, date and name of a cited sentence appears in the cited item,
and factual sentences without a citation are caught.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.checks.context import CheckContext, finding
from assistant.checks.market import Subject, associate, table_values
from assistant.checks.text import (
    DateMention,
    Figure,
    Sentence,
    compact,
    extract_dates,
    extract_figures,
    extract_latin_entities,
    extract_org_names,
    split_plain,
)
from assistant.models import Finding, NewsItem

__all__ = ["SentenceFacts", "check_support", "check_uncited", "closest_passage", "sentence_facts"]

_CJK_OR_ALNUM = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


@dataclass(frozen=True)
class SentenceFacts:
    figures: list[Figure]
    dates: list[DateMention]
    names: list[str]


@dataclass(frozen=True)
class _Source:
    compact: str
    figures: tuple[Figure, ...]
    dates: tuple[DateMention, ...]
    passages: tuple[str, ...]
    bigrams: frozenset[str]


def _bigrams(text: str) -> set[str]:
    chars = _CJK_OR_ALNUM.findall(text.lower())
    return {a + b for a, b in itertools.pairwise(chars)}


@lru_cache(maxsize=4096)
def _source(title: str, body: str) -> _Source:
    text = f"{title}\n{body}"
    return _Source(compact(text), tuple(extract_figures(text)), tuple(extract_dates(text)),
                   tuple(split_plain(text)), frozenset(_bigrams(text)))


def _item_source(item: NewsItem) -> _Source:
    # an item's figure captions and structured fields (a funding record's investors, contract section 2) are
    # its own text too: a drafted figure slot or funding row cites them
    return _source(item.title, "\n".join([item.body, *item.images, *item.fields.values()]))


def sentence_facts(sentence: Sentence, stoplist: frozenset[str], companies: list[str]) -> SentenceFacts:
    text = sentence.plain
    latin = extract_latin_entities(text, stoplist)
    spans = [(m.start(), m.end()) for n in latin for m in re.finditer(re.escape(n), text)]
    names = latin + extract_org_names(text) + [c for c in companies if c in text]
    return SentenceFacts(extract_figures(text, mask=spans), extract_dates(text), list(dict.fromkeys(names)))


def _figure_supported(fig: Figure, sources: list[_Source], items: list[NewsItem]) -> bool:
    for src in sources:
        # The sign is often carried by a word (下降 3.02%) rather than by a minus.
        if any(s.percent == fig.percent and (fig.matches(s.value) or fig.matches(-s.value)) for s in src.figures):
            return True
        if fig.decimals == 0 and any(fig.value == d.year for d in src.dates if d.year):
            return True
    if fig.decimals in (1, 2) and 0 < fig.raw < 13 and not fig.percent:
        month, day = str(fig.raw).split(".")
        probe = DateMention(None, int(month), int(day.ljust(fig.decimals, "0")), 0, 0)
        return _date_supported(probe, sources, items)
    return False


def _date_supported(date: DateMention, sources: list[_Source], items: list[NewsItem]) -> bool:
    candidates: list[tuple[int | None, int | None, int | None]] = [
        (i.date.year, i.date.month, i.date.day) for i in items]
    candidates += [(d.year, d.month, d.day) for s in sources for d in s.dates]
    for year, month, day in candidates:
        if date.year is not None and year is not None and date.year != year:
            continue
        if date.month is not None and month is not None and date.month != month:
            continue
        if date.day is not None and date.day != day:
            continue
        if date.month is not None and month is None:
            continue
        return True
    return False


def _name_supported(name: str, sources: list[_Source]) -> bool:
    key = compact(name)
    probes = [key] + ([key[1:], key[2:]] if len(key) >= 6 else [])
    return any(p in src.compact for src in sources for p in probes)


def closest_passage(sentence: str, item: NewsItem, limit: int = 220) -> str:
    """The source sentence sharing the most character bigrams with ``sentence``."""
    mine = _bigrams(sentence)
    best, best_score = "", -1.0
    for passage in _item_source(item).passages:
        score = len(mine & _bigrams(passage)) / (len(mine) or 1)
        if score > best_score:
            best, best_score = passage, score
    return best[:limit]


def _unsupported(facts: SentenceFacts, sources: list[_Source], items: list[NewsItem]) -> list[str]:
    missing = [f.text for f in facts.figures if not _figure_supported(f, sources, items)]
    missing += [d.text for d in facts.dates if not _date_supported(d, sources, items)]
    missing += [n for n in facts.names if not _name_supported(n, sources)]
    return missing


def check_support(ctx: CheckContext) -> list[Finding]:
    """Cited sentences: figures, dates and names must appear in a cited item; low overlap is a warning."""
    stop, companies = ctx.config.stopwords(), ctx.company_names()
    findings: list[Finding] = []
    for sentence in ctx.all_sentences():
        items = ctx.cited_items(sentence)
        if not items or sentence.section in ctx.config.exempt_sections:
            continue
        sources = [_item_source(i) for i in items]
        evidence = closest_passage(sentence.plain, items[0])
        missing = _unsupported(sentence_facts(sentence, stop, companies), sources, items)
        if missing:
            findings.append(finding(sentence, "unsupported", "blocking",
                                    "引用来源中找不到：" + "、".join(missing), evidence=evidence,
                                    marker=sentence.markers[0]))
            continue
        mine = _bigrams(sentence.plain)
        overlap = max(len(mine & s.bigrams) / (len(mine) or 1) for s in sources)
        if mine and overlap < ctx.config.min_overlap:
            findings.append(finding(sentence, "weak_support", "warning",
                                    f"与引用来源的文字重合度仅 {overlap:.0%}", evidence=evidence,
                                    marker=sentence.markers[0]))
    return findings


def _is_factual(facts: SentenceFacts, ctx: CheckContext) -> bool:
    start = ctx.window[0]
    dates = [d for d in facts.dates
             if d.day is not None or (d.month is not None and d.month != start.month)
             or (d.year is not None and d.month is None and d.year != start.year)]
    return bool(facts.figures or dates or facts.names)


def _backed_by_tables(sentence: Sentence, subjects: list[Subject], values: list[float],
                      facts: SentenceFacts, companies: list[str]) -> bool:
    assoc = associate(sentence, subjects)
    for a in assoc:
        if not (a.matched or any(a.figure.matches(v, raw=True) for v in values)):
            return False
    known = {s for subj in subjects for s in subj.aliases} | set(companies)
    return all(n in known for n in facts.names)


def check_uncited(ctx: CheckContext, subjects: list[Subject]) -> list[Finding]:
    """A figure, a dated event or a named company without [n]: blocking in news sections, else a warning."""
    stop, companies = ctx.config.stopwords(), ctx.company_names()
    values = table_values(ctx.tables, ctx.facts)
    findings: list[Finding] = []
    for sentence in ctx.all_sentences():
        if sentence.markers or sentence.kind in ("heading", "table_header", "source_line") \
                or sentence.section in ctx.config.exempt_sections:
            continue
        facts = sentence_facts(sentence, stop, companies)
        if not _is_factual(facts, ctx):
            continue
        news = sentence.section in ctx.config.news_sections
        if not news and _backed_by_tables(sentence, subjects, values, facts, companies):
            continue
        if sentence.section in ctx.config.advice_sections and not facts.figures and not facts.dates:
            continue  # a list of names to watch is an opinion, not a claim
        what = "、".join([f.text for f in facts.figures] + [d.text for d in facts.dates] + facts.names)
        findings.append(finding(sentence, "uncited_fact", "blocking" if news else "warning",
                                f"含事实（{what[:80]}）但没有引用或计算表格支撑"))
    return findings
