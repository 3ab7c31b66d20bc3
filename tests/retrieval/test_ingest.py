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
    c2_chunks = store.chunks.get(where={"doc_id": "c2"}, include=["documents"])
    assert len(c2_chunks["ids"]) > 1 and all("推迟发货" in d for d in c2_chunks["documents"])
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
