"""The raw record every reader returns (the lowest corpus module: readers, documents, feeds, pdf and items import
it, and it imports none of them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["RawRecord"]


@dataclass(frozen=True)
class RawRecord:
    file: str
    row: int
    data: dict[str, Any]
    kind: str = "record"  # jsonl | csv | front_matter | page | pdf | docx | feed
    origins: dict[str, str] = field(default_factory=dict)  # field -> where its value came from
    warnings: tuple[str, ...] = ()
    missing: dict[str, str] = field(default_factory=dict)  # field -> why the document did not give it
