"""Benchmark: embedding candidates side by side, then ingest throughput and query latency of the news store.

    python bench/bench_retrieval.py                    # candidates, then 10k and 100k with the default embedding
    python bench/bench_retrieval.py --sizes 10000 --embedding hash --compare ""

1. Candidates (``--compare``, default use-static,use,hash): each embeds the same synthetic chunks
   (``--compare-chunks``, default 2,000; the USE network needs ~15 s per 2,000 on a quiet machine) with a cold
   text cache and a fresh model cache (use-static computes each piece it meets for the first time), and is scored on the sample's labelled queries (recall@5 and MRR, hybrid and dense-only, each
   query inside its date window and section category, as drafting searches).
2. For each size: synthetic Chinese-ish news (one chunk per item, ~90 characters) over two years. Ingest into a
   fresh store (the machine's use-static piece table as it is) with a cold embedding cache (model + store) and a warm one (everything but the model), the first query (BM25 index +
   metadata snapshot built from Chroma), the first query of a new process (saved snapshot), and p50/p95 latency
   of hybrid, dense-only and BM25-only search with and without a date window; beside them plain Chroma on the same
   vectors (``collection.add`` throughput, its first query, ``collection.query`` with and without a ``where``
   date window: its own query path, the same query embedding).
Targets: ingest >= 800 chunks/s cold at 10k on a quiet machine, sample hybrid recall@5 >= 0.95, hybrid p95 <= 50 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from assistant import SAMPLE_DIR
from assistant.retrieval import Retriever
from assistant.retrieval.evaluate import evaluate, load_queries
from assistant.settings import get_settings
from assistant.store import ingest, make_embedding_function, open_store

WORDS = ["人工智能", "大模型", "算力", "芯片", "英伟达", "华为", "昇腾", "数据要素", "数据交易所", "国家数据局", "公共数据", "智谱", "月之暗面", "通义千问", "文心一言", "豆包", "OpenAI", "GPT", "Claude", "Gemini", "开源", "推理", "训练", "服务器", "数据中心", "光模块", "液冷", "融资", "估值", "机器人", "具身智能", "自动驾驶", "智能体", "手机", "终端", "政策", "工信部", "标准", "监管", "论文", "注意力机制", "多模态", "视频生成", "语音", "搜索", "教育", "医疗", "金融", "制造", "发布", "上线", "升级", "合作", "签约", "增长", "下降", "突破", "领先", "评测", "用户", "收入", "订单", "出货", "产能", "价格", "成本"]
CATEGORIES = ("compute", "llm_domestic", "llm_foreign", "data_policy", "data_exchange", "product", "funding",
              "policy", "tech_frontier", "other")
SOURCES = ("新智元", "IT之家", "机器之心", "证券时报", "财联社", "36氪", "量子位", "澎湃新闻")


def synthetic_corpus(path: Path, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    start = dt.date(2023, 1, 1)
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            words = rng.choices(WORDS, k=24)
            body = "".join(words[:8]) + f"，编号{i}。" + "".join(words[8:16]) + "；" + "".join(words[16:]) + "。"
            row = {"id": f"s{i}", "date": (start + dt.timedelta(days=rng.randrange(730))).isoformat(),
                   "title": "".join(rng.choices(WORDS, k=4)), "body": body, "source": rng.choice(SOURCES),
                   "category": rng.choice(CATEGORIES)}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


WINDOWS = {"no window     ": {}, "window 2024-07": {"date_from": "2024-07-01", "date_to": "2024-07-31"},
           "window 2024   ": {"date_from": "2024-01-01", "date_to": "2024-12-31"}}


def time_queries(retriever: Retriever, mode: str, window: dict[str, str],
                 queries: list[str]) -> tuple[float, float, float]:
    lat, found = [], 0
    for q in queries:
        t0 = time.perf_counter()
        hits = retriever.search(q, k=8, mode=mode, **window)  # type: ignore[arg-type]
        lat.append((time.perf_counter() - t0) * 1000)
        found += len(hits)
    return statistics.median(lat), pct(lat, 0.95), found / len(queries)


def synthetic_texts(n: int, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(WORDS, k=4)) + "\n" + "".join(rng.choices(WORDS, k=24)) + f"，编号{i}。"
            for i in range(n)]


def compare_embeddings(names: list[str], n_chunks: int, root: Path) -> None:
    """Each candidate on the same chunks and the same labelled queries, in this one run."""
    texts = synthetic_texts(n_chunks)
    queries = load_queries(SAMPLE_DIR / "queries.yaml")
    print(f"== embedding candidates: {n_chunks:,} synthetic chunks (cold), {len(queries)} labelled sample queries")
    print(f"{'embedding':<12} {'load s':>7} {'chunks/s':>9} {'hybrid R@5':>11} {'MRR':>6} {'dense R@5':>10} {'MRR':>6}")
    for name in names:
        # A fresh model cache too: use-static pays for computing every piece it has not seen (its first use ever).
        settings = get_settings(store_dir=root / f"cmp-{name}", embedding=name, model_cache_dir=root / f"m-{name}")
        t0 = time.perf_counter()
        fn = make_embedding_function(settings)
        fn(["预热"])  # loads the model (and, for use-static, the piece table)
        load = time.perf_counter() - t0
        t0 = time.perf_counter()
        for start in range(0, len(texts), 256):
            fn(texts[start:start + 256])
        rate = len(texts) / (time.perf_counter() - t0)
        ingest(SAMPLE_DIR / "corpus.jsonl", settings)
        retriever = Retriever(open_store(settings))
        hybrid, dense = (evaluate(retriever, queries, mode=m) for m in ("hybrid", "dense"))  # type: ignore[arg-type]
        print(f"{name:<12} {load:7.1f} {rate:9.0f} {hybrid.recall:11.3f} {hybrid.mrr:6.3f} {dense.recall:10.3f} "
              f"{dense.mrr:6.3f}")


def plain_chroma(store_dir: Path, source: Retriever, queries: list[str], window: dict[str, str]) -> None:
    """Plain Chroma beside ours: the same chunks and vectors, Chroma's own add and query (with a ``where``)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    ids, vectors = source.store.all_vectors()
    snap = source.store.all_chunks()
    by_id = dict(zip(snap.ids, zip(snap.texts, snap.metadatas, strict=True), strict=True))
    client = chromadb.PersistentClient(path=str(store_dir), settings=ChromaSettings(anonymized_telemetry=False))
    col = client.get_or_create_collection("plain", metadata={"hnsw:space": "cosine"}, embedding_function=None)
    t0 = time.perf_counter()
    for start in range(0, len(ids), 2000):
        part = ids[start:start + 2000]
        col.add(ids=part, embeddings=vectors[start:start + len(part)], documents=[by_id[i][0] for i in part],
                metadatas=[by_id[i][1] for i in part])
    added = time.perf_counter() - t0
    print(f"plain chroma add   : {len(ids) / added:8.0f} chunks/s  total {added:.1f}s (vectors given)")
    fresh = chromadb.PersistentClient(path=str(store_dir), settings=ChromaSettings(anonymized_telemetry=False))
    col = fresh.get_collection("plain")
    embed = source.store.embed_query
    t0 = time.perf_counter()
    col.query(query_embeddings=[embed(queries[0])], n_results=8)
    print(f"plain chroma first query of a new client: {time.perf_counter() - t0:.2f}s")
    lo, hi = (int(window[k].replace("-", "")) for k in ("date_from", "date_to"))
    for name, where in (("no window     ", None), ("window 2024-07", {"$and": [{"date": {"$gte": lo}},
                                                                             {"date": {"$lte": hi}}]})):
        lat, found = [], 0
        for q in queries:
            t0 = time.perf_counter()
            got = col.query(query_embeddings=[embed(q)], n_results=8, where=where, include=["metadatas"])
            lat.append((time.perf_counter() - t0) * 1000)
            found += len(got["ids"][0])
        print(f"query chroma {name}: p50 {statistics.median(lat):6.1f} ms   p95 {pct(lat, 0.95):6.1f} ms   "
              f"({found / len(queries):.1f} hits/query)")


