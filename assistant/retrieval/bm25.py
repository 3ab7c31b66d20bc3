"""BM25 over jieba tokens, scored through an inverted index.

``rank_bm25.BM25Okapi`` defines the model (its idf with the epsilon floor, k1, b); its own ``get_scores`` loops
over every document per query term in Python (~10 ms per term at 100k chunks), so scoring here walks only the
postings of the query terms with numpy. A test pins the scores to rank_bm25's.
"""

from __future__ import annotations

import functools
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
from rank_bm25 import BM25Okapi

__all__ = ["BM25Index", "tokenize"]

_WORD = re.compile(r"\w", re.UNICODE)


@functools.cache
def _jieba() -> object:
    import jieba

    jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict…" lines are noise in every command's output
    jieba.initialize()
    return jieba


def tokenize(text: str) -> list[str]:
    """jieba search-mode tokens, English lowercased, punctuation and whitespace dropped."""
    jieba = _jieba()
    return [t.lower() for t in jieba.lcut_for_search(text) if _WORD.search(t)]  # type: ignore[attr-defined]


class BM25Index:
    """Immutable BM25 index over tokenised documents (row i = document i)."""

    def __init__(self, corpus: Sequence[list[str]], k1: float = 1.5, b: float = 0.75) -> None:
        self.size = len(corpus)
        self.k1, self.b = k1, b
        if not self.size:
            self.idf: dict[str, float] = {}
            self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
            return
        # rank_bm25 divides by zero on an all-empty corpus; a placeholder token keeps lengths sane.
        model = BM25Okapi([doc or ["\x00"] for doc in corpus], k1=k1, b=b)
        self.idf = dict(model.idf)
        lengths = np.asarray(model.doc_len, dtype=np.float32)
        self._norm = (k1 * (1 - b + b * lengths / model.avgdl)).astype(np.float32)
        postings: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
        for row, doc in enumerate(corpus):
            for term, tf in Counter(doc).items():
                docs, tfs = postings[term]
                docs.append(row)
                tfs.append(tf)
        self._postings = {t: (np.asarray(d, dtype=np.int32), np.asarray(f, dtype=np.float32))
                          for t, (d, f) in postings.items()}

    def to_arrays(self) -> tuple[list[str], dict[str, Any]]:
        """Terms plus flat arrays (CSR-style postings) for saving with ``np.savez``."""
        terms = list(self._postings)
        lengths = [len(self._postings[t][0]) for t in terms]
        arrays = {
            "offsets": np.cumsum([0, *lengths]).astype(np.int64),
            "rows": np.concatenate([self._postings[t][0] for t in terms]) if terms else np.zeros(0, np.int32),
            "tfs": np.concatenate([self._postings[t][1] for t in terms]) if terms else np.zeros(0, np.float32),
            "idf": np.asarray([self.idf.get(t, 0.0) for t in terms], dtype=np.float64),
            "norm": getattr(self, "_norm", np.zeros(0, np.float32)),
            "params": np.asarray([self.size, self.k1, self.b], dtype=np.float64),
        }
        return terms, arrays

    @classmethod
    def from_arrays(cls, terms: list[str], arrays: dict[str, np.ndarray]) -> BM25Index:
        size, k1, b = arrays["params"].tolist()
        index = cls([], k1=k1, b=b)
        index.size = int(size)
        off, rows, tfs = arrays["offsets"], arrays["rows"], arrays["tfs"]
        index.idf = dict(zip(terms, arrays["idf"].tolist(), strict=True))
        index._norm = arrays["norm"]
        index._postings = {t: (rows[off[i]:off[i + 1]], tfs[off[i]:off[i + 1]]) for i, t in enumerate(terms)}
        return index

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for the query (zeros where no term matches)."""
        out = np.zeros(self.size, dtype=np.float32)
        for term in query_tokens:
            posting = self._postings.get(term)
            if posting is None:
                continue
            rows, tf = posting
            out[rows] += self.idf.get(term, 0.0) * tf * (self.k1 + 1) / (tf + self._norm[rows])
        return out
