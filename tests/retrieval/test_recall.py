"""Retrieval quality on the bundled sample corpus with the DEFAULT embedding (use-static): recall@5 and MRR."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import PROJECT_DIR
from assistant.errors import InputError
from assistant.retrieval import Retriever
from assistant.retrieval.evaluate import LabelledQuery, evaluate, load_queries
from assistant.settings import get_settings
from assistant.store import ingest, open_store

SAMPLE = PROJECT_DIR / "assistant" / "data" / "sample"


def _queries() -> list[LabelledQuery]:
    return load_queries(SAMPLE / "queries.yaml")


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory) -> Retriever:
    settings = get_settings(store_dir=tmp_path_factory.mktemp("recall") / "store")
    assert settings.embedding == "use-static"
    ingest(SAMPLE / "corpus.jsonl", settings)
    return Retriever(open_store(settings))


@pytest.mark.slow
def test_recall_at_5_on_sample_queries(retriever: Retriever) -> None:
    queries = _queries()
    assert len(queries) >= 40
    for mode in ("dense", "bm25", "hybrid"):
        for use_category in (True, False):
            r = evaluate(retriever, queries, mode=mode, use_category=use_category)
            print(f"\n{mode} (category filter {use_category}): recall@5={r.recall:.3f} MRR={r.mrr:.3f} "
                  f"over {r.queries} queries; misses={r.misses}")
    result = evaluate(retriever, queries, mode="hybrid")
    assert result.recall >= 0.95, result.misses
    assert result.mrr >= 0.9


def test_every_labelled_doc_is_in_the_corpus(retriever: Retriever) -> None:
    ids = {d for q in _queries() for d in q.relevant}
    assert set(retriever.get_items(sorted(ids))) == ids


def test_a_bad_query_file_names_file_and_entry(tmp_path: Path) -> None:
    path = tmp_path / "queries.yaml"
    path.write_text('- {query: "FlashAttention-3", relevant: [a], from: "2024-13-01"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="第 1 条查询无效") as info:
        load_queries(path)
    assert info.value.file == str(path)
