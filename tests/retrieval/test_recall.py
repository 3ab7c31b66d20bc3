"""Retrieval quality on the bundled sample corpus with the DEFAULT embedding (USE): recall@5 and MRR."""

from __future__ import annotations

import pytest
import yaml

from assistant import PROJECT_DIR
from assistant.retrieval import Retriever
from assistant.settings import get_settings
from assistant.store import ingest, open_store

SAMPLE = PROJECT_DIR / "assistant" / "data" / "sample"


def _queries() -> list[dict[str, object]]:
    return list(yaml.safe_load((SAMPLE / "queries.yaml").read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory) -> Retriever:
    settings = get_settings(store_dir=tmp_path_factory.mktemp("recall") / "store")
    assert settings.embedding == "use"
    ingest(SAMPLE / "corpus.jsonl", settings)
    return Retriever(open_store(settings))


def _evaluate(retriever: Retriever, mode: str, use_category: bool = True) -> tuple[float, float, list[str]]:
    queries = _queries()
    found, rr, misses = 0, 0.0, []
    for q in queries:
        relevant = set(q["relevant"])  # type: ignore[arg-type]
        hits = retriever.search(str(q["query"]), k=5, date_from=str(q["from"]), date_to=str(q["to"]),
                                categories=[str(q["category"])] if use_category and q.get("category") else None,
                                mode=mode)  # type: ignore[arg-type]
        ranks = [n for n, h in enumerate(hits, start=1) if h.doc_id in relevant]
        found += bool(ranks)
        rr += 1.0 / ranks[0] if ranks else 0.0
        if not ranks:
            misses.append(str(q["query"]))
    return found / len(queries), rr / len(queries), misses


@pytest.mark.slow
def test_recall_at_5_on_sample_queries(retriever: Retriever) -> None:
    queries = _queries()
    assert len(queries) >= 40
    for mode in ("dense", "bm25", "hybrid"):
        recall, mrr, misses = _evaluate(retriever, mode)
        print(f"\n{mode}: recall@5={recall:.3f} MRR={mrr:.3f} over {len(queries)} queries; misses={misses}")
        recall, mrr, misses = _evaluate(retriever, mode, use_category=False)
        print(f"{mode} without category filter: recall@5={recall:.3f} MRR={mrr:.3f}; misses={misses}")
    recall, mrr, misses = _evaluate(retriever, "hybrid")
    assert recall >= 0.95, misses


def test_every_labelled_doc_is_in_the_corpus(retriever: Retriever) -> None:
    ids = {d for q in _queries() for d in q["relevant"]}  # type: ignore[attr-defined]
    assert set(retriever.get_items(sorted(ids))) == ids
