"""Retrieval quality over a labelled query set (``queries.yaml``): recall@k and MRR, shared by the test and bench.

A query counts as recalled when one of its relevant doc_ids is among the top k hits. Near-duplicates are collapsed
onto their canonical item by retrieval, so a query labelled with both members of a pair needs only one of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from assistant.errors import InputError
from assistant.retrieval.retriever import Mode, Retriever

__all__ = ["EvalResult", "LabelledQuery", "evaluate", "load_queries"]


class LabelledQuery(BaseModel):
    query: str
    relevant: list[str]
    from_: dt.date | None = None
    to: dt.date | None = None
    category: str | None = None

    model_config = {"populate_by_name": True}


@dataclass
class EvalResult:
    mode: str
    k: int
    queries: int
    recall: float
    mrr: float
    misses: list[str] = field(default_factory=list)


def load_queries(path: Path) -> list[LabelledQuery]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(data, list):
        raise InputError("查询集必须是列表", file=str(path))
    queries = []
    for number, raw in enumerate(data, start=1):
        try:
            queries.append(LabelledQuery.model_validate({**raw, "from_": raw.get("from")}))
        except (ValidationError, TypeError) as exc:
            raise InputError(f"第 {number} 条查询无效: {exc}", file=str(path)) from exc
    return queries


def evaluate(retriever: Retriever, queries: list[LabelledQuery], *, mode: Mode = "hybrid", k: int = 5,
             use_category: bool = True) -> EvalResult:
    found, reciprocal, misses = 0, 0.0, []
    for q in queries:
        hits = retriever.search(q.query, k=k, date_from=q.from_, date_to=q.to,
                                categories=[q.category] if use_category and q.category else None, mode=mode)
        ranks = [n for n, h in enumerate(hits, start=1) if h.doc_id in set(q.relevant)]
        found += bool(ranks)
        reciprocal += 1.0 / ranks[0] if ranks else 0.0
        if not ranks:
            misses.append(q.query)
    n = max(len(queries), 1)
    return EvalResult(mode=mode, k=k, queries=len(queries), recall=found / n, mrr=reciprocal / n, misses=misses)
