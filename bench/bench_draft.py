"""Drafting benchmarks (prints figures; targets live here, never in unit tests).

1. The full 12-section sample report through the real openai engine against the local fake server with a fixed
   latency per call (default 2 s), at concurrency 8, 4 and 1: wall time, model calls, tokens, estimated cost, and
   the wall time against the longest dependency chain of model calls (target: within 1.3x of the chain). At
   concurrency 4 the 8 independent sections need two rounds, so the best possible schedule is one round longer
   than the chain; the bench prints that bound too.
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
from assistant.drafting.template import load_template
from assistant.llm.calllog import CallLog
from assistant.settings import get_settings

PACK, CORPUS = SAMPLE_DIR / "pack", SAMPLE_DIR / "corpus.jsonl"
OFFLINE_TARGET_S = 15.0


_NO_MODEL_KINDS = ("static", "disclosures")


def _call_depths() -> dict[str, int]:
    """Model calls on the longest dependency path ending at each section (sections without a call add 0)."""
    template = load_template()
    specs = {s.id: s for s in template.sections}
    depth: dict[str, int] = {}

    def visit(section_id: str) -> int:
        if section_id not in depth:
            spec = specs[section_id]
            own = 0 if spec.kind in _NO_MODEL_KINDS else 1
            depth[section_id] = own + max((visit(d) for d in spec.depends_on), default=0)
        return depth[section_id]

    for section_id in specs:
        visit(section_id)
    return depth


def _best_schedule_s(concurrency: int, latency: float) -> float:
    """Wall time of an ideal scheduler: level by level, each level in ceil(n / concurrency) rounds."""
    depths = _call_depths()
    template = {s.id: s for s in load_template().sections}
    levels: dict[int, int] = {}
    for section_id, d in depths.items():
        if template[section_id].kind not in _NO_MODEL_KINDS:
            levels[d] = levels.get(d, 0) + 1
    return sum(-(-n // concurrency) for n in levels.values()) * latency


def _openai_run(root: Path, server: FakeOpenAIServer, concurrency: int, store: Path, latency: float) -> None:
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
    starts = [c.at.timestamp() - c.latency_s for c in calls]
    model_phase = max(c.at.timestamp() for c in calls) - min(starts) if calls else 0.0
    chain = max(_call_depths().values()) * latency
    best = _best_schedule_s(concurrency, latency)
    print(f"        longest dependency chain {chain:.1f} s (1.3x = {1.3 * chain:.1f} s) | best schedule at this "
          f"concurrency {best:.1f} s | model phase {model_phase:.2f} s (first call start to last call end) | "
          f"model phase/chain {model_phase / chain:.2f} | model phase/best {model_phase / best:.2f}")


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
            for concurrency in (8, 4, 1):
                _openai_run(root, server, concurrency, store, args.latency)


if __name__ == "__main__":
    main()
