"""Which sentence of a cited passage supports a sentence of the section (pure): shown first in the sources list."""

from __future__ import annotations

import re

__all__ = ["citing_sentences", "supporting_sentence"]

_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
_MARKERS = re.compile(r"\[\d{1,4}\]")


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def citing_sentences(markdown: str, marker: int) -> list[str]:
    """The sentences of the section that cite ``[marker]``, markers removed."""
    tag = f"[{marker}]"
    return [_MARKERS.sub("", s).strip(" -*#") for s in _sentences(markdown) if tag in s]


def _bigrams(text: str) -> set[str]:
    chars = "".join(text.split())
    return {chars[i:i + 2] for i in range(len(chars) - 1)}


def supporting_sentence(claims: list[str], passage: str) -> str:
    """The passage sentence sharing the most character bigrams with any citing sentence ('' if none shares)."""
    best, score = "", 0.0
    wanted = [_bigrams(c) for c in claims if c]
    for sentence in _sentences(passage):
        grams = _bigrams(sentence)
        if not grams:
            continue
        overlap = max((len(grams & w) / len(w) for w in wanted if w), default=0.0)
        if overlap > score:
            best, score = sentence, overlap
    return best
