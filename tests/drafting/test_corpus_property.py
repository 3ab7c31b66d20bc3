"""A property over corpora: whatever the month's news looks like, the offline draft finishes and loses nothing.

A seeded generator (deterministic, so a failure replays) draws corpora from the sample and the generated months:
random subsets, duplicated items, a category emptied, a single item, every item outside the window, only English
items, no categories at all. For every one the offline draft has no failed section and every in-window item is
either printed (cited) in a section or named in a finding. ``RA_PROPERTY_EXAMPLES`` sets how many corpora are
drawn (default: one of each shape; CI runs that, a soak run sets more).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
from pathlib import Path
from typing import Any

import pytest

from assistant import SAMPLE_DIR
from assistant.drafting import draft_report
from assistant.settings import get_settings

pytestmark = pytest.mark.slow

SHAPES = ("subset", "duplicate", "empty_category", "one_item", "out_of_window", "all_english", "no_categories")
EXAMPLES = int(os.environ.get("RA_PROPERTY_EXAMPLES", str(len(SHAPES))))


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _in_month(item: dict[str, Any], month: str) -> bool:
    return str(item["date"]).startswith(month)


def _redate(item: dict[str, Any], month: str, rng: random.Random) -> dict[str, Any]:
    return {**item, "date": f"{month}-{rng.randint(1, 28):02d}"}


def variant(shape: str, items: list[dict[str, Any]], month: str, english: list[dict[str, Any]],
            rng: random.Random) -> list[dict[str, Any]]:
    """One corpus of ``shape`` drawn from ``items`` (a month's corpus) with ``rng``."""
    current = [i for i in items if _in_month(i, month)]
    if shape == "subset":
        return rng.sample(items, rng.randint(1, len(items)))
    if shape == "duplicate":
        picked = rng.sample(current, min(len(current), 6))
        return items + [{**i, "id": f"{i['id']}-dup{n}"} for n, i in enumerate(picked)]
    if shape == "empty_category":
        cats = sorted({str(i.get("category")) for i in current if i.get("category")})
        gone = rng.choice(cats)
        return [i for i in items if i.get("category") != gone]
    if shape == "one_item":
        return [rng.choice(current)]
    if shape == "out_of_window":
        return [{**i, "date": f"{int(month[:4]) - 1}{str(i['date'])[4:]}"} for i in items]
    if shape == "all_english":
        return [_redate(i, month, rng) for i in english]
    if shape == "no_categories":
        return [{k: v for k, v in i.items() if k != "category"} for i in rng.sample(items, min(len(items), 25))]
    raise ValueError(shape)


def _english(months_dir: Path) -> list[dict[str, Any]]:
    return [i for p in sorted(months_dir.glob("*/corpus.jsonl")) for i in _read(p)
            if not re.search(r"[\u4e00-\u9fff]", i["body"])]


def _bases(months_dir: Path) -> list[tuple[str, Path, list[dict[str, Any]], str]]:
    bases = [("sample", SAMPLE_DIR / "pack", _read(SAMPLE_DIR / "corpus.jsonl"), "2024-07")]
    for root in sorted(p.parent for p in months_dir.glob("*/truth.yaml")):
        month = (root / "truth.yaml").read_text(encoding="utf-8").split("month: ", 1)[1].split("\n", 1)[0].strip("'\"")
        bases.append((root.name, root / "pack", _read(root / "corpus.jsonl"), month))
    return bases


def _examples(months_dir: Path) -> list[tuple[str, str, Path, list[dict[str, Any]], str]]:
    rng = random.Random(20241206)
    bases, english = _bases(months_dir), _english(months_dir)
    out = []
    for n in range(EXAMPLES):
        shape = SHAPES[n % len(SHAPES)]
        name, pack, items, month = bases[rng.randrange(len(bases))]
        out.append((f"{n}-{shape}-{name}", shape, pack, variant(shape, items, month, english, rng), month))
    return out


def test_every_drawn_corpus_drafts_and_loses_nothing(months_dir: Path, tmp_path: Path) -> None:
    problems: list[str] = []
    for label, _, pack, items, month in _examples(months_dir):
        corpus = tmp_path / f"{label}.jsonl"
        corpus.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
        # the hash embedding keeps each draft to seconds: placement, not retrieval quality, is under test here
        report = draft_report(pack, corpus, tmp_path / label, get_settings(engine="offline", embedding="hash"))
        failed = [f"{s.id}: {s.error}" for s in report.sections if s.status == "failed"]
        problems += [f"{label}: failed {f}" for f in failed]
        cited = {s.title for s in report.sources
                 if any(f"[{s.marker}]" in sec.markdown for sec in report.sections)}
        named = " ".join(f"{f.sentence} {f.detail}" for f in
                         [*report.checks, *(f for sec in report.sections for f in sec.findings)])
        month_start = dt.date.fromisoformat(f"{month}-01")
        for item in items:
            day = dt.date.fromisoformat(str(item["date"]))
            if (day.year, day.month) != (month_start.year, month_start.month):
                continue
            if item["title"] not in cited and item["title"] not in named:
                problems.append(f"{label}: lost {item['title']}")
        md = (tmp_path / label / "report.md").read_text(encoding="utf-8")
        if "起草失败" in md:
            problems.append(f"{label}: error text in report.md")
    assert not problems, "\n".join(problems)
