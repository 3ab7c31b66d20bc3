"""Page geometry of the Word report and the width plan of its tables (pure: no python-docx here).

Chinese brokerage reports are A4 portrait. A table gets column widths from its content, and every column is at
least as wide as its longest unbreakable run (a stock code such as ``688256.SH``, a number, a Latin word) so that
Word never breaks a code across lines; a table too wide for the page at the body table size is set smaller, and
one too wide even then gets a landscape page of its own.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["A4", "LANDSCAPE", "PageGeometry", "TablePlan", "plan_table", "text_width_cm", "unbreakable_runs"]

PT_CM = 2.54 / 72  # one point in centimetres
CELL_PADDING_CM = 0.19 * 2 + 0.06  # Word's default left/right cell margins, and a little for borders
TABLE_SIZES_PT = (9.0, 8.0, 7.5, 7.0)  # the table text size, then smaller steps before a landscape page
_WEIGHT_CAP = 40  # one long summary column must not starve the others
_SHORT = 7


@dataclass(frozen=True)
class PageGeometry:
    width_cm: float
    height_cm: float
    top_cm: float = 2.5
    bottom_cm: float = 2.2
    left_cm: float = 2.0
    right_cm: float = 2.0
    header_cm: float = 1.5
    footer_cm: float = 1.2

    @property
    def text_width_cm(self) -> float:
        return self.width_cm - self.left_cm - self.right_cm


A4 = PageGeometry(21.0, 29.7)
LANDSCAPE = PageGeometry(29.7, 21.0)


@dataclass(frozen=True)
class TablePlan:
    widths_cm: tuple[float, ...]
    font_pt: float
    landscape: bool

    @property
    def total_cm(self) -> float:
        return sum(self.widths_cm)


# A run Word will not break inside: Latin letters, digits and the punctuation that joins them in codes and figures.
_RUN = re.compile(r"[0-9A-Za-z.,:%+\-_/()'&#@$€¥]+")


def _char_em(char: str) -> float:
    """Approximate advance of one character in em (Times New Roman for Latin, a CJK face for the rest)."""
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    if char in ".,:;'|!il":
        return 0.3
    if char.isupper() or char in "%&@#$€MW":
        return 0.72
    return 0.52


def text_width_cm(text: str, font_pt: float) -> float:
    return sum(_char_em(c) for c in text) * font_pt * PT_CM


def unbreakable_runs(text: str) -> list[str]:
    """The pieces a line may not break inside: each Latin/number run whole, each CJK character alone."""
    out: list[str] = []
    pos = 0
    for match in _RUN.finditer(text):
        out += [c for c in text[pos:match.start()] if not c.isspace()]
        out.append(match.group())
        pos = match.end()
    out += [c for c in text[pos:] if not c.isspace()]
    return out


def _keep_whole(cell: str) -> list[str]:
    """A short name (浪潮信息, 云从科技-UW) reads badly split over lines: up to ``_SHORT`` characters it stays whole."""
    cell = cell.strip()
    return [cell] if 0 < len(cell) <= _SHORT and " " not in cell else unbreakable_runs(cell)


def _min_width(cells: list[str], font_pt: float) -> float:
    widest = max((text_width_cm(run, font_pt) for cell in cells[1:] for run in _keep_whole(cell)), default=0.0)
    # The header may wrap between characters (its words are long: 2023年营收增速(%)), never inside a Latin run.
    widest = max([widest] + [text_width_cm(run, font_pt) for run in unbreakable_runs(cells[0])])
    return widest * 1.08 + CELL_PADDING_CM  # a margin for fonts wider than the estimate


def plan_table(columns: list[str], rows: list[list[str]], *, page: PageGeometry = A4,
               landscape: PageGeometry = LANDSCAPE) -> TablePlan:
    """Column widths (cm), the text size and the orientation for one table."""
    count = len(columns)
    if count == 0:
        return TablePlan((), TABLE_SIZES_PT[0], False)
    cells = [[columns[i]] + [r[i] for r in rows if i < len(r)] for i in range(count)]
    weights = [min(max(max(len(c) for c in col), 2), _WEIGHT_CAP) for col in cells]
    for geometry, is_landscape in ((page, False), (landscape, True)):
        total = geometry.text_width_cm
        for size in TABLE_SIZES_PT:
            minimum = [_min_width(col, size) for col in cells]
            if sum(minimum) <= total:
                return TablePlan(_spread(minimum, weights, total), size, is_landscape)
    # Even landscape at the smallest size is too narrow: keep the minimums (the table overruns the margin rather
    # than breaking codes), which only a table of dozens of columns reaches.
    size = TABLE_SIZES_PT[-1]
    return TablePlan(tuple(_min_width(col, size) for col in cells), size, True)


def _spread(minimum: list[float], weights: list[int], total: float) -> tuple[float, ...]:
    """Give each column its minimum, then the spare width in proportion to its content."""
    spare = total - sum(minimum)
    weight_sum = sum(weights)
    # Rounded down, so the sum never exceeds the text width by a rounding step.
    return tuple(math.floor((m + spare * w / weight_sum) * 1000) / 1000 for m, w in zip(minimum, weights, strict=True))
