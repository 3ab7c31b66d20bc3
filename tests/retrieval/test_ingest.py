from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assistant.errors import StoreError
from assistant.progress import ProgressEvent
from assistant.settings import Settings
from assistant.store import ingest, open_store
from tests.retrieval.conftest import NEWS, write_corpus


def test_ingest_then_reingest_changes_nothing(corpus: Path, settings: Settings) -> None:
    events: list[ProgressEvent] = []
    first = ingest(corpus, settings, events.append)
    assert (first.added, first.updated, first.unchanged) == (len(NEWS), 0, 0)
    assert events[-1].status == "ok"
    store = open_store(settings)
    count, generation = store.count(), store.generation()
    second = ingest(corpus, settings)
    assert (second.added, second.updated, second.unchanged, second.chunks_added) == (0, 0, len(NEWS), 0)
    assert (store.count(), store.generation()) == (count, generation)


def test_changed_item_replaces_its_chunks_and_new_items_are_added(corpus: Path, settings: Settings,
                                                                  tmp_path: Path) -> None:
    ingest(corpus, settings)
    rows = [r if r[0] != "c2" else (*r[:3], "".join(f"英伟达 Blackwell 第{i}批推迟发货。" for i in range(30)), *r[4:]) for r in NEWS]
    rows.append(("n1", "2024-07-30", "新条目", "新的独立新闻：具身智能机器人亮相。", "新华社", "product"))
    report = ingest(write_corpus(tmp_path / "v2.jsonl", rows), settings)
    assert (report.added, report.updated, report.unchanged) == (1, 1, len(NEWS) - 1)
    assert report.embeddings_cached == 0
    store = open_store(settings)
    stored = store.all_chunks()
    c2_texts = [t for t, m in zip(stored.texts, stored.metadatas, strict=True) if m["doc_id"] == "c2"]
    assert len(c2_texts) > 1 and all("推迟发货" in t for t in c2_texts)
    assert len(store.chunks.get(where={"doc_id": "c2"})["ids"]) == len(c2_texts)  # vectors replaced alike
    assert "推迟发货" in store.get_items(["c2"])["c2"].body


def test_embeddings_are_cached_by_text(corpus: Path, settings: Settings, tmp_path: Path) -> None:
    ingest(corpus, settings)
    store = open_store(settings)
    store.delete_chunks([r[0] for r in NEWS])  # simulate a rebuilt collection with the cache still warm
    store.items.delete([r[0] for r in NEWS])
    again = ingest(corpus, settings)
    assert again.added == len(NEWS) and again.embeddings_cached == again.chunks_added > 0


def test_near_duplicate_is_linked_not_indexed(corpus: Path, settings: Settings, tmp_path: Path) -> None:
    ingest(corpus, settings)
    copy = ("dup", "2024-07-09", "另一家媒体：Blackwell 量产", "【转载】英伟达 Blackwell 架构 GPU 进入量产，数据中心需求旺盛！",
            "财联社", "compute")
    # the corpus grows by a copy of one of its own items (a copy of another corpus's item is indexed: one corpus
    # per report, tests/retrieval/test_corpus_scope.py)
    report = ingest(write_corpus(tmp_path / "dup.jsonl", [*NEWS, copy]), settings)
    assert report.duplicates_linked == 1 and report.chunks_added == 0
    store = open_store(settings)
    assert store.get_items(["dup"])["dup"].duplicate_of == "c2"
    assert store.chunks.get(where={"doc_id": "dup"})["ids"] == []


def test_store_refuses_a_different_embedding(corpus: Path, settings: Settings) -> None:
    ingest(corpus, settings)
    with pytest.raises(StoreError, match="hash256"):
        open_store(settings.model_copy(update={"embedding": "hash:64"}))


_WORKER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from assistant.settings import get_settings
    from assistant.store import ingest
    s = get_settings(store_dir=Path(sys.argv[1]), embedding="hash")
    r = ingest(sys.argv[2], s, lock_timeout=float(sys.argv[3]))
    print(r.added)
