"""Seed report figures (July 2024 AI monthly) that the sample pack is back-solved to reproduce.

The rows live in ``scripts/seed_rows.py``, which the pack generator solves to as well.
"""

from scripts.seed_rows import T1, T2, T3, T4, T5

__all__ = ["T1", "T2", "T3", "T4", "T5", "rows"]


def rows(block: str) -> list[list[str]]:
    return [line.split("|") for line in block.strip().splitlines()]
