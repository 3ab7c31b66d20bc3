"""Drafting benchmarks (prints figures; targets live here, never in unit tests).

1. The full 12-section sample report through the real openai engine against the local fake server with a fixed
   latency per call (default 2 s), at concurrency 4 and 1: wall time, model calls, tokens, estimated cost.
2. The offline engine drafting the whole sample from scratch (target < 15 s, ingest included).

    python bench/bench_draft.py [--latency 2.0]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fakes.openai_server import FakeOpenAIServer

from assistant import SAMPLE_DIR
from assistant.drafting import draft_report
from assistant.llm.calllog import CallLog
from assistant.settings import get_settings

PACK, CORPUS = SAMPLE_DIR / "pack", SAMPLE_DIR / "corpus.jsonl"
OFFLINE_TARGET_S = 15.0


def _openai_run(root: Path, server: FakeOpenAIServer, concurrency: int, store: Path) -> None:
    out = root / f"openai-c{concurrency}"
    settings = get_settings(engine="openai", openai_api_key="sk-bench", openai_base_url=server.base_url,
                            model="fake-model", max_concurrency=concurrency, store_dir=store)
    started = time.perf_counter()
    report = draft_report(PACK, CORPUS, out, settings, force=True)
    wall = time.perf_counter() - started
    calls = CallLog.read(out / "calls.jsonl")
    failed = [s.id for s in report.sections if s.status == "failed"]
    print(f"openai  concurrency={concurrency}: wall {wall:6.2f} s | sections {len(report.sections)} "
          f"(failed {len(failed)}) | calls {len(calls)} | prompt tokens {sum(c.prompt_tokens for c in calls)} | "
          f"completion tokens {sum(c.completion_tokens for c in calls)} | "
          f"cost ${sum(c.cost_usd for c in calls):.4f}")


def _offline_run(root: Path) -> None:
    started = time.perf_counter()
    report = draft_report(PACK, CORPUS, root / "offline", get_settings(engine="offline"))
    wall = time.perf_counter() - started
    verdict = "OK" if wall < OFFLINE_TARGET_S else "OVER TARGET"
    print(f"offline full sample draft (ingest included): {wall:.2f} s (target < {OFFLINE_TARGET_S:g} s: {verdict}) "
          f"| sections {len(report.sections)} | sources {len(report.sources)}")
    started = time.perf_counter()
    draft_report(PACK, CORPUS, root / "offline", get_settings(engine="offline"))
    print(f"offline re-run with every stage persisted: {time.perf_counter() - started:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency", type=float, default=2.0, help="fake server latency per call (s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-draft-") as tmp:
        root = Path(tmp)
        _offline_run(root)
        store = root / "offline" / "store"  # already ingested: the model runs measure drafting only
        with FakeOpenAIServer(latency_s=args.latency) as server:
            for concurrency in (4, 1):
                _openai_run(root, server, concurrency, store)


if __name__ == "__main__":
    main()
