"""Model output -> clean text with citations (pure functions).

``<think>`` blocks are removed; ``[n]`` markers are mapped to the section's numbered sources; a marker with no
such source is removed from the text and recorded as an ``invented_citation`` finding; forbidden wording is
dropped sentence by sentence. Report-global renumbering happens at assembly (``renumber``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from assistant.drafting.text import filter_forbidden
from assistant.engine.output import strip_think
from assistant.models import Citation, Finding

__all__ = ["MARKER", "ParsedText", "map_citations", "parse_output", "renumber"]

MARKER = re.compile(r"\[(\d{1,3})\]")
_GROUPED = re.compile(r"\[(\d{1,3}(?:\s*[,，、]\s*\d{1,3})+)\]")


class ParsedText:
    """The parse step's result: text with local markers, the citations it uses, and findings."""

    def __init__(self, text: str, citations: list[Citation], findings: list[Finding]) -> None:
        self.text = text
        self.citations = citations
        self.findings = findings


def _sentence_around(text: str, start: int) -> str:
    left = max(text.rfind(p, 0, start) for p in "。！？\n") + 1
    ends = [i for i in (text.find(p, start) for p in "。！？\n") if i != -1]
    right = min(ends) + 1 if ends else len(text)
    return text[left:right].strip()


def map_citations(text: str, sources: Mapping[int, str], section: str) -> ParsedText:
    """Keep markers whose number is a source of this section; remove and report the others."""
    text = _GROUPED.sub(lambda m: "".join(f"[{n.strip()}]" for n in re.split(r"[,，、]", m.group(1))), text)
    findings: list[Finding] = []
    used: dict[int, str] = {}

    def _sub(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n in sources:
            used.setdefault(n, sources[n])
            return match.group(0)
        findings.append(Finding(section=section, kind="invented_citation", severity="warning", marker=n,
                                sentence=_sentence_around(text, match.start()),
                                detail=f"模型引用了不存在的来源 [{n}]，已从正文删除"))
        return ""

    cleaned = MARKER.sub(_sub, text)
    citations = [Citation(marker=n, doc_id=doc) for n, doc in sorted(used.items())]
    return ParsedText(cleaned, citations, findings)


def parse_output(raw: str, sources: Mapping[int, str], section: str) -> ParsedText:
    """The full parse step: strip reasoning, drop forbidden sentences, then map citations."""
    text = strip_think(raw)
    text, removed = filter_forbidden(text)
    parsed = map_citations(text, sources, section)
    for sentence, phrase in removed:
        parsed.findings.append(Finding(section=section, kind="forbidden_wording", severity="warning",
                                       sentence=sentence, detail=f"含禁用表述「{phrase}」的句子已删除"))
    return parsed


def renumber(text: str, mapping: Mapping[int, int]) -> str:
    """Rewrite local markers to report-global ones in one pass (so [1]->[2] and [2]->[1] cannot collide)."""
    return MARKER.sub(lambda m: f"[{mapping[int(m.group(1))]}]" if int(m.group(1)) in mapping else "",
                      text)
