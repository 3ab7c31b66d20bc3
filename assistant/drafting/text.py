"""Sentence-level text tools shared by the engines: splitting, scoring, and the two safety filters.

The filters' lists are the compliance ones (``prompts/compliance/``, read by ``assistant.safety``): what drafting
leaves out is exactly what the checks would block.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from assistant.safety import find_forbidden
from assistant.safety import instruction_like as _instruction_like

__all__ = [
    "contains_forbidden",
    "filter_forbidden",
    "instruction_like",
    "join_unique",
    "rank_sentences",
    "split_sentences",
    "strip_markers",
    "title_terms",
]

_SENT_END = re.compile(r"(?<=[。！？!?；;])|\n+")
_DIGITS = re.compile(r"\d+(?:\.\d+)?%?")
_MARKER = re.compile(r"\s*\[\d+\]")


def instruction_like(sentence: str) -> bool:
    return _instruction_like(sentence)


def split_sentences(text: str) -> list[str]:
    """Chinese/English sentences, punctuation kept; blank pieces dropped."""
    return [s.strip() for s in _SENT_END.split(text) if s and s.strip()]


def _score(sentence: str, position: int, keywords: Sequence[str], title_terms: Sequence[str]) -> float:
    length = len(sentence)
    if length < 12 or instruction_like(sentence):
        return -1.0
    low = sentence.lower()
    numbers = len(_DIGITS.findall(sentence))
    hits = sum(1 for k in keywords if k and k.lower() in low)
    # the item's own subject (its title's terms) matters more than the section's generic query words
    on_topic = sum(1 for t in title_terms if t.lower() in low)
    density = min(numbers, 4) * 0.3 + min(hits, 3) * 0.4 + min(on_topic, 4) * 0.9
    position_weight = 1.5 / (1.0 + 0.4 * position)
    long_penalty = 0.6 if length > 180 else 0.0
    return position_weight + density - long_penalty


def title_terms(title: str) -> list[str]:
    """Distinctive terms of a headline: Latin names/numbers and CJK runs of two or more characters."""
    return [t for t in re.findall(r"[A-Za-z][A-Za-z0-9.\-]+|[\u4e00-\u9fff]{2,}", title) if len(t) >= 2]


def rank_sentences(text: str, *, keywords: Sequence[str] = (), limit: int = 3,
                   prefer: Sequence[str] = (), title: str = "") -> list[str]:
    """The ``limit`` most informative sentences, returned in reading order.

    Informative = early in the item, dense in numbers, mentions the keywords; ``prefer`` terms (an editor's
    "突出X") weigh more than anything else. Instruction-like and forbidden sentences are never chosen.
    """
    sentences = split_sentences(text)
    scored = []
    for i, s in enumerate(sentences):
        if contains_forbidden(s):
            continue
        score = _score(s, i, keywords, title_terms(title))
        if score < 0:
            continue
        score += sum(3.0 for p in prefer if p and p.lower() in s.lower())
        scored.append((score, i, s))
    best = sorted(scored, key=lambda t: (-t[0], t[1]))[: max(limit, 0)]
    return [s for _, _, s in sorted(best, key=lambda t: t[1])]


def contains_forbidden(sentence: str) -> str | None:
    return find_forbidden(sentence)


def filter_forbidden(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Drop every sentence holding a forbidden phrase; returns the text and (sentence, phrase) pairs dropped.

    Works line by line so Markdown structure (bullets, table rows) survives; a table row is filtered per cell.
    """
    removed: list[tuple[str, str]] = []
    out_lines = []
    for line in text.split("\n"):
        pieces = re.split(r"(?<=[。！？!?；;])", line)
        kept = []
        for piece in pieces:
            phrase = contains_forbidden(_MARKER.sub("", piece))
            if phrase:
                removed.append((piece.strip(), phrase))
                continue
            kept.append(piece)
        out_lines.append("".join(kept))
    return "\n".join(out_lines), removed


def strip_markers(text: str) -> str:
    return _MARKER.sub("", text)


def join_unique(values: Iterable[str], sep: str = "、") -> str:
    return sep.join(dict.fromkeys(v for v in values if v))
