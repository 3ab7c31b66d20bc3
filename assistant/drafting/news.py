"""The offline engine's news sections: digest tables and write-ups from whole items, most important first.

Which items a section prints is decided by importance (``importance.rank_items``: policy level, the pack's
names, money, independent sources), not by retrieval order or date; a table's cap keeps the most important items
and names every other in-window item on a "其他动态" line, so nothing retrieved is dropped silently. Rows are
coherent extracts (``extract``), funding and policy rows are read field by field (``rows``), and a section's
lead states only what its printed rows show (their count and the most important of them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from assistant.corpus.language import foreign_mark
from assistant.drafting.context import Source
from assistant.drafting.digest import FUNDING_COLUMNS, POLICY_COLUMNS
from assistant.drafting.extract import extract
from assistant.drafting.importance import RankedItem, rank_items
from assistant.drafting.policy import policy_row_fields
from assistant.drafting.rows import PENDING, funding_fields, not_a_round
from assistant.drafting.text import instruction_like
from assistant.engine.request import GenerationRequest
from assistant.models import NewsItem
from assistant.numerals import chinese_numeral
from assistant.prompts import render_text

__all__ = ["cite", "digest_json", "foreign", "foreign_extract", "marked_title", "pack_names", "ranked_sources",
           "writeup_markdown"]

_TABLE_REFS = ("T1", "T2", "T4", "T5")


def cite(sentence: str, number: int) -> str:
    """Marker before the closing punctuation (…75%[3]。), so every sentence carries its own source."""
    body = sentence.rstrip()
    if len(body) > 1 and body[-1] in "”」』" and body[-2] in "。！？!?":
        return f"{body}[{number}]"  # a quotation that ends the sentence keeps its own full stop
    if body and body[-1] in "。！？；!?;":
        return f"{body[:-1]}[{number}]{body[-1]}"
    return f"{body}[{number}]。"


def pack_names(request: GenerationRequest) -> list[str]:
    """Company names the pack cares about: the movers and watchlist tables, and the watchlist value."""
    names: list[str] = []
    for ref in _TABLE_REFS:
        table = request.tables.table(ref)
        if table is not None and len(table.columns) > 1:
            names += [r[1] for r in table.rows if len(r) > 1 and r[1]]
    names += [n for n in request.values.get("watchlist", "").split("、") if n and "（" not in n]
    return list(dict.fromkeys(names))


def _as_item(source: Source) -> NewsItem:
    return NewsItem(doc_id=source.doc_id, date=source.date, title=source.title, body=source.passage,
                    source=source.source, category=source.category or None, fields=source.fields)


def ranked_sources(sources: Sequence[Source], request: GenerationRequest) -> list[tuple[Source, RankedItem]]:
    """In-window, non-instruction sources with their importance, most important first."""
    usable = [s for s in sources if not s.background and not instruction_like(s.title)]
    by_id = {s.doc_id: s for s in usable}
    ranked = [(by_id[r.doc_id], r) for r in rank_items([_as_item(s) for s in usable], pack_names(request))]
    prefer = [p.lower() for p in request.editing.prefer if p]
    if prefer:  # an editor's "突出X": the items that speak of X come first (stable otherwise)
        ranked.sort(key=lambda p: not any(t in f"{p[0].title}{p[0].passage}".lower() for t in prefer))
    return ranked


def _keywords(request: GenerationRequest) -> list[str]:
    return [w for spec in request.section.retrieval for q in spec.queries for w in q.split() if len(w) >= 2]


def _limit(request: GenerationRequest, n_items: int, default: int, floor: int = 3) -> int:
    per_item_tokens = request.section.budget_tokens // max(n_items, 1)
    limit = max(floor, min(default, per_item_tokens // 60))
    # "更简洁": about half of what the item would otherwise get, never below one sentence.
    return max(1, min(limit, 4) // 2) if request.editing.concise else limit


def _summary(source: Source, request: GenerationRequest, limit: int, max_chars: int) -> str:
    if source.translated_summary or foreign(source):
        return foreign_extract(source, limit, max_chars)
    sentences = extract(source.passage, title=source.title, limit=limit, keywords=_keywords(request),
                        prefer=request.editing.prefer, max_chars=max_chars)
    return "".join(cite(s, source.number) for s in sentences)


def _lead(request: GenerationRequest, printed: list[tuple[Source, RankedItem]]) -> str:
    if not request.section.lead or not printed:
        return ""
    top = sorted(printed, key=lambda p: -p[1].score)[:3]
    highlights = "；".join(f"{marked_title(s)}[{s.number}]" for s, _ in top)
    # the count in words: it is computed, not quoted from a source, so it must not read as a cited figure
    values = {**request.values, "count": chinese_numeral(len(printed)), "highlights": highlights}
    return render_text(request.section.lead, values, where=f"template section {request.section.id}.lead")


def _funding_row(source: Source) -> dict[str, object] | None:
    """A financing round's cells (one the item does not let us read is 【待补】 and named in ``missing``); None
    for an item that is no round (a fund, a partnership, an acquisition): it goes to the "其他相关动态" line."""
    if not source.fields.get("round") and not_a_round(source.title, source.passage):
        return None
    fields, missing = funding_fields(source.title, source.passage, source.fields)
    cell = {k: v or PENDING for k, v in fields.items()}
    return {"source": source.number, "company": cell["company"], "track": cell["sector"],
            "intro": cell["intro"], "round": cell["round"], "amount": cell["amount"],
            "investors": cell["investors"], "missing": missing}


def foreign(source: Source) -> str:
    """``（英文）`` for an untranslated foreign-language item, else "" (a model's translation is Chinese)."""
    if source.translated_summary:
        return ""
    return foreign_mark(f"{source.title}\n{source.passage}")


def marked_title(source: Source) -> str:
    """An untranslated foreign-language title in a Chinese report says so: "…（英文）"."""
    title = source.title.rstrip("。")
    return title + foreign(source)


_EN_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“‘(])|(?<=[。！？])")


