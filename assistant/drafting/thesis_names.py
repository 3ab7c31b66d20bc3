"""The names a core view relies on, and whether a text speaks of them (pure functions).

A thesis's evidence must be about the thesis: an item that names none of the companies, products, versions or
policies of its headline, view and evidence query is not evidence, however well it matched the retrieval query
("开发者" in a model release does not support a thesis on two vendors' developer conferences). Names are found by
form (Latin-script product and version tokens, 《document titles》), by the pack's and the industry's known names,
and in the analyst's evidence query (its words minus industry vocabulary, ``data/thesis_names.yaml``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import yaml

from assistant import PACKAGE_DIR
from assistant.drafting.importance import _ALIASES, _CENTRAL, _LEADERS, _MINISTRY

__all__ = ["evidence_names", "mentioned", "mentions", "shortest_list", "view_names"]

_DATA = PACKAGE_DIR / "data" / "thesis_names.yaml"
_MODIFIER = r"(?:mini|Mini|Pro|Max|Ultra|Plus|Turbo|Lite|Flash|Sonnet|Opus|Haiku|Nano)"
# "Llama 3.1-405B", "GPT-4o mini", "H100", "Grok-2", "Spark Pro-128K": a Latin word with its version parts
_WORD = r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*(?:[-./][A-Za-z0-9]+)*"
_VERSION = r"\d[A-Za-z0-9.]*(?:-[A-Za-z0-9.]+)*|" + _MODIFIER + r"(?:-[A-Za-z0-9.]+)*"
# in prose, "Apple Intelligence", "Claude 3.5 Sonnet": capitalised words that follow a name belong to it; an
# evidence query is a list of terms, so there only version parts join ("iOS 18.1", "Gemini 2.0")
_LATIN = re.compile(_WORD + r"(?:\s(?:" + _VERSION + r"|[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9.]+)*))*")
_LATIN_TERMS = re.compile(_WORD + r"(?:\s(?:" + _VERSION + r"))*")
_DOC = re.compile(r"《([^》]{2,60})》")
_FOLD = re.compile(r"[\s\-_·.“”‘’\"'「」『』]+")


@lru_cache(maxsize=1)
def _data() -> dict[str, object]:
    loaded = yaml.safe_load(_DATA.read_text(encoding="utf-8")) or {}
    return loaded if isinstance(loaded, dict) else {}


def _lists() -> tuple[frozenset[str], frozenset[str], tuple[str, ...]]:
    data = _data()
    return (frozenset(str(x) for x in _seq(data.get("generic_latin"))),
            frozenset(str(x) for x in _seq(data.get("generic_terms"))),
            tuple(str(x) for x in _seq(data.get("entities"))))


def _seq(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


def _fold(text: str) -> str:
    """Case, spaces, hyphens, dots and quotes folded: "Llama 3.1-405B" = "Llama 3.1 405B", “车路云”一体化 = 车路云一体化."""
    return _FOLD.sub("", text).lower()


@lru_cache(maxsize=1)
def _alias_table() -> dict[str, tuple[str, ...]]:
    """Each known name with its other common names, both ways (英伟达 <-> NVIDIA/Nvidia, 苹果 <-> Apple)."""
    table: dict[str, set[str]] = {}
    extra = _data().get("aliases")
    pairs = [*_ALIASES.items(), *((str(k), tuple(str(a) for a in _seq(v)))
                                  for k, v in (extra.items() if isinstance(extra, dict) else ()))]
    for name, aliases in pairs:
        for a in (name, *aliases):
            table.setdefault(_fold(a), set()).update({name, *aliases})
    return {k: tuple(v) for k, v in table.items()}


def _variants(name: str) -> tuple[str, ...]:
    return (name, *_alias_table().get(_fold(name), ()))


def _in(folded: str, name: str) -> bool:
    if any(_fold(v) in folded for v in _variants(name)):
        return True
    # "Qwen QwQ" is spoken of when each of its words is (通义千问 … QwQ-32B)
    words = name.split()
    return len(words) > 1 and all(any(_fold(v) in folded for v in _variants(w)) for w in words)


def mentions(text: str, name: str) -> bool:
    return bool(name) and _in(_fold(text), name)


def mentioned(text: str, names: Iterable[str]) -> list[str]:
    folded = _fold(text)
    return [n for n in names if n and _in(folded, n)]


def _generic(word: str, generic_latin: frozenset[str]) -> bool:
    return word in generic_latin or len(word) < 2 or (word.isalpha() and word.isupper() and len(word) < 3)


def _latin(text: str, rx: re.Pattern[str] = _LATIN) -> list[str]:
    generic_latin, _, _ = _lists()
    out = []
    for match in rx.finditer(text):
        words = match.group(0).split()
        # "AI Agent" is no name ("AI" leads nothing); "SB 1047" is one (a version part needs its word)
        while len(words) > 1 and words[0] in generic_latin and words[1][:1].isalpha():
            words.pop(0)
        while len(words) > 1 and words[-1] in generic_latin:
            words.pop()
        if words and not (len(words) == 1 and _generic(words[0], generic_latin)):
            out.append(" ".join(words))
    return out


def _present(name: str, text: str) -> bool:
    if name.isascii():  # "Intel" is not in "Apple Intelligence"
        return re.search(rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])", text) is not None
    return name in text


def _known(text: str, known: Sequence[str]) -> list[str]:
    _, _, entities = _lists()
    names = [n for n in (*known, *_LEADERS, *entities) if len(n) >= 2 and _present(n, text)]
    names += [m.group(0) for rx in (_CENTRAL, _MINISTRY) for m in rx.finditer(text)]
    # "英伟达" inside "英伟达联合…" is one name; "阿里" inside a found "阿里巴巴" is not another
    return [n for n in names if not any(n != o and n in o for o in names)]


def _unique(names: Iterable[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        if name and not any(_fold(name) == _fold(o) for o in out):
            out.append(name)
    return out


def view_names(headline: str, view: str, known: Sequence[str] = (), query: str = "") -> list[str]:
    """The names the thesis relies on (what its evidence must speak of): those of its headline and view, and the
    product names and document titles of its evidence query ("iOS 18.1", 《…》)."""
    text = f"{headline}\n{view}"
    return _unique([*_latin(text), *_DOC.findall(text), *_known(text, known), *_latin(query, _LATIN_TERMS),
                    *_DOC.findall(query)])


def shortest_list(names: Sequence[str]) -> list[str]:
    """The names to show an analyst: one inside another ("Apple" in "Apple Intelligence", or its alias "苹果")
    is left out."""
    out = []
    for name in names:
        inside = [o for o in names if o != name and len(o) > len(name)
                  and any(_fold(v) in _fold(o) for v in _variants(name))]
        if not inside:
            out.append(name)
    return out


def evidence_names(headline: str, view: str, query: str, known: Sequence[str] = ()) -> list[str]:
    """Every name a candidate may match: the view's names and the evidence query's non-generic words."""
    _, generic_terms, _ = _lists()
    from_query = [w for w in re.split(r"\s+", query) if w and not w.isascii() and len(w) >= 2
                  and w not in generic_terms]
    return _unique([*view_names(headline, view, known, query), *_known(query, known), *from_query])