""")


def _rows(prefix: str, n: int) -> list[tuple[str, ...]]:
    return [(f"{prefix}{i}", "2024-07-01", f"{prefix} 新闻 {i}", f"{prefix} 第 {i} 条独立内容，编号 {i * 7919}。" * 3,
             "测试源", "other") for i in range(n)]


@pytest.mark.slow
def test_two_processes_ingesting_at_once_lose_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store"
    files = [write_corpus(tmp_path / f"{p}.jsonl", _rows(p, 150)) for p in ("a", "b")]
    procs = [subprocess.Popen([sys.executable, "-c", _WORKER, str(store), str(f), "120"], stdout=subprocess.PIPE,
                              text=True) for f in files]
    outs = [p.communicate(timeout=240)[0].strip() for p in procs]
    assert [p.returncode for p in procs] == [0, 0] and outs == ["150", "150"]
    from assistant.settings import get_settings

    assert len(open_store(get_settings(store_dir=store, embedding="hash")).item_hashes()) == 300


def test_second_writer_is_refused_with_a_clear_message(corpus: Path, settings: Settings) -> None:
    from filelock import FileLock

    settings.store_dir.mkdir(parents=True)
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from filelock import FileLock
        with FileLock({str(settings.store_dir / 'ingest.lock')!r}):
            print('locked', flush=True)
            sys.stdin.readline()
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(StoreError, match="另一个导入进程"):
            ingest(corpus, settings, lock_timeout=0.2)
    finally:
        holder.communicate("\n", timeout=30)
    assert FileLock(str(settings.store_dir / "ingest.lock")).acquire(timeout=1)
    assert json.dumps(ingest(corpus, settings).added) == str(len(NEWS))


def test_chroma_holds_vectors_and_filter_keys_and_the_texts_live_beside_the_items(corpus: Path,
                                                                                   settings: Settings) -> None:
    """Chroma's full-text index and per-key metadata rows were most of an ingest; we never search them."""
    from assistant.retrieval import Retriever

    ingest(corpus, settings)
    store = open_store(settings)
    got = store.chunks.get(include=["documents", "metadatas"])
    assert got["ids"] and all(d is None for d in got["documents"])
    assert all(set(m) == {"doc_id", "date", "category"} for m in got["metadatas"])
    stored = store.all_chunks()
    assert sorted(stored.ids) == sorted(got["ids"])
    assert all(m["title"] and m["source"] and t for t, m in zip(stored.texts, stored.metadatas, strict=True))
    hit = Retriever(store).search("英伟达 GPU", k=1)[0]
    assert hit.title and hit.source and hit.text


def test_a_store_built_with_texts_in_chroma_is_read_as_before(corpus: Path, settings: Settings) -> None:
    """Stores from before the texts moved: their first open copies the texts over; searches answer the same."""
    import sqlite3

    from assistant.retrieval import Retriever

    ingest(corpus, settings)
    store = open_store(settings)
    before = [(h.chunk_id, h.text, h.title) for h in Retriever(store).search("英伟达 GPU 芯片", k=4)]
    stored = store.all_chunks()
    # Rebuild the old layout: documents and every metadata key in Chroma, no chunk_texts rows.
    vectors = dict(zip(*store.all_vectors(), strict=True))
    store.chunks.delete(ids=stored.ids)
    store.chunks.add(ids=stored.ids, documents=stored.texts, metadatas=stored.metadatas,
                     embeddings=[vectors[i] for i in stored.ids])
    with sqlite3.connect(settings.store_dir / "items.sqlite3") as db:
        db.execute("DELETE FROM chunk_texts")
    store.bump_generation()

    reopened = open_store(settings)
    assert reopened.texts is not None and reopened.texts.count() == len(stored.ids)
    assert [(h.chunk_id, h.text, h.title) for h in Retriever(reopened).search("英伟达 GPU 芯片", k=4)] == before
