from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from assistant.cli import main
from assistant.errors import InputError
from assistant.retrieval import BM25Index, Retriever, rrf, tokenize
from assistant.settings import Settings
from assistant.store import ingest, open_store
from tests.retrieval.conftest import NEWS, write_corpus


@pytest.fixture
def retriever(corpus: Path, settings: Settings) -> Retriever:
    ingest(corpus, settings)
    return Retriever(open_store(settings))


def test_tokenize_lowercases_english_and_drops_punctuation() -> None:
    assert sorted(tokenize("OpenAI 发布 GPT-4o，价格下降！")) == sorted(["openai", "发布", "gpt", "4o", "价格", "下降", "价格下降"])


def test_bm25_scores_equal_rank_bm25() -> None:
    docs = [tokenize(t) for _, _, t, b, *_ in NEWS for t in [t + b]]
    index, reference = BM25Index(docs), BM25Okapi(docs)
    for query in ("英伟达 GPU 芯片", "数据交易所 挂牌", "OpenAI mini 价格"):
        q = tokenize(query)
        np.testing.assert_allclose(index.scores(q), reference.get_scores(q), rtol=1e-5, atol=1e-6)


def test_bm25_matches_rank_bm25_with_empty_documents_and_common_terms() -> None:
    """The idf floor (a term in more than half the documents) and the empty-document placeholder, as rank_bm25."""
    docs = [["算力", "芯片", "算力"], [], ["算力", "数据"], ["算力", "芯片"], ["政策"]]
    index, reference = BM25Index(docs), BM25Okapi([d or ["\x00"] for d in docs])
    for q in (["算力"], ["芯片", "数据"], ["政策", "算力", "无此词"]):
        np.testing.assert_allclose(index.scores(q), reference.get_scores(q), rtol=1e-5, atol=1e-6)
    saved = BM25Index.from_arrays(*index.to_arrays())
    np.testing.assert_allclose(saved.scores(["芯片", "数据"]), index.scores(["芯片", "数据"]))


def test_rrf_rewards_agreement() -> None:
    fused = rrf([[1, 2, 3], [3, 1]])
    assert max(fused, key=lambda r: fused[r]) == 1 and fused[3] > fused[2]


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_relevant_story_ranks_first(retriever: Retriever, mode: str) -> None:
    hits = retriever.search("上海数据交易所挂牌", k=3, mode=mode)  # type: ignore[arg-type]
    assert hits[0].doc_id == "d2" and hits[0].title == "上海数据交易所挂牌数量创新高"
    assert hits[0].date == dt.date(2024, 7, 22) and hits[0].category == "data_exchange"


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_date_window_is_a_filter_not_a_hope(retriever: Retriever, mode: str) -> None:
    for query in ("英伟达 GPU 芯片", "数据", "大模型", "天气"):
        hits = retriever.search(query, k=8, date_from="2024-07-01", date_to=dt.date(2024, 7, 31),
                                mode=mode)  # type: ignore[arg-type]
        assert all(dt.date(2024, 7, 1) <= h.date <= dt.date(2024, 7, 31) for h in hits)
    gpu = {h.doc_id for h in retriever.search("英伟达 GPU 芯片", k=8, date_from="2024-07-01", date_to="2024-07-31",
                                              mode=mode)}  # type: ignore[arg-type]
    assert "c2" in gpu and not gpu & {"c1", "c4"}


def test_category_and_source_filters(retriever: Retriever) -> None:
    hits = retriever.search("英伟达 GPU", k=8, categories=["compute"], sources=["IT之家"])
    assert {h.doc_id for h in hits} == {"c1", "c4"}
    assert retriever.search("英伟达", k=8, categories=["funding"]) == []


def test_one_hit_per_document_by_default(corpus: Path, settings: Settings, tmp_path: Path) -> None:
    long = ("big", "2024-07-05", "英伟达长文", "".join(f"英伟达 GPU 第{i}段分析，芯片供需。" for i in range(40)), "长文源", "compute")
    ingest(write_corpus(tmp_path / "long.jsonl", [long]), settings)
    r = Retriever(open_store(settings))
    hits = r.search("英伟达 GPU 芯片", k=8)
    assert len({h.doc_id for h in hits}) == len(hits)
    assert len([h for h in r.search("英伟达 GPU 芯片", k=8, one_per_doc=False) if h.doc_id == "big"]) > 1


def test_index_is_rebuilt_when_the_store_changes(retriever: Retriever, settings: Settings, tmp_path: Path) -> None:
    assert retriever.search("具身智能机器人", k=3, mode="bm25") == []
    new = ("n1", "2024-07-30", "具身智能机器人亮相", "多款具身智能机器人在大会亮相。", "新华社", "product")
    ingest(write_corpus(tmp_path / "more.jsonl", [new]), settings)
    assert [h.doc_id for h in retriever.search("具身智能机器人", k=3, mode="bm25")] == ["n1"]


def test_bad_window_date_is_input_error(retriever: Retriever) -> None:
    with pytest.raises(InputError, match="date_from"):
        retriever.search("x", date_from="2024/07/01")


def test_get_items_returns_whole_items(retriever: Retriever) -> None:
    items = retriever.get_items(["l1", "missing"])
    assert list(items) == ["l1"] and items["l1"].body.startswith("OpenAI 发布")


