"""Retrieved hits -> numbered sources within a token budget (pure functions).

Chunks are kept in rank order until the budget is spent; the first chunk that does not fit and every lower-ranked
chunk are dropped whole and recorded, never truncated. Kept chunks are grouped by document, and each document
becomes one source ``[n]`` (numbered by best rank) whose passage is its kept chunks in reading order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

from assistant.engine.packed import Dropped, PackedContext, Source
from assistant.models import Hit, NewsItem
from assistant.safety import instruction_like

__all__ = ["Dropped", "PackedContext", "Source", "format_sources", "fuse_rankings", "pack_context"]

TokenCounter = Callable[[str], int]
RRF_K = 60  # reciprocal-rank-fusion constant; ranks, not raw scores, so it works whatever the score scale


def fuse_rankings(rankings: Iterable[Sequence[Hit]]) -> list[Hit]:
    """Merge the hit lists of several queries into one ranking (reciprocal rank fusion, chunk-level)."""
    scores: dict[str, float] = {}
    first: dict[str, Hit] = {}
    for ranking in rankings:
        for rank, hit in enumerate(ranking):
            scores[hit.chunk_id] = scores.get(hit.chunk_id, 0.0) + 1.0 / (RRF_K + rank + 1)
            first.setdefault(hit.chunk_id, hit)
    order = sorted(scores, key=lambda cid: (-scores[cid], cid))
    return [first[cid] for cid in order]


def _excluded(hit: Hit, items: dict[str, NewsItem], present: set[str]) -> str | None:
    item = items.get(hit.doc_id)
    if item is None:
        return None
    if "instruction_like" in item.flags or instruction_like(item.title):
        # the title too: an item stored before the lists grew keeps its old flags
        return "instruction_like"
    if item.duplicate_of and item.duplicate_of in present:
        return "duplicate"
    return None


def _chunk_index(chunk_id: str) -> int:
    tail = chunk_id.rpartition("#")[2]
    return int(tail) if tail.isdigit() else 0


def pack_context(hits: Sequence[Hit], *, budget: int, count: TokenCounter, items: dict[str, NewsItem] | None = None,
                 window: tuple[dt.date, dt.date] | None = None, group: str = "", start: int = 1) -> PackedContext:
    """Keep the best-ranked chunks within ``budget`` tokens and number their documents from ``start``."""
    items = items or {}
    present = {h.doc_id for h in hits}
    kept: list[Hit] = []
    dropped: list[Dropped] = []
    used = 0
    over = False
    for hit in hits:
        reason = _excluded(hit, items, present)
        tokens = count(hit.text)
        if reason is None and (over or used + tokens > budget):
            over, reason = True, "budget"
        if reason is not None:
            dropped.append(Dropped(doc_id=hit.doc_id, chunk_id=hit.chunk_id, tokens=tokens, reason=reason))
            continue
        kept.append(hit)
        used += tokens
    return PackedContext(sources=_group(kept, window, group, start), dropped=dropped, tokens=used)


def _group(kept: list[Hit], window: tuple[dt.date, dt.date] | None, group: str, start: int) -> list[Source]:
    by_doc: dict[str, list[Hit]] = {}
    for hit in kept:
        by_doc.setdefault(hit.doc_id, []).append(hit)
    sources: list[Source] = []
    for number, (doc_id, doc_hits) in enumerate(by_doc.items(), start=start):
        doc_hits.sort(key=lambda h: _chunk_index(h.chunk_id))
        head = doc_hits[0]
        outside = window is not None and not (window[0] <= head.date <= window[1])
        sources.append(Source(
            number=number, doc_id=doc_id, title=head.title, date=head.date, source=head.source, url=head.url,
            category=head.category, group=group, passage="\n".join(h.text for h in doc_hits),
            chunk_ids=[h.chunk_id for h in doc_hits], background=outside,
        ))
    return sources


def _attr(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def format_sources(sources: Sequence[Source]) -> str:
    """Sources as clearly delimited, quoted data blocks for a prompt; markup inside the text is neutralised."""
    blocks = []
    for s in sources:
        text = s.passage.replace("<", "&lt;")
        blocks.append(f'<source n="{s.number}" date="{s.date.isoformat()}" publisher="{_attr(s.source)}" '
                      f'title="{_attr(s.title)}">\n{text}\n</source>')
    return "\n".join(blocks) if blocks else "（无检索结果）"
