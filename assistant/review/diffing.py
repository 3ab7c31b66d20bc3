"""Differences between two section versions: a unified diff and rows for a side-by-side view (pure)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

__all__ = ["DiffRow", "VersionDiff", "diff_texts"]


@dataclass(frozen=True)
class DiffRow:
    """One line pair of a side-by-side diff; ``tag`` is equal | replace | delete | insert."""

    tag: str
    left_no: int | None
    left: str
    right_no: int | None
    right: str


@dataclass(frozen=True)
class VersionDiff:
    old_version: int
    new_version: int
    unified: str
    rows: list[DiffRow] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(r.tag != "equal" for r in self.rows)


def _rows(old: list[str], new: list[str]) -> list[DiffRow]:
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        span = max(i2 - i1, j2 - j1)
        for k in range(span):
            li, rj = i1 + k, j1 + k
            left_ok, right_ok = li < i2, rj < j2
            rows.append(DiffRow(
                tag=tag,
                left_no=li + 1 if left_ok else None,
                left=old[li] if left_ok else "",
                right_no=rj + 1 if right_ok else None,
                right=new[rj] if right_ok else "",
            ))
    return rows


def diff_texts(old: str, new: str, *, old_version: int = 0, new_version: int = 0) -> VersionDiff:
    old_lines, new_lines = old.splitlines(), new.splitlines()
    unified = "\n".join(difflib.unified_diff(
        old_lines, new_lines, fromfile=f"v{old_version}", tofile=f"v{new_version}", lineterm=""))
    return VersionDiff(old_version, new_version, unified, _rows(old_lines, new_lines))
