"""One store, two corpora: a report searches and cites only its own corpus (issue 22, item 6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.drafting.orchestrator import draft_report
from assistant.retrieval import Retriever
from assistant.settings import Settings, get_settings
from assistant.store import ingest, open_store
from tests.retrieval.conftest import NEWS, write_corpus

SAMPLE = Path(__file__).resolve().parents[2] / "assistant" / "data" / "sample"

# Corpus A: stories that match corpus B's queries better than B's own items do.
ONLY_A = [
    ("a1", "2024-07-09", "英伟达 GPU 芯片 数据中心 出货", "英伟达 GPU 芯片出货，数据中心 GPU 芯片需求旺盛，GPU 芯片。",
     "甲报", "compute"),
    ("a2", "2024-07-12", "上海数据交易所挂牌 数据交易所挂牌", "上海数据交易所挂牌数据产品，数据交易所挂牌。",
     "乙报", "data_exchange"),
]


@pytest.fixture
def shared(tmp_path: Path, settings: Settings) -> tuple[Retriever, set[str]]:
    ingest(write_corpus(tmp_path / "a.jsonl", ONLY_A), settings)
    ingest(write_corpus(tmp_path / "b.jsonl", NEWS), settings)
    return Retriever(open_store(settings)), {row[0] for row in NEWS}


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_search_with_doc_ids_never_leaves_the_corpus(shared: tuple[Retriever, set[str]], mode: str) -> None:
    retriever, b_ids = shared
    for query in ("英伟达 GPU 芯片", "上海数据交易所挂牌", "数据中心"):
        everything = {h.doc_id for h in retriever.search(query, k=8, mode=mode)}  # type: ignore[arg-type]
        assert everything & {"a1", "a2"}  # without the filter A's items do rank
        scoped = retriever.search(query, k=8, mode=mode, doc_ids=b_ids)  # type: ignore[arg-type]
        assert scoped and {h.doc_id for h in scoped} <= b_ids
    assert retriever.search("英伟达 GPU 芯片", k=8, doc_ids=()) == []


def test_scoped_retriever_filters_every_search_and_item_lookup(shared: tuple[Retriever, set[str]]) -> None:
    retriever, b_ids = shared
    scoped = retriever.scoped(b_ids)
    hits = scoped.search("英伟达 GPU 芯片", k=8, date_from="2024-07-01", date_to="2024-07-31", categories=["compute"])
    assert hits and {h.doc_id for h in hits} <= b_ids
    assert set(scoped.get_items(["a1", "c2"])) == {"c2"}


def test_chroma_where_path_carries_the_doc_filter(shared: tuple[Retriever, set[str]]) -> None:
    """Broad filters take the HNSW path and fall back to Chroma's ``where``: that path filters by doc id too."""
    retriever, _ = shared
    retriever.exact_below, retriever.overfetch = 0.0, 1
    hits = retriever.search("英伟达 GPU 芯片", k=3, mode="dense", doc_ids={"c2", "c3"})
    assert hits and {h.doc_id for h in hits} <= {"c2", "c3"}


def test_a_copy_of_another_corpus_item_is_indexed_for_its_own_corpus(tmp_path: Path, settings: Settings) -> None:
    """A near-duplicate of another corpus's item used to be linked to it and not indexed: unfindable in B."""
    ingest(write_corpus(tmp_path / "a.jsonl", [NEWS[1]]), settings)
    copy = ("b-copy", *NEWS[1][1:])
    report = ingest(write_corpus(tmp_path / "b.jsonl", [copy]), settings)
    assert report.duplicates_linked == 0
    hits = Retriever(open_store(settings)).search("Blackwell GPU 量产", k=3, doc_ids={"b-copy"})
    assert [h.doc_id for h in hits] == ["b-copy"]


@pytest.mark.slow
def test_report_drafted_from_b_never_cites_an_item_only_in_a(tmp_path: Path) -> None:
    store = tmp_path / "shared-store"
    settings = get_settings(engine="offline", embedding="hash", store_dir=store, max_concurrency=1)
    planted = [{"id": "only-in-a-compute", "date": "2024-07-16", "title": "AI 芯片发布：GPU 算力 数据中心 智算中心算力网",
                "body": "AI 芯片 发布 算力。AI 服务器 GPU 数据中心。智算中心 算力网 建设加速，AI 芯片发布算力提升。",
                "source": "甲报", "category": "compute"}]
    corpus_a = tmp_path / "a.jsonl"
    corpus_a.write_text(json.dumps(planted[0], ensure_ascii=False) + "\n", encoding="utf-8")
    ingest(corpus_a, settings)
    report = draft_report(SAMPLE / "pack", SAMPLE / "corpus.jsonl", tmp_path / "out", settings,
                          sections=["compute_dynamics"])
    cited = {s.doc_id for s in report.sources}
    assert cited, "the section cites the sample's own compute news"
    assert "only-in-a-compute" not in cited
    assert "智算中心算力网" not in (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
