"""Split item bodies into token-bounded chunks on Chinese sentence boundaries."""

from __future__ import annotations

import re

from assistant.models import Chunk, NewsItem
from assistant.tokens import get_encoding

__all__ = ["chunk_item", "embed_text", "indexed_text", "split_sentences"]

# A sentence ends after 。！？； (full- or half-width !?;) or a newline; closing quotes stay with the sentence.
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;\n])(?![”’」』）)\"'])")


def split_sentences(text: str) -> list[str]:
    """Sentences with their terminators kept, blank pieces dropped."""
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def _hard_split(sentence: str, max_tokens: int, encoding: str | None) -> list[str]:
    """A 'sentence' longer than the budget (tables, run-on text) is cut by characters, never mid-character.

    Linear in the text: each cut looks only at a window of a few times the budget in characters (a token is at
    least one character), never at the whole rest — a 332k-character body with no sentence end took minutes.
    """
    enc = get_encoding(encoding)
    window = max(max_tokens * 4, 64)
    pieces: list[str] = []
    start = 0
    while start < len(sentence):
        head = sentence[start:start + window]
        n = len(enc.encode_ordinary(head))
        cut = len(head)
        if n > max_tokens:
            cut = max(1, len(head) * max_tokens // n)
            while cut > 1 and len(enc.encode_ordinary(head[:cut])) > max_tokens:
                cut = max(1, cut * 9 // 10)
        pieces.append(head[:cut])
        start += cut
    return pieces


def chunk_item(item: NewsItem, max_tokens: int = 320, encoding: str | None = None) -> list[Chunk]:
    """Greedy packing of whole sentences into chunks of at most ``max_tokens`` tokens (cl100k by default)."""
    enc = get_encoding(encoding)
    groups: list[tuple[str, int]] = []
    current: list[str] = []
    current_tokens = 0
    for sentence in split_sentences(item.body):
        n = len(enc.encode_ordinary(sentence))
        parts = [(sentence, n)] if n <= max_tokens else [
            (p, len(enc.encode_ordinary(p))) for p in _hard_split(sentence, max_tokens, encoding)]
        for text, tokens in parts:
            if current and current_tokens + tokens > max_tokens:
                groups.append(("".join(current), current_tokens))
                current, current_tokens = [], 0
            current.append(text)
            current_tokens += tokens
    if current:
        groups.append(("".join(current), current_tokens))
    return [
        Chunk(chunk_id=f"{item.doc_id}#{i}", doc_id=item.doc_id, index=i, text=text.strip(), tokens=tokens,
              date=item.date, title=item.title, source=item.source, category=item.category or "other",
              url=item.url)
        for i, (text, tokens) in enumerate(groups)
    ]


def indexed_text(title: str, text: str) -> str:
    """What gets embedded and BM25-indexed: the headline carries the story's key entities into every chunk."""
    return f"{title}\n{text}"


def embed_text(chunk: Chunk) -> str:
    return indexed_text(chunk.title, chunk.text)
