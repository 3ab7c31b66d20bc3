"""The deterministic offline engine: data-to-text for market sections, extractive drafting for news.

It reads the same request a chat model gets, but uses its structured parts (numbered sources, tables, briefs)
instead of the messages. Sentences are chosen by position, number density and keyword overlap, never
instruction-like or forbidden ones, and every borrowed sentence carries its source's ``[n]``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from assistant.drafting.context import Source
from assistant.drafting.market import market_sentences
from assistant.drafting.text import instruction_like, rank_sentences, split_sentences, strip_markers
from assistant.engine.request import OFFLINE_HONOURS, Generation, GenerationRequest
from assistant.errors import DraftingError
from assistant.prompts import load_prompt, render_text

__all__ = ["OfflineEngine"]

_ROUND = re.compile(r"(天使\+?轮|种子轮|Pre-?[A-D]\+?轮|[A-F]\+{0,2}轮(?:&[A-F]\+{0,2}轮)?|战略融资|战略投资|IPO)")
_AMOUNT = re.compile(r"((?:超|近|逾|约)?\s*[\d.]+\s*(?:亿|万|千万|百万)(?:人民币|美元|元)?|数[十百千]?亿(?:人民币|美元|元)?)")
_INVESTOR = re.compile(r"(?:由|本轮(?:融资)?(?:由)?)([^。；，,]{2,40}?)(?:领投|独家投资|投资)")
_COMPANY = re.compile(r"^([^，。,：:\s]{2,20}?)(?:宣布|完成|获得?|正式完成|已完成)")
_TRACK = re.compile(r"(?:专注于|聚焦于?|致力于)([^，。；,]{2,24})")


def _keywords(request: GenerationRequest) -> list[str]:
    words: list[str] = []
    for spec in request.section.retrieval:
        for q in spec.queries:
            words.extend(w for w in re.split(r"\s+", q) if len(w) >= 2)
    return words


def _sentence_limit(request: GenerationRequest, n_items: int, default: int) -> int:
    per_item_tokens = request.section.budget_tokens // max(n_items, 1)
    limit = max(1, min(default, per_item_tokens // 60))
    # "更简洁": about half of what the item would otherwise get, never below one sentence.
    return max(1, min(limit, 4) // 2) if request.editing.concise else limit


def _summary(source: Source, request: GenerationRequest, limit: int) -> str:
    title_plain = source.title.strip()
    picked = [s for s in rank_sentences(source.passage, keywords=_keywords(request), title=title_plain,
                                        limit=limit + 1, prefer=request.editing.prefer)
              if s.strip("。") != title_plain.strip("。")]
    return "".join(picked[:limit])


def _in_window(request: GenerationRequest) -> list[Source]:
    return [s for s in request.packed.sources if not s.background]


def _highlights(sources: list[Source], n: int = 3) -> str:
    clean = [s for s in sources if not instruction_like(s.title)]
    return "；".join(f"{s.title.rstrip('。')}[{s.number}]" for s in clean[:n])


def _lead(request: GenerationRequest, sources: list[Source]) -> str:
    if not request.section.lead or not sources:
        return ""
    values = {**request.values, "count": str(len(sources)), "highlights": _highlights(sources)}
    return render_text(request.section.lead, values, where=f"template section {request.section.id}.lead")


def _funding_row(source: Source) -> dict[str, object]:
    text = strip_markers(source.passage)
    first = lambda rx, s: (m.group(1).strip() if (m := rx.search(s)) else "")  # noqa: E731
    company = first(_COMPANY, source.title) or first(_COMPANY, text)
    return {"source": source.number, "company": company or source.title[:20], "track": first(_TRACK, text),
            "round": first(_ROUND, source.title) or first(_ROUND, text),
            "amount": first(_AMOUNT, source.title) or first(_AMOUNT, text), "investors": first(_INVESTOR, text)}


def _digest(request: GenerationRequest) -> str:
    sources = _in_window(request)
    limit = _sentence_limit(request, len(sources), 3)
    groups = []
    for spec in request.section.retrieval:
        members = sorted((s for s in sources if s.group == spec.title), key=lambda s: s.date, reverse=True)
        members = [s for s in members if not instruction_like(s.title)][: spec.max_items]
        if request.section.id == "funding":
            rows = [_funding_row(s) for s in members]
        else:
            rows = [{"source": s.number, "title": s.title,
                     "summary": "".join(_cite(x, s.number) for x in split_sentences(_summary(s, request, limit)))}
                    for s in members]
        groups.append({"title": spec.title, "rows": rows})
    return json.dumps({"lead": _lead(request, sources), "groups": groups}, ensure_ascii=False)


def _cite(sentence: str, number: int) -> str:
    """Marker before the closing punctuation (…75%[3]。), so every sentence carries its own source."""
    body = sentence.rstrip()
    if body and body[-1] in "。！？；!?;":
        return f"{body[:-1]}[{number}]{body[-1]}"
    return f"{body}[{number}]"


def _paragraphs(sentences: list[str], number: int, size: int = 2) -> list[str]:
    cited = [_cite(s, number) for s in sentences]
    return ["".join(cited[i:i + size]) for i in range(0, len(cited), size)]


def _writeup(request: GenerationRequest) -> str:
    sources = [s for s in _in_window(request) if not instruction_like(s.title)]
    spec_max = max((r.max_items for r in request.section.retrieval), default=4)
    sources = sources[:spec_max]
    limit = _sentence_limit(request, len(sources), 6)
    parts = [_lead(request, sources)] if sources else []
    for i, source in enumerate(sources, start=1):
        body = _summary(source, request, limit)
        parts.append(f"#### {i}. {source.title.rstrip('。')}")
        parts.extend(_paragraphs(split_sentences(body), source.number))
    return "\n\n".join(p for p in parts if p)


def _lead_sentences(text: str, concise: bool) -> str:
    # Full stops only: a lead's highlights are joined by "；" and must stay together.
    sentences = [s for s in re.split(r"(?<=[。！？])", text) if s.strip()]
    return "".join(sentences[: 1 if concise else 2]).strip()


def _first_highlight(lead: str) -> str:
    """The first highlighted event of a digest/write-up lead ("…：A[1]；B[2]。" -> "A[1]")."""
    tail = lead.rsplit("：", 1)[-1]
    return tail.split("；", 1)[0].rstrip("。").strip()


def _core_views(request: GenerationRequest) -> str:
    bullets = []
    prefer = request.editing.prefer
    # "突出X" ranks the briefs mentioning X first (stable), so nothing is dropped for the emphasis.
    briefs = sorted(request.briefs, key=lambda b: not (prefer and any(p in b.lead for p in prefer)))
    for brief in briefs:
        lead = _lead_sentences(brief.lead, request.editing.concise or brief.section == "market_review")
        if lead:
            bullets.append(f"- **{brief.label}**：{lead}")
    return "\n".join(bullets)


def _advice(request: GenerationRequest) -> str:
    events = [_first_highlight(b.lead) for b in request.briefs if b.lead and "[" in b.lead]
    prefer = request.editing.prefer
    events = sorted(events, key=lambda e: not (prefer and any(p in e for p in prefer)))
    if request.editing.concise:  # shorter by fewer catalysts; the rating sentence and themes are the template's
        events = events[:1]
    values = {**request.values,
              "themes": "；".join(f"{i}、{t}" for i, t in enumerate(request.section.themes, start=1)),
              "events": "；".join(e for e in events if e) or "行业景气延续"}
    return render_text(request.section.lead, values, where=f"template section {request.section.id}.lead")


def _market(request: GenerationRequest) -> str:
    prompt = load_prompt(request.section.offline)
    text = prompt.render({**request.values, **market_sentences(request.tables)})
    return re.sub(r"\n{3,}", "\n\n", text)


_KINDS: dict[str, Callable[[GenerationRequest], str]] = {
    "market": _market, "digest": _digest, "writeup": _writeup, "core_views": _core_views, "advice": _advice,
}


def _refuse_what_cannot_be_honoured(request: GenerationRequest) -> None:
    """Say so instead of pretending: free instructions need a model engine."""
    editing = request.editing
    if editing.unsupported:
        listed = "、".join(f"“{u}”" for u in editing.unsupported)
        raise DraftingError(f"离线引擎无法执行指令 {listed}。{OFFLINE_HONOURS}；其他指令请配置模型引擎（openai）。")
    if request.section.kind == "market" and (editing.concise or editing.prefer):
        raise DraftingError("市场行情回顾由行情数据逐句生成，离线引擎不能按指令缩短或调整侧重；请直接编辑正文。")


class OfflineEngine:
    """Deterministic drafting without a model: same input, same draft, byte for byte."""

    name = "offline"

    def generate(self, request: GenerationRequest) -> Generation:
        _refuse_what_cannot_be_honoured(request)
        draft = _KINDS.get(request.section.kind)
        if draft is None:
            raise DraftingError(f"离线引擎不支持章节类型 {request.section.kind}（章节 {request.section.id}）")
        return Generation(text=draft(request), model=None, parameters={"engine": "offline"})
