"""A small in-memory retriever with the documented ``Retriever`` API, for drafting tests.

Scores are keyword overlap between the query and title+body (character bigrams, so Chinese works); filters
behave like the real one: date window inclusive, category list, nothing outside them is ever returned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from assistant.models import Hit, NewsItem

__all__ = ["FakeRetriever"]


def _grams(text: str) -> set[str]:
    text = text.lower()
    return {text[i:i + 2] for i in range(len(text) - 1) if not text[i:i + 2].isspace()}


class FakeRetriever:
    def __init__(self, items: Sequence[NewsItem], chunk_chars: int = 400) -> None:
        self.items = {i.doc_id: i for i in items}
        self.chunk_chars = chunk_chars
        self.calls: list[dict[str, object]] = []

    def _chunks(self, item: NewsItem) -> list[tuple[str, str]]:
        body = item.body
        pieces = [body[i:i + self.chunk_chars] for i in range(0, len(body), self.chunk_chars)] or [""]
        return [(f"{item.doc_id}#{n}", text) for n, text in enumerate(pieces)]

    def search(self, query: str, *, k: int = 8, date_from: dt.date | None = None, date_to: dt.date | None = None,
               categories: list[str] | None = None, sources: list[str] | None = None) -> list[Hit]:
        self.calls.append({"query": query, "k": k, "date_from": date_from, "date_to": date_to,
                           "categories": categories})
        q = _grams(query)
        scored = []
        for item in self.items.values():
            if (date_from and item.date < date_from) or (date_to and item.date > date_to):
                continue
            if categories and item.category not in categories:
                continue
            for chunk_id, text in self._chunks(item):
                score = len(q & _grams(item.title + text)) / (len(q) or 1)
                scored.append(Hit(doc_id=item.doc_id, chunk_id=chunk_id, text=text, score=score, title=item.title,
                                  date=item.date, source=item.source, category=item.category or "other",
                                  url=item.url))
        scored.sort(key=lambda h: (-h.score, h.chunk_id))
        return scored[:k]

    def get_items(self, doc_ids: Sequence[str]) -> dict[str, NewsItem]:
        return {d: self.items[d] for d in doc_ids if d in self.items}