def foreign_extract(source: Source, limit: int, max_chars: int = 600) -> str:
    """What a foreign item says, never as Chinese prose: the model's translation, else its opening sentences
    quoted and labelled as the untranslated original."""
    if source.translated_summary:
        return cite(source.translated_summary.strip(), source.number)
    # sentence ends: ". " before a capital or a quote, never the point of "1.2" or "$0.1"
    sentences = [x.strip() for x in _EN_SENTENCE.split(" ".join(source.passage.split())) if x.strip()]
    quoted = ""
    for sentence in sentences[:max(2, limit)]:
        if quoted and len(quoted) + len(sentence) > max_chars:
            break
        quoted = f"{quoted} {sentence}".strip()
    language = foreign(source).strip("（）") or "外文"
    return f"{language}原文摘录（未翻译）：“{quoted}”[{source.number}]。"


def _news_row(source: Source, request: GenerationRequest, limit: int) -> dict[str, object]:
    return {"source": source.number, "title": marked_title(source),
            "summary": _summary(source, request, limit, max_chars=420 + 120 * max(limit - 3, 0))}


def _policy_row(source: Source, request: GenerationRequest, limit: int) -> dict[str, object] | None:
    fields = policy_row_fields(source.title, source.passage, source.source)  # home or abroad (issue 20)
    if fields is None:
        return None
    return {"source": source.number, **fields, "summary": _summary(source, request, limit, max_chars=520)}


