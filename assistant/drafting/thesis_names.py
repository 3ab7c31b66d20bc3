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
from assistant.drafting.importance import _CENTRAL, _LEADERS, _MINISTRY

__all__ = ["evidence_names", "mentioned", "mentions", "view_names"]

_DATA = PACKAGE_DIR / "data" / "thesis_names.yaml"
_MODIFIER = r"(?:mini|Mini|Pro|Max|Ultra|Plus|Turbo|Lite|Flash|Sonnet|Opus|Haiku|Nano)"
# "Llama 3.1-405B", "GPT-4o mini", "H100", "Grok-2", "Spark Pro-128K": a Latin word with its version parts
_LATIN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*(?:[-./][A-Za-z0-9]+)*"
                    r"(?:\s(?:\d[A-Za-z0-9.]*(?:-[A-Za-z0-9.]+)*|" + _MODIFIER + r"(?:-[A-Za-z0-9.]+)*))*")
_DOC = re.compile(r"《([^》]{2,60})》")
_FOLD = re.compile(r"[\s\-_·.“”‘’\"'「」『』]+")


@lru_cache(maxsize=1)
def _lists() -> tuple[frozenset[str], frozenset[str], tuple[str, ...]]:
    data = yaml.safe_load(_DATA.read_text(encoding="utf-8")) or {}
    return (frozenset(str(x) for x in data.get("generic_latin") or []),
            frozenset(str(x) for x in data.get("generic_terms") or []),
            tuple(str(x) for x in data.get("entities") or []))


def _fold(text: str) -> str:
    """Case, spaces, hyphens, dots and quotes folded: "Llama 3.1-405B" = "Llama 3.1 405B", “车路云”一体化 = 车路云一体化."""
    return _FOLD.sub("", text).lower()


def mentions(text: str, name: str) -> bool:
    return bool(name) and _fold(name) in _fold(text)


def mentioned(text: str, names: Iterable[str]) -> list[str]:
    folded = _fold(text)
    return [n for n in names if n and _fold(n) in folded]


def _latin(text: str) -> list[str]:
    generic_latin, _, _ = _lists()
    out = []
    for match in _LATIN.finditer(text):
        token = match.group(0).strip()
        if token in generic_latin or len(token) < 2 or (token.isalpha() and token.isupper() and len(token) < 3):
            continue
        out.append(token)
    return out


def _known(text: str, known: Sequence[str]) -> list[str]:
    _, _, entities = _lists()
    names = [n for n in (*known, *_LEADERS, *entities) if len(n) >= 2 and n in text]
    names += [m.group(0) for rx in (_CENTRAL, _MINISTRY) for m in rx.finditer(text)]
    # "英伟达" inside "英伟达联合…" is one name; "阿里" inside a found "阿里巴巴" is not another
    return [n for n in names if not any(n != o and n in o for o in names)]


def _unique(names: Iterable[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        if name and not any(_fold(name) == _fold(o) for o in out):
            out.append(name)
    return out


def view_names(headline: str, view: str, known: Sequence[str] = ()) -> list[str]:
    """The names the thesis's headline and view rely on (what its evidence must speak of)."""
    text = f"{headline}\n{view}"
    return _unique([*_latin(text), *_DOC.findall(text), *_known(text, known)])


def evidence_names(headline: str, view: str, query: str, known: Sequence[str] = ()) -> list[str]:
    """Every name a candidate may match: the view's names and the evidence query's non-generic words."""
    _, generic_terms, _ = _lists()
    from_query = [w for w in re.split(r"\s+", query) if w and not w.isascii() and len(w) >= 2
                  and w not in generic_terms]
    return _unique([*view_names(headline, view, known), *_latin(query), *_known(query, known), *from_query])
