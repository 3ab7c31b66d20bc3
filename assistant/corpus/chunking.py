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


def _hard_split(sentence: str, max_tokens: int, encoding: str | None) -> list[tuple[str, int]]:
    """A 'sentence' longer than the budget (tables, run-on text) is cut by characters, never mid-character.

    Linear in the text: each cut encodes only a window of twice the budget in characters (a token is at
    least one character), never the whole rest — a 332k-character body with no sentence end took minutes. The
    cut point comes from the window's own tokens (the characters the first ``max_tokens`` tokens cover), checked
    by encoding the piece once. Returns (piece, tokens) pairs.
    """
    enc = get_encoding(encoding)
    window = max(max_tokens * 2, 64)
    pieces: list[tuple[str, int]] = []
    start = 0
    while start < len(sentence):
        head = sentence[start:start + window]
        tokens = enc.encode_ordinary(head)
        cut, count = len(head), len(tokens)
        if count > max_tokens:
            # the bytes of the first max_tokens tokens are a prefix of the window's UTF-8; whole characters only
            cut = max(1, len(enc.decode_bytes(tokens[:max_tokens]).decode("utf-8", errors="ignore")))
            count = len(enc.encode_ordinary(head[:cut]))
            while cut > 1 and count > max_tokens:
                cut = max(1, cut * 9 // 10)
                count = len(enc.encode_ordinary(head[:cut]))
        pieces.append((head[:cut], count))
        start += cut
    return pieces


def chunk_item(item: NewsItem, max_tokens: int = 320, encoding: str | None = None) -> list[Chunk]:
    """Greedy packing of whole sentences into chunks of at most ``max_tokens`` tokens (cl100k by default)."""
    enc = get_encoding(encoding)
    groups: list[tuple[str, int]] = []
    current: list[str] = []
    current_tokens = 0
    for sentence in split_sentences(item.body):
        if len(sentence) > max_tokens * 8:
            # Far over any budget: never BPE-encode it whole (one 332k-character CJK "word" is slow to encode).
            parts = _hard_split(sentence, max_tokens, encoding)
        else:
            n = len(enc.encode_ordinary(sentence))
            parts = [(sentence, n)] if n <= max_tokens else _hard_split(sentence, max_tokens, encoding)
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
