"""BM25 over jieba tokens (jieba-rs), scored through an inverted index.

``rank_bm25.BM25Okapi`` defines the model (its idf with the epsilon floor, k1, b); its own build walks a dict per
document and its ``get_scores`` every document per query term in Python (~10 ms per term at 100k chunks), so the
index here is built and scored with numpy over the postings. A test pins the scores to rank_bm25's.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["BM25Index", "tokenize"]

# A token's searchable parts: "GPT-4o" -> gpt, 4o; decimals ("3.5", "llama3.1") stay whole.
_PARTS = re.compile(r"\w+(?:\.\w+)*", re.UNICODE)
# Runs of 3+ non-ASCII characters inside a word: the words search mode also indexes by their dictionary n-grams.
_LONG = re.compile(r"[^\s\x00-\x7f]{3,}")
TOKENIZER_VERSION = "rjieba-1"  # tokens are cached and saved in snapshots under this name


@functools.cache
def _rjieba() -> Any:
    import rjieba  # jieba-rs: jieba's dictionary and algorithm, compiled (~8x faster than jieba in Python)

    return rjieba


def tokenize(text: str) -> list[str]:
    """jieba search-mode tokens (every word, plus its dictionary 2- and 3-grams), English lowercased and split at
    punctuation, punctuation and whitespace dropped. A bag of words: the order is not meaningful."""
    jieba = _rjieba()
    joined = " ".join(jieba.cut(text, True))
    grams = [gram for word in _LONG.findall(joined) for n in (2, 3) if len(word) > n
             for gram in (word[i:i + n] for i in range(len(word) - n + 1)) if jieba.has_word(gram)]
    return _PARTS.findall(joined.lower()) + grams


class BM25Index:
    """Immutable BM25 index over tokenised documents (row i = document i)."""

    def __init__(self, corpus: Sequence[list[str]], k1: float = 1.5, b: float = 0.75,
                 epsilon: float = 0.25) -> None:
        self.size = len(corpus)
        self.k1, self.b = k1, b
        if not self.size:
            self.idf: dict[str, float] = {}
            self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
            return
        # The model is rank_bm25's BM25Okapi (idf floored at epsilon x mean idf; an empty document counts as one
        # placeholder token, as there), built with numpy over integer term ids instead of a dict per document.
        docs = [doc or ["\x00"] for doc in corpus]
        term_ids: dict[str, int] = {}
        flat = np.fromiter((term_ids.setdefault(t, len(term_ids)) for doc in docs for t in doc), dtype=np.int64)
        lengths = np.fromiter(map(len, docs), dtype=np.int64, count=self.size)
        pairs, tfs = np.unique(flat * self.size + np.repeat(np.arange(self.size), lengths), return_counts=True)
        rows = (pairs % self.size).astype(np.int32)  # sorted by term, then row
        df = np.bincount(pairs // self.size, minlength=len(term_ids))
        idf = np.log(self.size - df + 0.5) - np.log(df + 0.5)
        idf[idf < 0] = epsilon * idf.mean()
        self.idf = dict(zip(term_ids, idf.tolist(), strict=True))
        self._norm = (k1 * (1 - b + b * lengths / lengths.mean())).astype(np.float32)
        offsets = np.concatenate([[0], np.cumsum(df)])
        tf32 = tfs.astype(np.float32)
        self._postings = {t: (rows[offsets[i]:offsets[i + 1]], tf32[offsets[i]:offsets[i + 1]])
                          for i, t in enumerate(term_ids)}

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