def run_size(n: int, embedding: str, root: Path, n_queries: int) -> None:
    corpus = root / f"corpus{n}.jsonl"
    synthetic_corpus(corpus, n)
    cold = get_settings(store_dir=root / f"cold{n}", embedding=embedding)
    report = ingest(corpus, cold)
    print(f"\n== {n:,} chunks, embedding={embedding}")
    print(f"ingest cold cache : {report.chunks_added / report.seconds:8.0f} chunks/s  total {report.seconds:.1f}s "
          f"(model {report.embed_seconds:.1f}s, chroma writes {report.store_seconds:.1f}s, "
          f"read+dedup+chunk {report.seconds - report.embed_seconds - report.store_seconds:.1f}s)")
    warm = get_settings(store_dir=root / f"warm{n}", embedding=embedding)
    warm.store_dir.mkdir(parents=True)
    shutil.copy(cold.store_dir / "cache.sqlite3", warm.store_dir / "cache.sqlite3")
    report = ingest(corpus, warm)
    print(f"ingest warm cache : {report.chunks_added / report.seconds:8.0f} chunks/s  total {report.seconds:.1f}s "
          f"(model {report.embed_seconds:.1f}s, chroma writes {report.store_seconds:.1f}s)")
    shutil.rmtree(warm.store_dir)
    retriever = Retriever(open_store(cold))
    rng = random.Random(11)
    queries = ["".join(rng.choices(WORDS, k=rng.randint(1, 3))) for _ in range(n_queries)]
    t0 = time.perf_counter()
    retriever.search(queries[0], k=8)
    print(f"first query (BM25 index + metadata snapshot build): {time.perf_counter() - t0:.2f}s")
    t0 = time.perf_counter()
    Retriever(open_store(cold)).search(queries[1], k=8)
    print(f"first query of a new process (saved snapshot loaded): {time.perf_counter() - t0:.2f}s")
    for mode in ("hybrid", "dense", "bm25"):
        for name, window in WINDOWS.items():
            p50, p95, mean_hits = time_queries(retriever, mode, window, queries)
            label = f"{mode:6s} {name}"
            print(f"query {label}: p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   ({mean_hits:.1f} hits/query)")
    plain_chroma(root / f"plain{n}", retriever, queries, WINDOWS["window 2024-07"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--embedding", default="use-static")
    parser.add_argument("--compare", default="use-static,use,hash",
                        help="embeddings to compare side by side first (comma-separated; empty: skip)")
    parser.add_argument("--compare-chunks", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--keep", type=Path, default=None, help="work dir to keep (default: a temp dir)")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-retrieval-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        if args.compare:
            compare_embeddings([c.strip() for c in args.compare.split(",") if c.strip()], args.compare_chunks, root)
        for n in args.sizes:
            run_size(n, args.embedding, root, args.queries)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
