"""Progress reporting for long work: library code calls a callback; the CLI and UI decide how to show it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["ProgressCallback", "ProgressEvent", "null_progress"]


@dataclass(frozen=True)
class ProgressEvent:
    """One step of a long job. ``total`` is None when the size is unknown."""

    stage: str
    message: str
    done: int = 0
    total: int | None = None
    item: str | None = None  # e.g. the section id or table id this event is about
    status: str = "running"  # running | ok | failed | skipped


ProgressCallback = Callable[[ProgressEvent], None]


def null_progress(event: ProgressEvent) -> None:
    """The default callback: report nothing."""
