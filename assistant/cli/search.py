"""``search``: hybrid search over the ingested news (for analysts checking what the drafter will see)."""

from __future__ import annotations

import argparse
import json

from rich.console import Console
from rich.table import Table

from assistant.cli.store_args import add_store_arguments, store_settings
from assistant.models import CATEGORIES, Hit
from assistant.retrieval import open_retriever

__all__ = ["HELP", "add_arguments", "hits_to_json", "run"]

HELP = "检索已导入的新闻（稠密向量 + BM25 混合检索）"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", help="检索词")
    parser.add_argument("--k", type=int, default=5, help="返回条数（每篇新闻至多一条）")
    parser.add_argument("--from", dest="date_from", default=None, help="起始日期 YYYY-MM-DD（含）")
    parser.add_argument("--to", dest="date_to", default=None, help="结束日期 YYYY-MM-DD（含）")
    parser.add_argument("--category", action="append", choices=CATEGORIES, help="类别，可重复")
    parser.add_argument("--source", action="append", help="来源，可重复")
    parser.add_argument("--mode", choices=("hybrid", "dense", "bm25"), default="hybrid")
    add_store_arguments(parser, embedding_help="必须与导入时一致")
    parser.add_argument("--json", action="store_true", help="输出 JSON 列表")


def hits_to_json(hits: list[Hit]) -> str:
    rows = [{"doc_id": h.doc_id, "title": h.title, "date": h.date.isoformat(), "score": round(h.score, 6),
             "source": h.source, "category": h.category, "url": h.url, "chunk_id": h.chunk_id} for h in hits]
    return json.dumps(rows, ensure_ascii=False, indent=2)


def run(args: argparse.Namespace, console: Console) -> int:
    retriever = open_retriever(store_settings(args))
    hits = retriever.search(args.query, k=args.k, date_from=args.date_from, date_to=args.date_to,
                            categories=args.category, sources=args.source, mode=args.mode)
    if args.json:
        # Plain print: rich would re-wrap and colour the JSON, breaking machine readers.
        print(hits_to_json(hits))
        return 0
    table = Table(title=f"“{args.query}” 的检索结果")
    for col in ("#", "日期", "来源", "类别", "标题", "doc_id", "得分"):
        table.add_column(col)
    for n, h in enumerate(hits, start=1):
        table.add_row(str(n), h.date.isoformat(), h.source, h.category, h.title, h.doc_id, f"{h.score:.4f}")
    console.print(table)
    if not hits:
        console.print("没有符合条件的结果")
    return 0
