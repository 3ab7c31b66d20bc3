"""Near-duplicate detection: the same story from two publishers is one story.

Character 3-gram shingles of the normalised body; MinHash + LSH banding proposes candidates and the exact
Jaccard similarity decides (>= ``threshold``), so the result never depends on hash luck in the positive
direction. Items are linked to the earliest canonical item through ``NewsItem.duplicate_of``.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from assistant.models import NewsItem

__all__ = ["DEFAULT_THRESHOLD", "jaccard", "link_near_duplicates", "shingles"]

DEFAULT_THRESHOLD = 0.6
_NUM_PERM = 64
_BANDS = 16  # 16 bands x 4 rows: candidate probability ~0.5 at J=0.5, ~0.87 at J=0.6, ~0.99 at J=0.75
_PRIME = np.uint64(4294967311)
_rng = np.random.default_rng(20240731)
_A = _rng.integers(1, 2**31, size=_NUM_PERM, dtype=np.uint64)
_B = _rng.integers(0, 2**31, size=_NUM_PERM, dtype=np.uint64)
_NOISE = re.compile(r"[\W_]+", re.UNICODE)


def shingles(text: str, n: int = 3) -> frozenset[str]:
    """Character n-grams of the text with whitespace and punctuation removed (publishers re-punctuate)."""
    norm = _NOISE.sub("", text.lower())
    if len(norm) <= n:
        return frozenset([norm]) if norm else frozenset()
    return frozenset(norm[i:i + n] for i in range(len(norm) - n + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _signature(sh: frozenset[str]) -> np.ndarray:
    hashes = np.fromiter((zlib.crc32(s.encode("utf-8")) for s in sh), dtype=np.uint64, count=len(sh))
    if hashes.size == 0:
        return np.zeros(_NUM_PERM, dtype=np.uint64)
    return ((_A[:, None] * hashes[None, :] + _B[:, None]) % _PRIME).min(axis=1)


def _bands(sig: np.ndarray) -> list[tuple[int, bytes]]:
    rows = _NUM_PERM // _BANDS
    return [(b, sig[b * rows:(b + 1) * rows].tobytes()) for b in range(_BANDS)]


def link_near_duplicates(items: Sequence[NewsItem], existing: Sequence[NewsItem] = (),
                         threshold: float = DEFAULT_THRESHOLD) -> list[NewsItem]:
    """Return ``items`` with ``duplicate_of`` set where an earlier canonical item tells the same story.

    ``existing`` are items already stored: their canonical ones can be linked to but are never changed, so an
    incremental ingest keeps every earlier link stable. Within ``items`` the earliest (date, then input order)
    item of a story is canonical.
    """
    buckets: dict[tuple[int, bytes], list[str]] = defaultdict(list)
    sets: dict[str, frozenset[str]] = {}

    def index(item: NewsItem, sh: frozenset[str]) -> None:
        sets[item.doc_id] = sh
        for key in _bands(_signature(sh)):
            buckets[key].append(item.doc_id)

    for old in existing:
        if old.duplicate_of is None:
            index(old, shingles(old.body))
    order = sorted(range(len(items)), key=lambda i: (items[i].date, i))
    linked: dict[int, str] = {}
    for i in order:
        item = items[i]
        sh = shingles(item.body)
        sig_bands = _bands(_signature(sh))
        candidates = {d for key in sig_bands for d in buckets.get(key, ()) if d != item.doc_id}
        scored = [(jaccard(sh, sets[d]), d) for d in candidates]
        best = max(scored, default=(0.0, ""))
        if best[0] >= threshold:
            linked[i] = best[1]
            continue
        sets[item.doc_id] = sh
        for key in sig_bands:
            buckets[key].append(item.doc_id)
    return [it.model_copy(update={"duplicate_of": linked[i]}) if i in linked else it
            for i, it in enumerate(items)]
