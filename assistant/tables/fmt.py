"""Cell formatting exactly as the seed report prints numbers: strings, ``""`` when a value cannot be computed."""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

__all__ = [
    "fmt_num",
    "fmt_pct",
    "fmt_pe",
    "fmt_plain_pct",
    "fmt_trimmed",
    "render_rows",
    "short_name",
]



def _missing(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    try:
        return not math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def fmt_num(value: object, *, thousands: bool = False) -> str:
    """Two decimals, optionally with thousands separators ("2,712.41")."""
    if _missing(value):
        return ""
    x = float(value)  # type: ignore[arg-type]
    return f"{x:,.2f}" if thousands else f"{x:.2f}"


def fmt_trimmed(value: object) -> str:
    """Two decimals without trailing zeros, as the seed prints prices ("6.3", "43.9", "264.06")."""
    text = fmt_num(value)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def fmt_pct(value: object) -> str:
    """A ratio as a percentage with the sign: 0.0052 -> "0.52%"."""
    if _missing(value):
        return ""
    return f"{float(value) * 100:.2f}%"  # type: ignore[arg-type]


def fmt_plain_pct(value: object, *, thousands: bool = False) -> str:
    """A ratio in percent without the sign, for columns whose header carries "(%)"."""
    if _missing(value):
        return ""
    return fmt_num(float(value) * 100, thousands=thousands)  # type: ignore[arg-type]


def fmt_pe(value: object, *, negative_as_dash: bool, thousands: bool = True) -> str:
    """PE: the seed's domestic table prints a loss-making company's PE as "-"."""
    if _missing(value):
        return ""
    if negative_as_dash and float(value) < 0:  # type: ignore[arg-type]
        return "-"
    return fmt_num(value, thousands=thousands)



def short_name(index_name: str) -> str:
    """"计算机行业指数" -> "计算机"; "人工智能指数" -> "人工智能" (the seed's column and title wording)."""
    name = index_name.removesuffix("指数")
    return name.removesuffix("行业") or index_name


Formatter = Callable[[object], str]


def render_rows(frame: pd.DataFrame, formats: dict[str, Formatter]) -> list[list[str]]:
    """Format whole columns at once; the row order of ``frame`` is kept."""
    if frame.empty:
        return []
    cols = [frame[c].map(fmt).astype(str) for c, fmt in formats.items()]
    return pd.concat(cols, axis=1).to_numpy().tolist()
