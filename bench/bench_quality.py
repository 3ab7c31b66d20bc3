"""Draft quality against the seed (prints figures; targets live here, never in unit tests).

Drafts the July sample with the offline engine (or reads an existing draft with --out) and scores it with
``assistant.evaluation.quality`` against the hand-derived gold in tests/drafting/data/quality_2024_07.yaml.

    python bench/bench_quality.py [--out DIR] [--verbose]
    python bench/bench_quality.py --months [DIR] [--verbose]

``--months`` scores July and every month ``scripts/make_months.py`` writes (into DIR, or a temporary folder) against
its own ``truth.yaml``: exit status, failed sections, facts kept, funding cells right, items placed, items silently
lost, mid-context starts, false blocking findings, non-financing items in the funding table, error text in report.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import tempfile
import time
from pathlib import Path
from types import ModuleType

import yaml

from assistant import SAMPLE_DIR
from assistant.drafting import draft_report
from assistant.evaluation.months import MonthScore, MonthTruth, evaluate_month, load_truth
from assistant.evaluation.quality import QualityScore, evaluate_quality, load_gold
from assistant.export import load_report
from assistant.models import Report
from assistant.settings import get_settings

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "drafting" / "data" / "quality_2024_07.yaml"
PACK, CORPUS = SAMPLE_DIR / "pack", SAMPLE_DIR / "corpus.jsonl"
TARGETS = {"headline facts kept": "≥ 30/35", "mid-context starts": "0", "rows cut inside quotes or at ；": "0",
           "funding cells right": "≥ 90%", "seed items in their proper table": "≥ 52/53",
           "我们认为 not the analyst's / not marked": "0", "overseas names under A-share advice": "0"}


def overseas_names(report: Report) -> list[str]:
    """Names of the overseas watchlist as the computed table T5 prints them."""
    table = next((t for t in report.tables if t.id == "T5"), None)
    return [r[1] for r in table.rows if len(r) > 1] if table is not None else []


def analyst_views(pack_dir: Path) -> list[str]:
    path = pack_dir / "views.yaml"
    if not path.is_file():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [str(t.get("view") or "") for t in data.get("theses") or [] if isinstance(t, dict)]


def score_report(report: Report, pack_dir: Path = PACK) -> QualityScore:
    return evaluate_quality(report, load_gold(GOLD), overseas_names=overseas_names(report),
                            analyst_views=analyst_views(pack_dir))


def _print(score: QualityScore, verbose: bool) -> None:
    for name, value in score.figures().items():
        print(f"  {name:<42} {value:>8}   target {TARGETS[name]}")
    if verbose:
        for label, misses in (("facts missing", score.facts_missing), ("mid-context", score.mid_context),
                              ("cut", score.cut_rows), ("funding wrong", score.funding_wrong),
                              ("items missing", score.items_missing), ("unowned views", score.unowned_views),
                              ("overseas in advice", score.overseas_in_advice)):
            for miss in misses:
                print(f"    {label}: {miss}")


def _load_months_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_months", ROOT / "scripts" / "make_months.py")
    if spec is None or spec.loader is None:
        raise SystemExit("scripts/make_months.py not found")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def score_month(name: str, pack: Path, corpus: Path, truth: MonthTruth, out: Path) -> tuple[MonthScore, float]:
    start = time.perf_counter()
    report = draft_report(pack, corpus, out, get_settings(engine="offline"))
    seconds = time.perf_counter() - start
    md = (out / "report.md").read_text(encoding="utf-8")
    score = evaluate_month(report, truth, report_md=md, analyst_views=analyst_views(pack))
    score.name = name
    return score, seconds


def months_table(root: Path | None, verbose: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        months_dir = root or Path(tmp) / "months"
        if not any(months_dir.glob("*/truth.yaml")):
            _load_months_script().build_months(months_dir)
        runs = [("2024-07 (sample)", PACK, CORPUS, MonthTruth.model_validate(load_gold(GOLD).model_dump()))]
        runs += [(d.name, d / "pack", d / "corpus.jsonl", load_truth(d / "truth.yaml"))
                 for d in sorted(p.parent for p in months_dir.glob("*/truth.yaml"))]
        rows = []
        for name, pack, corpus, truth in runs:
            score, seconds = score_month(name, pack, corpus, truth, Path(tmp) / "out" / name.split()[0])
            rows.append({**score.row(), "s": f"{seconds:.0f}"})
            if verbose:
                for label, misses in score.misses.items():
                    for miss in misses:
                        print(f"  {name} {label}: {miss}")
    header = list(rows[0])
    print("| " + " | ".join(header) + " |")
    print("|" + " --- |" * len(header))
    for row in rows:
        print("| " + " | ".join(row[h] for h in header) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, help="score an existing draft folder instead of drafting the sample")
    parser.add_argument("--verbose", action="store_true", help="list every miss")
    parser.add_argument("--months", nargs="?", const=True, default=None, type=Path,
                        help="score July and the generated months (in DIR, written there when missing)")
    args = parser.parse_args()
    if args.months is not None:
        months_table(None if args.months is True else args.months, args.verbose)
        return
    if args.out:
        report = load_report(args.out)
        print(f"draft {args.out}")
    else:
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            report = draft_report(PACK, CORPUS, Path(tmp), get_settings(engine="offline"))
            print(f"offline draft of the sample: {time.perf_counter() - start:.1f} s (target < 15 s)")
    _print(score_report(report), args.verbose)


if __name__ == "__main__":
    main()
