"""Facts a sentence states that its cited passage does not: numbers, quantities in words, dates, names, negations.

``unsupported_facts(sentence, passage)`` is pure and cheap: it is run on every cited sentence an edit changed
(``fact_findings``), so an editor who turns "一半[27]" into "三分之一[27]" gets a finding that quotes passage 27.

How each kind of fact counts as supported:
- numbers (with 万/亿 scales and %): the same value appears in the passage (``1.2万亿`` = ``12000亿``);
- quantities in words (一半, 三分之一, 翻倍, 双倍 ...): the same word, or the same value as a number or percentage;
- dates (2024年7月5日, 7月5日, 2024-07-05, 2024年7月): the passage has a date agreeing on every part the sentence names;
- names (Latin-script names such as ``GPT-4o``, and Chinese person/place/organisation names): present in the passage;
- negations (不/未/没有/无/非 + the word negated): the passage negates the same word; and the other way round, a
  word the passage negates that the sentence states without its negation.
Generic Latin words and words that only look negated (不断, 未来, 无论 ...) live in ``facts.yaml``.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

from assistant.checks.text import (
    DateMention,
    Figure,
    compact,
    extract_dates,
    extract_figures,
    extract_latin_entities,
    extract_org_names,
    normalise,
    split_sentences,
    strip_markup,
)
from assistant.models import Finding, NewsItem, Report

__all__ = ["fact_findings", "unsupported_facts"]

_MARKER = re.compile(r"\[\d{1,4}\]")
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_FRACTION = re.compile(r"([二三四五六七八九十])分之([一二三四五六七八九])")
_NEGATION = re.compile(r"(没有|并未|尚未|并非|不|未|没|无|非)([\u4e00-\u9fff]{2})")
_NAME_TAGS = {"nr", "nrt", "ns", "nt", "nz"}


@cache
def _terms() -> dict[str, tuple[str, ...]]:
    data = yaml.safe_load(Path(__file__).with_name("facts.yaml").read_text(encoding="utf-8"))
    return {k: tuple(str(v) for v in values) for k, values in data.items()}


def _word_quantities(text: str) -> list[tuple[str, float]]:
    """一半 / 三分之一 / 翻倍 ... with the share or multiple they state."""
    words = [(m.group(0), _CN_DIGITS[m.group(2)] / _CN_DIGITS[m.group(1)]) for m in _FRACTION.finditer(text)]
    terms = _terms()
    words += [(w, 0.5) for w in terms["half"] if w in text]
    words += [(w, 2.0) for w in terms["doubling"] if w in text]
    return words


def _quantity_supported(word: str, value: float, source: str, figures: list[Figure]) -> bool:
    if word in source or any(value == v and w != word for w, v in _word_quantities(source)):
        return True  # the same word, or a synonym stating the same share (一半 = 半数)
    if value == 2.0:  # doubled: up 100 %, or 2 倍
        return any((f.matches(100.0) and f.percent) or f.matches(2.0) for f in figures)
    return any(f.percent and f.matches(value * 100) for f in figures)


def _names(text: str) -> list[str]:
    import jieba.posseg  # late: the segmenter loads its dictionary on first use

    stop = frozenset(w.lower() for w in _terms()["generic_latin"])
    latin = extract_latin_entities(text, stop)
    chinese = [w.word for w in jieba.posseg.cut(re.sub(r"[A-Za-z0-9]+", " ", text))
               if w.flag in _NAME_TAGS and len(w.word) > 1]
    return list(dict.fromkeys(latin + extract_org_names(text) + chinese))


def _negated(text: str) -> set[str]:
    """The words the text negates (``未披露`` -> ``披露``); compounds that only look negated are skipped."""
    skip = _terms()["not_negations"]
    return {m.group(2) for m in _NEGATION.finditer(text)
            if not any(text.startswith(w, m.start()) for w in skip)}


def _date_supported(date: DateMention, dates: list[DateMention]) -> bool:
    return any((date.year is None or d.year == date.year) and (date.month is None or d.month == date.month)
               and (date.day is None or d.day == date.day) for d in dates)


def _figure_supported(fig: Figure, figures: list[Figure], dates: list[DateMention], words: list[float]) -> bool:
    # "50%" where the passage says 一半; "增长100%" or "2倍" where it says 翻倍
    if any(fig.matches(100 * v if v < 2 else 100.0) if fig.percent else v == 2 and fig.matches(2.0) for v in words):
        return True
    if any(s.percent == fig.percent and (fig.matches(s.value) or fig.matches(-s.value)) for s in figures):
        return True  # the sign is often a word (下降 3.02%)
    if fig.decimals == 0 and any(d.year == fig.value for d in dates):
        return True
    if fig.decimals in (1, 2) and 0 < fig.raw < 13 and not fig.percent:  # "7.23" in a digest row is 7月23日
        month, day = f"{fig.raw:.{fig.decimals}f}".split(".")
        return _date_supported(DateMention(None, int(month), int(day), 0, 0), dates)
    return False


def unsupported_facts(sentence: str, passage: str) -> list[str]:
    """What ``sentence`` states that ``passage`` does not support, one Chinese description per fact, in order
    (numbers, quantities in words, dates, names, negations). An empty list: every fact found is in the passage."""
    text = _MARKER.sub("", normalise(strip_markup(sentence)))
    source = normalise(passage)
    if not text.strip():
        return []
    problems: list[str] = []
    names = _names(text)
    spans = [(m.start(), m.end()) for n in names for m in re.finditer(re.escape(n), text)]
    figures, source_figures = extract_figures(text, mask=spans), extract_figures(source)
    source_dates = extract_dates(source)
    for fig in figures:
        if not _figure_supported(fig, source_figures, source_dates, [v for _w, v in _word_quantities(source)]):
            problems.append(f"数字“{fig.text}”在引用原文中没有依据")
    for word, value in _word_quantities(text):
        if not _quantity_supported(word, value, source, source_figures):
            problems.append(f"数量“{word}”在引用原文中没有依据")
    for date in extract_dates(text):
        if not _date_supported(date, source_dates):
            problems.append(f"日期“{date.text}”在引用原文中没有依据")
    squeezed = compact(source)
    for name in names:
        if compact(name) not in squeezed:
            problems.append(f"名称“{name}”未出现在引用原文中")
    mine, theirs = _negated(text), _negated(source)
    for word in sorted(mine - theirs):
        if word in source:  # the passage states it without a negation
            problems.append(f"句中否定“{word}”，引用原文为肯定")
    for word in sorted(theirs - mine):
        if word in text:
            problems.append(f"引用原文否定“{word}”，句中为肯定")
    return problems


def fact_findings(report: Report, items: dict[str, NewsItem], drafted: dict[str, str]) -> list[Finding]:
    """The edit re-check: each cited sentence that is not in its section's drafted text (``drafted``: section id ->
    the markdown as drafted) is checked against each passage it cites; a fact the passage does not support is a
    blocking ``unsupported_fact`` finding that quotes the passage (the corpus item's text when known)."""
    passages = {s.marker: (items[s.doc_id].body if s.doc_id in items else s.passage) for s in report.sources}
    findings: list[Finding] = []
    for section in report.sections:
        before = {s.text for s in split_sentences(section.id, drafted.get(section.id, ""))}
        for sentence in split_sentences(section.id, section.markdown):
            if sentence.text in before or sentence.kind == "source_line":
                continue
            for marker in sentence.markers:
                passage = passages.get(marker)
                if not passage:
                    continue  # an unknown marker is the citation checks' finding
                problems = unsupported_facts(sentence.text, passage)
                if problems:
                    findings.append(Finding(section=section.id, kind="unsupported_fact", severity="blocking",
                                            sentence=sentence.text, evidence=passage, detail="；".join(problems),
                                            marker=marker))
    return findings
