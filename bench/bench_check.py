"""Benchmark: compliance checks over the bundled sample report. Target: < 2 s for load + run_checks.

Usage: python bench/bench_check.py [OUT_DIR] [--repeat N]
Without OUT_DIR the sample is first drafted offline into a temporary folder (not timed as part of the check).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from assistant import SAMPLE_DIR
from assistant.checks import load_check_config, run_checks
from assistant.checks.inputs import load_check_inputs

TARGET_S = 2.0


def _draft_sample(out_dir: Path) -> float:
    from assistant.drafting import draft_report
    from assistant.settings import get_settings

    settings = get_settings(engine="offline", embedding="hash", max_concurrency=1)
    start = time.perf_counter()
    draft_report(SAMPLE_DIR / "pack", SAMPLE_DIR / "corpus.jsonl", out_dir, settings)
    return time.perf_counter() - start


def _time_check(out_dir: Path) -> tuple[float, float, Counter[str], int]:
    start = time.perf_counter()
    inputs = load_check_inputs(out_dir)
    loaded = time.perf_counter()
    findings = run_checks(inputs.report, inputs.items, pack=inputs.pack, tables=inputs.tables,
                          config=load_check_config())
    done = time.perf_counter()
    sentences = sum(len(s.markdown) for s in inputs.report.sections)
    return loaded - start, done - loaded, Counter(f.severity for f in findings), sentences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out_dir", nargs="?", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-check-") as tmp:
        out_dir = args.out_dir
        if out_dir is None:
            out_dir = Path(tmp) / "out"
            print(f"drafted sample offline in {_draft_sample(out_dir):.2f} s (not part of the check timing)")
        runs = [_time_check(out_dir) for _ in range(args.repeat)]
    totals = [load + check for load, check, _, _ in runs]
    load_s, check_s, counts, chars = runs[-1]
    print(f"report: {chars:,} characters of section markdown; findings: {dict(counts)}")
    print(f"load inputs: {load_s * 1000:.0f} ms, run_checks: {check_s * 1000:.0f} ms (last run)")
    print(f"load + check over {args.repeat} runs: median {statistics.median(totals):.3f} s, "
          f"max {max(totals):.3f} s, target < {TARGET_S:.1f} s -> {'OK' if max(totals) < TARGET_S else 'SLOW'}")


if __name__ == "__main__":
    main()