def test_cli_ingest_and_search_json(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("RA_EMBEDDING", "hash")
    store = str(tmp_path / "cli-store")
    assert main(["ingest", "--corpus", str(corpus), "--store", store]) == 0
    out = capsys.readouterr().out
    assert "新增" in out and str(len(NEWS)) in out
    assert main(["search", "英伟达 GPU", "--k", "2", "--from", "2024-07-01", "--to", "2024-07-31",
                 "--category", "compute", "--store", store, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 2 and {r["doc_id"] for r in rows} <= {"c2", "c3"}
    assert set(rows[0]) >= {"doc_id", "title", "date", "score", "source", "category"}


def test_cli_skip_bad_reports_skipped_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("RA_EMBEDDING", "hash")
    f = write_corpus(tmp_path / "c.jsonl")
    f.write_text(f.read_text(encoding="utf-8") + "{broken\n", encoding="utf-8")
    store = str(tmp_path / "s")
    assert main(["ingest", "--corpus", str(f), "--store", store]) == 1
    assert "第 9 行" in " ".join(capsys.readouterr().err.split())  # rich wraps long lines
    assert main(["ingest", "--corpus", str(f), "--store", store, "--skip-bad"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "跳过" in out and "第 9 行" in out


@pytest.mark.parametrize("exact_below", [0.0, 1.01])
def test_hnsw_and_exact_dense_paths_agree_on_the_window(corpus: Path, settings: Settings,
                                                        exact_below: float) -> None:
    ingest(corpus, settings)
    r = Retriever(open_store(settings), exact_below=exact_below)
    hits = r.search("英伟达 GPU 芯片", k=3, date_from="2024-07-01", date_to="2024-07-31", mode="dense")
    assert hits and hits[0].doc_id == "c2"
    assert all(dt.date(2024, 7, 1) <= h.date <= dt.date(2024, 7, 31) for h in hits)
    assert (r._snap is not None and r._snap.vectors is not None) == (exact_below > 0.5)


def test_saved_snapshot_is_reused_until_the_store_changes(corpus: Path, settings: Settings, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.retrieval import retriever as module

    ingest(corpus, settings)
    expected = [h.doc_id for h in Retriever(open_store(settings)).search("英伟达 GPU", k=4)]
    builds: list[str] = []
    real_build = module.build_snapshot
    monkeypatch.setattr(module, "build_snapshot", lambda store, gen: builds.append(gen) or real_build(store, gen))
    assert [h.doc_id for h in Retriever(open_store(settings)).search("英伟达 GPU", k=4)] == expected
    assert builds == []  # a fresh process-like retriever loaded the saved snapshot
    ingest(write_corpus(tmp_path / "n.jsonl", [("n9", "2024-07-29", "新闻", "英伟达 GPU 再发布。", "源", "compute")]),
           settings)
    hits = Retriever(open_store(settings)).search("英伟达 GPU 再发布", k=4, mode="bm25")
    assert len(builds) == 1 and hits[0].doc_id == "n9"


def _save_many(base: str, n: int) -> None:
    from assistant.retrieval.snapshot import Snapshot, save_snapshot

    snap = Snapshot("g1", ["a#0", "b#0"], ["算力 芯片", "数据 交易所"], [{"doc_id": "a"}, {"doc_id": "b"}],
                    BM25Index([["算力", "芯片"], ["数据", "交易所"]]))
    for _ in range(n):
        save_snapshot(snap, Path(base))


def test_workers_sharing_a_store_save_the_same_snapshot_at_once(tmp_path: Path) -> None:
    """Two workers on one store used to rename each other's temporary file away (FileNotFoundError in a job)."""
    import multiprocessing

    from assistant.retrieval.snapshot import load_snapshot

    base = tmp_path / "news.snapshot"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_save_many, args=(str(base), 40)) for _ in range(3)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=120)
    assert [proc.exitcode for proc in procs] == [0, 0, 0]
    snap = load_snapshot(base, "g1")
    assert snap is not None and snap.ids == ["a#0", "b#0"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["news.json", "news.npz"]


def test_a_snapshot_that_cannot_be_saved_still_answers(corpus: Path, settings: Settings,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.retrieval import retriever as module

    ingest(corpus, settings)

    def full_disk(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(module, "save_snapshot", full_disk)
    assert Retriever(open_store(settings)).search("英伟达 GPU", k=2, mode="bm25")


def test_bm25_index_round_trips_through_arrays() -> None:
    docs = [tokenize(t + b) for _, _, t, b, *_ in NEWS]
    index = BM25Index(docs)
    again = BM25Index.from_arrays(*index.to_arrays())
    q = tokenize("英伟达 数据交易所")
    np.testing.assert_array_equal(index.scores(q), again.scores(q))


def test_filtered_chroma_query_is_the_fallback_when_too_few_survive(retriever: Retriever,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    retriever.exact_below = 0.0
    calls: list[object] = []
    real_query = retriever.store.query

    def query(embedding: np.ndarray, n: int, where: dict[str, object] | None = None) -> tuple[list[str], list[float]]:
        calls.append(where)
        if where is None:  # pretend the approximate index only found stories outside the window
            return ["c1#0", "c4#0"], [0.1, 0.2]
        return real_query(embedding, n, where)

    monkeypatch.setattr(retriever.store, "query", query)
    hits = retriever.search("英伟达 GPU", k=2, date_from="2024-07-01", date_to="2024-07-31", mode="dense")
    assert calls[0] is None and calls[1] == {"$and": [{"date": {"$gte": 20240701}}, {"date": {"$lte": 20240731}}]}
    assert hits and all(h.date.month == 7 for h in hits)
