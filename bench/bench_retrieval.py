"""Benchmark: ingest throughput and query latency of the news store at 10k and 100k chunks.

    python bench/bench_retrieval.py                    # 10k and 100k, default embedding (USE)
    python bench/bench_retrieval.py --sizes 10000 --embedding hash

Synthetic Chinese-ish news (one chunk per item, ~90 characters) spread over two years. For each size it prints:
ingest throughput with a cold embedding cache (model + store), with a warm cache (everything but the model:
parsing, dedup, chunking, Chroma writes), the first-query index build, and p50/p95 query latency for hybrid,
dense-only and BM25-only search, with and without a one-month date window.
Targets: ingest >= 1,000 chunks/s; hybrid p95 <= 50 ms at 100k.
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

from assistant.retrieval import Retriever
from assistant.settings import get_settings
from assistant.store import ingest, open_store

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
    print(f"first query (BM25 index + metadata snapshot build): {time.perf_counter() - t0:.1f}s")
    t0 = time.perf_counter()
    Retriever(open_store(cold)).search(queries[1], k=8)
    print(f"first query of a new process (saved snapshot loaded): {time.perf_counter() - t0:.1f}s")
    for mode in ("hybrid", "dense", "bm25"):
        for name, window in WINDOWS.items():
            p50, p95, mean_hits = time_queries(retriever, mode, window, queries)
            label = f"{mode:6s} {name}"
            print(f"query {label}: p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   ({mean_hits:.1f} hits/query)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--embedding", default="use")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--keep", type=Path, default=None, help="work dir to keep (default: a temp dir)")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-retrieval-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        for n in args.sizes:
            run_size(n, args.embedding, root, args.queries)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
