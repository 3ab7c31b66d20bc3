"""Coherent extracts from a whole news item (pure functions, used by the offline engine).

An extract is a few verbatim sentences of the item, in reading order, that:
- never open on a reference they do not resolve (这些/该/此/论文/他 …): the sentence it refers back to comes along;
- never carry a first-person sentence outside a quotation (it would read as the brokerage's own voice), and
  keep every quotation whole with its speaker ("JimKeller 表示：“…。”" is one sentence);
- never end inside a quotation or on a clause list cut at "；" (clauses of one sentence stay together);
- keep an announced enumeration whole ("含有四个…大模型：" brings its four items);
- keep the facts the headline promises (its numbers, names and claim words) before anything else.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.drafting.text import contains_forbidden, instruction_like

__all__ = ["Unit", "extract", "headline_terms", "needs_antecedent", "split_units", "unattributed_first_person"]

_TERMINATORS = "。！？!?"
_OPEN, _CLOSE = "“「『", "”」』"
# Openers that need the sentence before them.
_ANTECEDENT = re.compile(
    r"^(?:这些|这一|这种|这个|这项|这也|这是|这意味着|这|该|此|其|他们|他|她|它|论文|文章|前者|后者|对此|为此|"
    r"除此之外|除了|此外|另外|同时|但是|但|而且|而|因此|所以|然而|不过|与此同时|随后|之后|其中|相比之下|据此|"
    # a list continued ("二是…", "其三，…", "（二）…", "第五条 …"): its lead-in comes along or it is not printed
    r"[一二三四五六七八九十]是|其[一二三四五六七八九十][，,、]|第[二三四五六七八九十][，,、]|[（(][二三四五六七八九十][)）]|"
    r"第(?!一条|1条)[一二三四五六七八九十百零\d]+条)")
_FIRST_PERSON = re.compile(r"(?<![自本忘])(?:我们|我(?!国|省|市|区|县|院|校|司|行|部|们))")
_SPEAKER = re.compile(r"(表示|称|说|指出|认为|介绍|宣布|透露|坦言|强调)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?\s*(?:[%‰倍亿万千]|[A-Za-z]+)?")
_LIST_ITEM = re.compile(r"^(?:[-*•·]|\d+[.、)]|[（(]?[一二三四五六七八九十\d]+[)）、])?\s*[“「]?[^。！？]{1,30}?[”」]?[^。！？]{0,20}[：:]")
_ENUM_HEAD = re.compile(r"(?:[两二三四五六七八九十]|\d+)\s*(?:个|项|类|款|大|种|条|方面)[^：:]{0,24}[：:]$")


@dataclass(frozen=True)
class Unit:
    index: int
    text: str
    paragraph: int


def _sentences(paragraph: str) -> list[str]:
    """Split one paragraph on 。！？ outside quotations; a quotation ending a sentence ends with its closing mark."""
    out, current, depth = [], [], 0
    chars = list(paragraph)
    for i, ch in enumerate(chars):
        current.append(ch)
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
            if depth == 0 and i > 0 and chars[i - 1] in _TERMINATORS:
                out.append("".join(current))
                current = []
        elif ch in _TERMINATORS and depth == 0:
            nxt = chars[i + 1] if i + 1 < len(chars) else ""
            if nxt not in _CLOSE:
                out.append("".join(current))
                current = []
    if "".join(current).strip():
        out.append("".join(current))
    return [s.strip() for s in out if s.strip()]


def _item_name(line: str) -> str:
    """'“神农·固芯”育种大模型：结合…' -> '“神农·固芯”育种大模型' (a long list prints its items' names)."""
    head = re.split(r"[：:]", line, maxsplit=1)[0].strip()
    return head if 2 <= len(head) <= 30 and head != line.strip() else line.strip().rstrip("。；;")


def split_units(body: str) -> list[Unit]:
    """Sentences of a body; an enumeration announced with "…四个…：" and its item lines become one unit."""
    paragraphs = [p.strip() for p in re.split(r"\n+", body) if p.strip()]
    units: list[Unit] = []
    p = 0
    while p < len(paragraphs):
        sentences = _sentences(paragraphs[p])
        last = sentences[-1] if sentences else ""
        if last and _ENUM_HEAD.search(last) and p + 1 < len(paragraphs):
            items: list[str] = []
            q = p + 1
            while q < len(paragraphs) and len(items) < 12 and _LIST_ITEM.match(paragraphs[q]):
                items.append(paragraphs[q])
                q += 1
            if items:
                names = [_item_name(i) for i in items]
                listing = "、".join(names) if sum(len(i) for i in items) > 160 else "；".join(
                    i.rstrip("。；;") for i in items)
                sentences[-1] = f"{last}{listing}。"
                units += [Unit(len(units) + k, s, p) for k, s in enumerate(sentences)]
                p = q
                continue
        units += [Unit(len(units) + k, s, p) for k, s in enumerate(sentences)]
        p += 1
    return units


def headline_terms(title: str) -> set[str]:
    """What the headline promises: its numbers, Latin names and CJK bigrams."""
    plain = re.sub(r"\s+", " ", title)
    terms = {n.replace(" ", "").lower() for n in _NUMBER.findall(plain)}
    terms |= {t.lower() for t in re.findall(r"[A-Za-z][A-Za-z0-9.\-]+", plain) if len(t) >= 2}
    for run in re.findall(r"[\u4e00-\u9fff]+", plain):
        terms |= {run[i:i + 2] for i in range(len(run) - 1)}
    return {t for t in terms if t}


def _covers(sentence: str, terms: set[str]) -> set[str]:
    low = re.sub(r"\s+", "", sentence).lower()
    return {t for t in terms if t in low}


def unattributed_first_person(sentence: str) -> bool:
    """'我们…' outside any quotation and without a speaker before it reads as the report's own voice."""
    outside = re.sub(r"“[^”]*”|「[^」]*」", "", sentence)
    match = _FIRST_PERSON.search(outside)
    return match is not None and not _SPEAKER.search(outside[:match.start()])


def needs_antecedent(sentence: str) -> bool:
    if _ANTECEDENT.match(sentence):
        return True
    close, open_ = sentence.find("”"), sentence.find("“")
    return close != -1 and (open_ == -1 or close < open_)


_NOT_PROSE = re.compile(r"https?://|www\.|^注\s*[:：]|^图\s*\d*\s*[:：]|^资料来源")


def _eligible(unit: Unit) -> bool:
    text = unit.text
    # a unit ending on a clause separator is a fragment (a passage cut inside a clause list)
    return (len(text) >= 8 and not _NOT_PROSE.search(text) and not re.search(r"[；;，,、]$", text) and not instruction_like(text) and contains_forbidden(text) is None
            and not unattributed_first_person(text))


def _score(unit: Unit, terms: set[str], keywords: Sequence[str], prefer: Sequence[str]) -> float:
    text = unit.text
    numbers = len(_NUMBER.findall(text))
    low = text.lower()
    hits = sum(1 for k in keywords if k and k.lower() in low)
    score = 1.5 / (1.0 + 0.35 * unit.index) + min(numbers, 5) * 0.25 + min(hits, 3) * 0.3
    score += 0.5 * len(_covers(text, terms)) ** 0.5
    score += sum(3.0 for p in prefer if p and p.lower() in low)
    if len(text) > 260:
        score -= 0.8
    return score


def _with_antecedents(chosen: set[int], units: list[Unit]) -> set[int]:
    """Add the sentence before each chosen one that needs it (same paragraph or the paragraph before)."""
    out = set(chosen)
    for idx in sorted(chosen, reverse=True):
        i = idx
        while i > 0 and needs_antecedent(units[i].text) and i - 1 not in out:
            if not _eligible(units[i - 1]):
                out.discard(idx)
                break
            out.add(i - 1)
            i -= 1
    return out


def extract(body: str, *, title: str = "", limit: int = 3, keywords: Sequence[str] = (),
            prefer: Sequence[str] = (), max_chars: int = 520) -> list[str]:
    """Up to ``limit`` coherent sentences (a few more when antecedents must come along), in reading order."""
    units = [u for u in split_units(body) if u.text.strip("。 ") != title.strip("。 ")]
    units = [Unit(i, u.text, u.paragraph) for i, u in enumerate(units)]
    if not units:
        return []
    terms = headline_terms(title)
    eligible = [u for u in units if _eligible(u)]
    covered: set[str] = set()
    chosen: set[int] = set()
    while len(chosen) < limit:
        best = max((u for u in eligible if u.index not in chosen),
                   key=lambda u: (_score(u, terms, keywords, prefer)
                                  + 0.9 * len(_covers(u.text, terms) - covered) ** 0.5, -u.index), default=None)
        if best is None:
            break
        trial = _with_antecedents(chosen | {best.index}, units)
        if best.index not in trial:  # its lead-in cannot be printed: never pick it again
            eligible = [u for u in eligible if u.index != best.index]
            continue
        # a first pick whose lead-ins run long (an article deep in a regulation) is skipped like any other
        if (chosen or len(trial) > 2) and sum(len(units[i].text) for i in trial) > max_chars:
            eligible = [u for u in eligible if u.index != best.index]
            continue
        chosen = trial
        covered |= _covers(best.text, terms)
    chosen = _with_antecedents(chosen, units)
    return [units[i].text for i in sorted(chosen) if not needs_antecedent(units[i].text) or i - 1 in chosen]
