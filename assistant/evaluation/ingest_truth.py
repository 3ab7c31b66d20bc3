"""Ingestion against a hand-written truth file (``raw.truth.yaml``): titles, publishers, dates and kinds right,
furniture lines left in bodies, items per kind. Used by the tests and ``bench/bench_ingest_files.py``."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from assistant.models import NewsItem

__all__ = ["IngestScore", "TruthItem", "load_truth", "score_ingest"]


class TruthItem(BaseModel):
    file: str
    title: str
    publisher: str | None
    date: dt.date
    kind: str
    furniture: list[str] = Field(default_factory=list)


@dataclass
class IngestScore:
    items: int = 0
    found: int = 0
    titles: int = 0
    publishers: int = 0
    dates: int = 0
    kinds: int = 0
    furniture_lines: int = 0
    furniture_left: list[str] = field(default_factory=list)
    per_kind: dict[str, int] = field(default_factory=dict)
    wrong: list[str] = field(default_factory=list)

    def line(self) -> str:
        n = self.items or 1
        return (f"{self.found}/{self.items} items found; titles {self.titles}/{n}, publishers {self.publishers}/{n}, "
                f"dates {self.dates}/{n}, kinds {self.kinds}/{n}; furniture lines left "
                f"{len(self.furniture_left)}/{self.furniture_lines}; per kind {self.per_kind}")


def load_truth(path: Path) -> list[TruthItem]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [TruthItem.model_validate(row) for row in data["items"]]


def _match(truth: TruthItem, candidates: list[NewsItem]) -> NewsItem | None:
    if len(candidates) == 1:
        return candidates[0]
    return next((c for c in candidates if c.title == truth.title or c.date == truth.date), None)


def score_ingest(truth: list[TruthItem], items: Iterable[tuple[str, NewsItem]]) -> IngestScore:
    """``items``: (file name, item) pairs as read. A file is matched by name (any folder, renamed files need a
    truth entry of their own)."""
    by_file: dict[str, list[NewsItem]] = {}
    all_items = list(items)
    for name, item in all_items:
        by_file.setdefault(Path(name).name, []).append(item)
    score = IngestScore(items=len(truth))
    score.per_kind = dict(Counter(item.source_kind for _n, item in all_items).most_common())
    for row in truth:
        got = _match(row, by_file.get(row.file, []))
        score.furniture_lines += len(row.furniture)
        if got is None:
            score.wrong.append(f"{row.file}: not read")
            continue
        score.found += 1
        checks = {"title": got.title == row.title,
                  "publisher": (got.source_pending if row.publisher is None else got.source == row.publisher),
                  "date": got.date == row.date, "kind": got.source_kind == row.kind}
        score.titles += checks["title"]
        score.publishers += checks["publisher"]
        score.dates += checks["date"]
        score.kinds += checks["kind"]
        for name, ok in checks.items():
            if not ok:
                value = {"title": got.title, "publisher": got.source, "date": got.date, "kind": got.source_kind}[name]
                score.wrong.append(f"{row.file}: {name} {value!r}")
        score.furniture_left += [f"{row.file}: {line}" for line in row.furniture if line in got.body]
    return score
