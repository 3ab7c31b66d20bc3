"""The deterministic offline engine: data-to-text for market sections, extractive drafting for news.

It reads the same request a chat model gets, but uses its structured parts (numbered sources, tables, briefs)
instead of the messages. Sentences are chosen by position, number density and keyword overlap, never
instruction-like or forbidden ones, and every borrowed sentence carries its source's ``[n]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.drafting.market import market_sentences
from assistant.drafting.news import digest_json, writeup_markdown
from assistant.drafting.offline_views import advice_json, core_views_json
from assistant.engine.request import Generation, GenerationRequest, offline_refusal
from assistant.errors import DraftingError
from assistant.prompts import load_prompt

__all__ = ["OfflineEngine"]

_ROUND = re.compile(r"(天使\+?轮|种子轮|Pre-?[A-D]\+?轮|[A-F]\+{0,2}轮(?:&[A-F]\+{0,2}轮)?|战略融资|战略投资|IPO)")
_AMOUNT = re.compile(r"((?:超|近|逾|约)?\s*[\d.]+\s*(?:亿|万|千万|百万)(?:人民币|美元|元)?|数[十百千]?亿(?:人民币|美元|元)?)")
_INVESTOR = re.compile(r"(?:由|本轮(?:融资)?(?:由)?)([^。；，,]{2,40}?)(?:领投|独家投资|投资)")
_COMPANY = re.compile(r"^([^，。,：:\s]{2,20}?)(?:宣布|完成|获得?|正式完成|已完成)")
_TRACK = re.compile(r"(?:专注于|聚焦于?|致力于)([^，。；,]{2,24})")


def _digest(request: GenerationRequest) -> str:
    return digest_json(request)


def _writeup(request: GenerationRequest) -> str:
    return writeup_markdown(request)


def _core_views(request: GenerationRequest) -> str:
    return core_views_json(request)


def _advice(request: GenerationRequest) -> str:
    return advice_json(request)


def _market(request: GenerationRequest) -> str:
    prompt = load_prompt(request.section.offline)
    text = prompt.render({**request.values, **market_sentences(request.tables, request.packed.sources)})
    return re.sub(r"\n{3,}", "\n\n", text)


_KINDS: dict[str, Callable[[GenerationRequest], str]] = {
    "market": _market, "digest": _digest, "writeup": _writeup, "core_views": _core_views, "advice": _advice,
}


def _refuse_what_cannot_be_honoured(request: GenerationRequest) -> None:
    """Say so instead of pretending: free instructions need a model engine."""
    refusal = offline_refusal(request.editing, request.section.kind)
    if refusal:
        raise DraftingError(refusal)


class OfflineEngine:
    """Deterministic drafting without a model: same input, same draft, byte for byte."""

    name = "offline"

    def generate(self, request: GenerationRequest) -> Generation:
        _refuse_what_cannot_be_honoured(request)
        draft = _KINDS.get(request.section.kind)
        if draft is None:
            raise DraftingError(f"离线引擎不支持章节类型 {request.section.kind}（章节 {request.section.id}）")
        return Generation(text=draft(request), model=None, parameters={"engine": "offline"})
