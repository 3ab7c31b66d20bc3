"""Hybrid retrieval over the news store: dense + BM25 with reciprocal rank fusion, filters that always hold."""

from __future__ import annotations

from assistant.retrieval.bm25 import BM25Index, tokenize
from assistant.retrieval.retriever import RRF_K, CorpusRetriever, Mode, Retriever, open_retriever, rrf

__all__ = ["RRF_K", "BM25Index", "CorpusRetriever", "Mode", "Retriever", "open_retriever", "rrf", "tokenize"]
