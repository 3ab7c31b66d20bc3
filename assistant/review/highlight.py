"""Which figures and phrases of a finding to highlight, and where they fall in a text. Pure functions.

The compliance page shows a flagged sentence beside the passage it cites; marking what differs (a figure the
passage does not contain, a forbidden phrase, a marker that does not resolve) saves the reviewer re-reading both.
Rendering is the UI's job: it escapes every span and only then wraps the highlighted ones.
"""

from __future__ import annotations

import re

__all__ = ["figures", "highlight_spans", "offending_terms"]

_MARKER = re.compile(r"\[\d{1,4}\]")
# A figure as printed: 12, 12.34, 1,234, 12.5%, 3.2亿. Not the digits of a name or id (n002, 910B, H100), and
# not a calendar part (7月, 2024年): a month the passage does not repeat is not what a reviewer must look at.
_FIGURE = re.compile(r"(?<![A-Za-z\d.,])\d+(?:[.,]\d+)*(?:%|亿|万)?(?![A-Za-z\d年月日号])")
_QUOTED = re.compile(r"[“「『\"]([^”」』\"]{1,40})[”」』\"]")
_MISSING = re.compile(r"找不到[：:](.+)$")


def figures(text: str) -> list[str]:
    """The figures of ``text`` in order, citation markers ``[n]`` left out."""
    found: dict[str, None] = {}
    for match in _FIGURE.finditer(_MARKER.sub(" ", text)):
        found.setdefault(match.group(0), None)
    return list(found)


def _bare(figure: str) -> str:
    return figure.rstrip("%亿万").replace(",", "")


def offending_terms(sentence: str, evidence: str, detail: str, marker: int | None = None,
                    ) -> tuple[list[str], list[str]]:
    """Terms to highlight in the sentence and in the cited passage.

    Sentence: phrases the detail quotes or lists as missing, figures the detail names, figures the passage does
    not contain, and the ``[n]`` marker the detail is about. Passage: its figures the sentence does not contain
    (what the source says instead).
    """
    wanted: list[str] = [m.group(1) for m in _QUOTED.finditer(detail)]
    missing = _MISSING.search(detail)
    if missing:
        wanted += [p.strip() for p in re.split(r"[、，,]", missing.group(1)) if p.strip()]
    wanted += figures(detail)
    if marker is not None and f"[{marker}]" in detail:
        wanted.append(f"[{marker}]")
    sentence_figures = figures(sentence)
    if evidence:
        in_passage = {_bare(f) for f in figures(evidence)}
        wanted += [f for f in sentence_figures if _bare(f) not in in_passage]
    in_sentence = [t for t in dict.fromkeys(wanted) if t and t in sentence]
    in_evidence: list[str] = []
    if sentence and evidence:
        said = {_bare(f) for f in sentence_figures}
        in_evidence = [f for f in figures(evidence) if _bare(f) not in said]
    return in_sentence, in_evidence


def _pattern(term: str) -> str:
    escaped = re.escape(term)
    if term[:1].isdigit():  # "7" must not light up inside "17" or "2024-07"
        escaped = r"(?<![\d.])" + escaped
    if term[-1:].isdigit():
        escaped += r"(?![\d.]*\d)"
    return escaped


def highlight_spans(text: str, terms: list[str]) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, highlighted) spans; longer terms win where terms overlap."""
    terms = sorted({t for t in terms if t}, key=len, reverse=True)
    if not terms or not text:
        return [(text, False)] if text else []
    spans: list[tuple[str, bool]] = []
    position = 0
    for match in re.finditer("|".join(_pattern(t) for t in terms), text):
        if match.start() > position:
            spans.append((text[position:match.start()], False))
        spans.append((match.group(0), True))
        position = match.end()
    if position < len(text):
        spans.append((text[position:], False))
    return spans