def digest_json(request: GenerationRequest) -> str:
    """The digest section's rows as the JSON the renderer reads (the same shape a chat model returns)."""
    ranked = ranked_sources(request.packed.sources, request)
    columns = tuple(request.section.columns)
    limit = _limit(request, len(ranked), 3)
    printed: list[tuple[Source, RankedItem]] = []
    groups = []
    for spec in request.section.retrieval:
        members = [(s, r) for s, r in ranked if s.group == spec.title]
        rows: list[tuple[Any, dict[str, object]]] = []
        others: list[dict[str, object]] = []
        events: set[str] = set()
        for position, (source, rank) in enumerate(members):
            if rank.event in events and columns != FUNDING_COLUMNS:
                others.append({"source": source.number, "title": marked_title(source), "same_event": True})
                continue
            # the section's most important items may run longer: their headline promises more
            extra = 1 if position < 3 else 0
            row: dict[str, object] | None
            if len(rows) >= spec.max_items:
                row = None
            elif columns == FUNDING_COLUMNS:
                row = _funding_row(source)
            elif columns == POLICY_COLUMNS:
                row = _policy_row(source, request, limit + extra)
            else:
                row = _news_row(source, request, limit + extra)
            if row is None:
                # a policy item the table cannot place, or a funding item that is no round, is told in a line
                told = columns == POLICY_COLUMNS or (columns == FUNDING_COLUMNS and len(rows) < spec.max_items)
                summary = _summary(source, request, 2, max_chars=240) if told else ""
                others.append({"source": source.number, "title": marked_title(source), "summary": summary})
                if summary and columns != FUNDING_COLUMNS:  # a fund or an acquisition is no 投融资事件 of the lead
                    printed.append((source, rank))
                continue
            rows.append((source.date, row))
            printed.append((source, rank))
            events.add(rank.event)
        rows.sort(key=lambda r: r[0], reverse=True)  # the seed's tables run newest first
        groups.append({"title": spec.title, "rows": [r for _, r in rows], "others": others})
    return json.dumps({"lead": _lead(request, printed), "groups": groups}, ensure_ascii=False)


def _paragraphs(sentences: list[str], number: int, size: int = 2) -> list[str]:
    cited = [cite(s, number) for s in sentences]
    return ["".join(cited[i:i + size]) for i in range(0, len(cited), size)]


def _figure_slots(source: Source, institution: str) -> list[str]:
    """One numbered figure slot per image the item carries: the editor inserts the picture."""
    slots = []
    for caption in source.images:
        title = re.sub(r"^图\s*\d*\s*[：:]\s*", "", caption).strip()
        if title:
            # the caption is the item's own words: cited like any borrowed sentence (export shows it without [n])
            slots.append(f"图：{title}[{source.number}]\n\n资料来源：{source.source}，{institution}整理")
    return slots


def writeup_markdown(request: GenerationRequest) -> str:
    """Numbered write-ups of the section's most important items; the rest named on a "其他动态" line."""
    ranked = ranked_sources(request.packed.sources, request)
    spec_max = max((r.max_items for r in request.section.retrieval), default=4)
    chosen: list[tuple[Source, RankedItem]] = []
    rest: list[Source] = []
    events: set[str] = set()
    for source, rank in ranked:
        if len(chosen) < spec_max and rank.event not in events:
            chosen.append((source, rank))
            events.add(rank.event)
        else:
            rest.append(source)
    limit = _limit(request, len(chosen), 6)
    institution = request.values.get("institution", "")
    parts = [_lead(request, chosen)]
    for i, (source, _) in enumerate(chosen, start=1):
        parts.append(f"#### {i}. {marked_title(source)}")
        if source.translated_summary or foreign(source):
            parts.append(foreign_extract(source, limit, max_chars=260 * limit))
        else:
            sentences = extract(source.passage, title=source.title, limit=limit, keywords=_keywords(request),
                                prefer=request.editing.prefer, max_chars=260 * limit)
            parts.extend(_paragraphs(sentences, source.number))
        parts.extend(_figure_slots(source, institution))
    if rest:
        parts.append("其他动态：" + "；".join(f"{marked_title(s)}[{s.number}]" for s in rest) + "。")
    return "\n\n".join(p for p in parts if p)
