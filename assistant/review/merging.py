"""Three-way merge of section texts (base, mine, theirs) with ``merge3``, at sentence granularity.

Chinese prose is written as long paragraphs on one line, so a line-level merge would turn any two edits of the
same paragraph into a conflict. Texts are therefore split into sentence tokens (after 。！？；!? and line
breaks) that join back to the exact original text. Changes to different sentences merge on their own; the
same sentence changed differently by both sides is a :class:`Conflict` the editor resolves by choosing. Nothing
is dropped: a conflict keeps both sides until the editor picks.

Also the character-level change highlight for the version diff (a Chinese "word" is a character).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

from merge3 import Merge3

__all__ = ["Conflict", "MergeResult", "Span", "char_spans", "merge_texts", "resolve", "split_sentences"]

_SENTENCE_END = re.compile(r"(?<=[。！？；!?\n])")


def split_sentences(text: str) -> list[str]:
    """Tokens whose concatenation is ``text`` exactly: each sentence keeps its closing mark or line break."""
    return [t for t in _SENTENCE_END.split(text) if t]


@dataclass(frozen=True)
class Conflict:
    """One region both sides changed differently: the base text and each side's text of it."""

    base: str
    mine: str
    theirs: str


Piece = str | Conflict


@dataclass(frozen=True)
class MergeResult:
    pieces: tuple[Piece, ...]

    @property
    def conflicts(self) -> list[Conflict]:
        return [p for p in self.pieces if isinstance(p, Conflict)]

    @property
    def clean(self) -> bool:
        return not self.conflicts

    @property
    def text(self) -> str:
        """The merged text; only defined when there is no conflict (see :func:`resolve`)."""
        if not self.clean:
            raise ValueError("merge has conflicts: resolve them first")
        return "".join(p for p in self.pieces if isinstance(p, str))


def merge_texts(base: str, mine: str, theirs: str) -> MergeResult:
    """Merge ``mine`` and ``theirs``, both edited from ``base``."""
    if mine == theirs:
        return MergeResult((mine,))
    b, a, t = split_sentences(base), split_sentences(mine), split_sentences(theirs)
    pieces: list[Piece] = []
    for region in Merge3(b, a, t).merge_regions():
        kind = region[0]
        if kind == "unchanged":
            pieces.append("".join(b[region[1]:region[2]]))
        elif kind in ("same", "a"):
            pieces.append("".join(a[region[1]:region[2]]))
        elif kind == "b":
            pieces.append("".join(t[region[1]:region[2]]))
        else:  # conflict: (kind, base_start, base_end, mine_start, mine_end, theirs_start, theirs_end)
            zs, ze, ms, me, ts, te = (int(x) for x in region[1:7])
            pieces.append(Conflict("".join(b[zs:ze]), "".join(a[ms:me]), "".join(t[ts:te])))
    return MergeResult(tuple(_joined(pieces)))


def _joined(pieces: list[Piece]) -> list[Piece]:
    out: list[Piece] = []
    for piece in pieces:
        if isinstance(piece, str) and out and isinstance(out[-1], str):
            out[-1] += piece
        elif piece != "":
            out.append(piece)
    return out


Choice = Literal["mine", "theirs", "both"]


def resolve(result: MergeResult, choices: list[Choice]) -> str:
    """The merged text with each conflict replaced by the chosen side (``both``: mine, then theirs)."""
    conflicts = result.conflicts
    if len(choices) != len(conflicts):
        raise ValueError(f"{len(conflicts)} conflicts but {len(choices)} choices")
    picks = iter(choices)
    out: list[str] = []
    for piece in result.pieces:
        if isinstance(piece, str):
            out.append(piece)
            continue
        choice = next(picks)
        if choice == "mine":
            out.append(piece.mine)
        elif choice == "theirs":
            out.append(piece.theirs)
        else:
            out.append(piece.mine + piece.theirs)
    return "".join(out)


@dataclass(frozen=True)
class Span:
    tag: Literal["equal", "delete", "insert"]
    text: str


def char_spans(old: str, new: str) -> list[Span]:
    """Character-level changes from ``old`` to ``new`` as equal/delete/insert spans (a replace is both)."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    spans: list[Span] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            spans.append(Span("equal", old[i1:i2]))
            continue
        if i2 > i1:
            spans.append(Span("delete", old[i1:i2]))
        if j2 > j1:
            spans.append(Span("insert", new[j1:j2]))
    return spans
