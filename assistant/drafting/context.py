"""Retrieved hits -> numbered sources within a token budget (pure functions).

Chunks are kept in rank order until the budget is spent; the first chunk that does not fit and every lower-ranked
chunk are dropped whole and recorded (title and date included, so a section can name what it did not print), never
truncated. What is left of the budget then widens kept documents, best-ranked first, to their whole item or else to
the sentences around their chunks: an extract from an isolated chunk starts mid-context and loses the facts its
headline promises. Each document becomes
one source ``[n]`` (numbered by best rank) whose passage is the whole body or its kept chunks in reading order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

from assistant.corpus.kinds import is_citable
from assistant.engine.packed import Dropped, PackedContext, Source
from assistant.models import Hit, NewsItem
from assistant.safety import instruction_like

__all__ = ["Dropped", "PackedContext", "Source", "format_sources", "fuse_rankings", "pack_context", "widen_sources"]

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
    if not is_citable(item):  # broker research, internal notes: background for ranking, never a source
        return "uncitable"
    if "instruction_like" in item.flags or instruction_like(item.title):
        # the title too: an item stored before the lists grew keeps its old flags
        return "instruction_like"
    original = items.get(item.duplicate_of) if item.duplicate_of else None
    if item.duplicate_of in present and (original is None or is_citable(original)):
        return "duplicate"  # (a copy of an uncitable item stands in for it)
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
            outside = window is not None and not (window[0] <= hit.date <= window[1])
            dropped.append(Dropped(doc_id=hit.doc_id, chunk_id=hit.chunk_id, tokens=tokens, reason=reason,
                                   title=hit.title, date=hit.date, background=outside))
            continue
        kept.append(hit)
        used += tokens
    wider, used = _widen(kept, items, budget, used, count)
    return PackedContext(sources=_group(kept, window, group, start, wider, items), dropped=dropped, tokens=used)


_ENDS = "。！？!?；;\n"
NEIGHBOUR_TOKENS = 160  # context bought around a document that cannot come whole: about two sentences


def _sentence_before(body: str, lo: int) -> int:
    """Start of the sentence that ends right before ``lo``."""
    i = lo - 1
    while i > 0 and (body[i].isspace() or body[i] in _ENDS):
        i -= 1
    while i > 0 and body[i - 1] not in _ENDS:
        i -= 1
    return max(i, 0)


def _sentence_after(body: str, hi: int) -> int:
    """End of the sentence that starts at ``hi``."""
    i = hi
    while i < len(body) and body[i].isspace():
        i += 1
    while i < len(body) and body[i] not in _ENDS:
        i += 1
    return min(i + 1, len(body))


def _neighbourhood(body: str, texts: list[str], room: int, count: TokenCounter) -> str | None:
    """The kept chunks' span in the body, grown by whole sentences before and after while ``room`` lasts."""
    spans = [(i, i + len(t)) for t in texts if (i := body.find(t)) >= 0]
    if not spans or len(spans) != len(texts):
        return None
    lo, hi = min(a for a, _ in spans), max(b for _, b in spans)
    if any(b < a for (_, b), (a, _) in zip(sorted(spans), sorted(spans)[1:], strict=False)):
        return None  # the chunks are not contiguous: keep them as they are
    grew = True
    while grew and room > 0:
        grew = False
        for side in ("before", "after"):
            if side == "before" and lo > 0:
                start = _sentence_before(body, lo)
                extra = count(body[start:lo])
                if extra <= room:
                    lo, room, grew = start, room - extra, True
            elif side == "after" and hi < len(body):
                end = _sentence_after(body, hi)
                extra = count(body[hi:end])
                if extra <= room:
                    hi, room, grew = end, room - extra, True
    return body[lo:hi].strip()


def _widen(kept: list[Hit], items: dict[str, NewsItem], budget: int, used: int,
           count: TokenCounter) -> tuple[dict[str, str], int]:
    """Passages wider than the kept chunks, best-ranked document first, while the budget allows.

    Every document keeps at least the chunks that matched; what is left of the budget buys the whole item, or
    else the sentences around the chunks (the reference a chunk opens on, the end of a list it cuts).
    """
    texts: dict[str, list[str]] = {}
    for hit in sorted(kept, key=lambda h: _chunk_index(h.chunk_id)):
        texts.setdefault(hit.doc_id, []).append(hit.text)
    order = list(dict.fromkeys(h.doc_id for h in kept))
    wider: dict[str, str] = {}
    for doc_id in order:
        item = items.get(doc_id)
        if item is None:
            continue
        current = sum(count(t) for t in texts[doc_id])
        extra = count(item.body) - current
        if used + extra <= budget:
            wider[doc_id] = item.body
            used += extra
            continue
        around = _neighbourhood(item.body, texts[doc_id], min(NEIGHBOUR_TOKENS, budget - used), count)
        if around is not None:
            used += count(around) - current
            wider[doc_id] = around
    return wider, used


def widen_sources(packed: PackedContext, items: dict[str, NewsItem], *, budget: int,
                  count: TokenCounter) -> PackedContext:
    """A second widening pass over a section's merged sources with the budget its groups left unused.

    Each group is packed within an equal share; a short group's leftover would otherwise be wasted while a long
    group's best items stay cut. Best-ranked (lowest number) sources first.
    """
    used = packed.tokens
    out: list[Source] = []
    for source in packed.sources:
        item = items.get(source.doc_id)
        if item is None or source.whole:
            out.append(source)
            continue
        current = count(source.passage)
        if used + count(item.body) - current <= budget:
            used += count(item.body) - current
            out.append(source.model_copy(update={"passage": item.body, "whole": True}))
            continue
        texts = [source.passage] if source.passage in item.body else source.passage.split("\n")
        around = _neighbourhood(item.body, texts, min(NEIGHBOUR_TOKENS, budget - used), count)
        if around is not None and around != source.passage:
            used += count(around) - current
            out.append(source.model_copy(update={"passage": around}))
        else:
            out.append(source)
    return PackedContext(sources=out, dropped=packed.dropped, tokens=used)


def _group(kept: list[Hit], window: tuple[dt.date, dt.date] | None, group: str, start: int,
           wider: dict[str, str], items: dict[str, NewsItem]) -> list[Source]:
    by_doc: dict[str, list[Hit]] = {}
    for hit in kept:
        by_doc.setdefault(hit.doc_id, []).append(hit)
    sources: list[Source] = []
    for number, (doc_id, doc_hits) in enumerate(by_doc.items(), start=start):
        doc_hits.sort(key=lambda h: _chunk_index(h.chunk_id))
        head = doc_hits[0]
        outside = window is not None and not (window[0] <= head.date <= window[1])
        item = items.get(doc_id)
        passage = wider.get(doc_id) or "\n".join(h.text for h in doc_hits)
        sources.append(Source(
            number=number, doc_id=doc_id, title=head.title, date=head.date, source=head.source, url=head.url,
            category=head.category, group=group, passage=passage, chunk_ids=[h.chunk_id for h in doc_hits],
            background=outside, fields=dict(item.fields) if item else {}, images=list(item.images) if item else [],
            whole=item is not None and wider.get(doc_id) == item.body,
            translated_summary=(item.translated_summary or "") if item else "",
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
