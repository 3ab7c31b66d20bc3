"""Cleaning a model's raw text before any parsing (shared by drafting and the model path)."""

from __future__ import annotations

import re

__all__ = ["strip_think"]

_THINK = re.compile(r"<think>.*?(?:</think>|\Z)", re.DOTALL | re.IGNORECASE)


def strip_think(text: str) -> str:
    """Remove reasoning blocks (an unclosed ``<think>`` swallows the rest: it never reached an answer)."""
    return _THINK.sub("", text).strip()
