"""Near-duplicate detection: the same story from two publishers, or one article saved as a page and arriving in a
feed, is one story.

Character 3-gram shingles of the normalised body, each packed losslessly into one integer (three code points of
21 bits); MinHash + LSH banding proposes candidates and the exact Jaccard similarity decides (>= ``threshold``),
so a link never rests on hash luck. Items are linked to the earliest canonical item through
``NewsItem.duplicate_of``. Across forms the copies differ in length (a feed's summary against the saved page), so
items with the same canonical URL or the same title are also compared by containment (the share of the shorter
text found in the longer), and the group's richer copy (a body at least ``RICHER`` times longer) is kept.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit

import numpy as np

from assistant.models import NewsItem

__all__ = ["DEFAULT_THRESHOLD", "RICHER", "containment", "jaccard", "link_near_duplicates", "shingles"]

DEFAULT_THRESHOLD = 0.6
RICHER = 1.5
_NUM_PERM = 64
_BANDS = 16  # 16 bands x 4 rows: candidate probability ~0.5 at J=0.5, ~0.87 at J=0.6, ~0.99 at J=0.75
_PRIME = np.uint64(4294967311)
_rng = np.random.default_rng(20240731)
_A = _rng.integers(1, 2**31, size=_NUM_PERM, dtype=np.uint64)
_B = _rng.integers(0, 2**31, size=_NUM_PERM, dtype=np.uint64)
_FOLD = _rng.integers(1, 2**63, size=_NUM_PERM // _BANDS, dtype=np.uint64)
_NOISE = re.compile(r"[\W_]+", re.UNICODE)


def shingles(text: str) -> np.ndarray:
    """Sorted unique character 3-grams (as packed ints) of the text without whitespace and punctuation,
    which publishers change when they re-post a story."""
    norm = _NOISE.sub("", text.lower())
    codes = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if codes.size < 3:
        return np.unique(codes)
    packed = (codes[:-2] << np.uint64(42)) | (codes[1:-1] << np.uint64(21)) | codes[2:]
    return np.unique(packed)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    if a.size == 0 or b.size == 0:
        return 0.0
    inter = np.intersect1d(a, b, assume_unique=True).size
    return inter / (a.size + b.size - inter)


def containment(a: np.ndarray, b: np.ndarray) -> float:
    """Share of the smaller set found in the larger (a summary inside its full article)."""
    if a.size == 0 or b.size == 0:
        return 0.0
    return np.intersect1d(a, b, assume_unique=True).size / min(a.size, b.size)


def _keys(item: NewsItem) -> list[str]:
    """Exact keys that make two items candidates whatever their lengths: canonical URL and title."""
    keys = []
    if item.url:
        parts = urlsplit(item.url)
        query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if not k.lower().startswith("utm_")])
        host = (parts.hostname or "").lower().removeprefix("www.")
        keys.append(f"u:{host}{parts.path.rstrip('/')}?{query}")
    title = _NOISE.sub("", (item.original_title or item.title).lower())
    if len(title) >= 6:
        keys.append(f"t:{title}")
    return keys


def _signatures(sets: Sequence[np.ndarray], block: int = 512) -> np.ndarray:
    """MinHash signatures, (len(sets), _NUM_PERM); vectorised per block of items (min over each item's span)."""
    out = np.zeros((len(sets), _NUM_PERM), dtype=np.uint64)
    for start in range(0, len(sets), block):
        part = [(start + k, sh) for k, sh in enumerate(sets[start:start + block]) if sh.size]
        if not part:
            continue
        hashes = np.concatenate([sh for _, sh in part]) % _PRIME
        values = (_A[:, None] * hashes[None, :] + _B[:, None]) % _PRIME
        offsets = np.cumsum([0] + [sh.size for _, sh in part[:-1]])
        out[[k for k, _ in part]] = np.minimum.reduceat(values, offsets, axis=1).T
    return out


def _band_keys(signatures: np.ndarray) -> list[list[tuple[int, int]]]:
    """One bucket key per band: the band's rows folded into one integer (overflow wraps, fine for a hash)."""
    rows = _NUM_PERM // _BANDS
    folded = (signatures.reshape(len(signatures), _BANDS, rows) * _FOLD).sum(axis=2)
    return [list(enumerate(keys)) for keys in folded.tolist()]


def _richer_canonicals(items: Sequence[NewsItem], linked: dict[int, str]) -> dict[int, str]:
    """Within a group of new items, make a substantially longer copy the canonical one (the full page, not the
    feed's summary); stored canonicals are never changed."""
    index = {it.doc_id: i for i, it in enumerate(items)}
    groups: dict[int, list[int]] = defaultdict(list)
    for i, target in linked.items():
        if target in index:
            groups[index[target]].append(i)
    for canon, members in groups.items():
        best = max(members, key=lambda i: len(items[i].body))
        if len(items[best].body) >= RICHER * len(items[canon].body):
            new_id = items[best].doc_id
            del linked[best]
            for i in [canon, *members]:
                if i != best:
                    linked[i] = new_id
    return linked


def link_near_duplicates(items: Sequence[NewsItem], existing: Sequence[NewsItem] = (),
                         threshold: float = DEFAULT_THRESHOLD) -> list[NewsItem]:
    """Return ``items`` with ``duplicate_of`` set where an earlier canonical item tells the same story.

    ``existing`` are items already stored: their canonical ones can be linked to but are never changed, so an
    incremental ingest keeps every earlier link stable. Within ``items`` the earliest (date, then input order)
    item of a story is canonical, unless another copy is substantially richer (``RICHER`` times the body).
    """
    buckets: dict[tuple[int, int], list[str]] = defaultdict(list)
    keyed: dict[str, list[str]] = defaultdict(list)
    canon = [old for old in existing if old.duplicate_of is None]
    sets = {old.doc_id: shingles(old.body) for old in canon}
    for old, keys in zip(canon, _band_keys(_signatures([sets[o.doc_id] for o in canon])), strict=True):
        for key in keys:
            buckets[key].append(old.doc_id)
        for k in _keys(old):
            keyed[k].append(old.doc_id)
    new_sets = [shingles(it.body) for it in items]
    new_keys = _band_keys(_signatures(new_sets))
    linked: dict[int, str] = {}
    for i in sorted(range(len(items)), key=lambda i: (items[i].date, i)):
        doc_id, sh = items[i].doc_id, new_sets[i]
        candidates = {d for key in new_keys[i] for d in buckets.get(key, ()) if d != doc_id}
        by_key = {d for k in _keys(items[i]) for d in keyed.get(k, ()) if d != doc_id}
        scored = [(jaccard(sh, sets[d]), d) for d in candidates | by_key]
        scored += [(containment(sh, sets[d]), d) for d in by_key]
        best = max(scored, default=(0.0, ""))
        if best[0] >= threshold:
            linked[i] = best[1]
            continue
        sets[doc_id] = sh
        for key in new_keys[i]:
            buckets[key].append(doc_id)
        for k in _keys(items[i]):
            keyed[k].append(doc_id)
    linked = _richer_canonicals(items, linked)
    return [it.model_copy(update={"duplicate_of": linked.get(i)}) if linked.get(i) != it.duplicate_of else it
            for i, it in enumerate(items)]
