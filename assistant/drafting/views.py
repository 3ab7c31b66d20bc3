"""The analyst's outline in the draft: core views and investment directions, structured by code for every engine.

Views are the analyst's and printed verbatim; evidence is the month's corpus (cited); numbers are the code's
(placeholders). An engine only supplies the evidence sentences (and, for a model, a proposed view where the
analyst gave none); this module assembles the bullets, so a model can neither rewrite nor drop the analyst's words.
Without ``views.yaml`` the theses and directions are proposed from the month's events (``importance``) with
visible slots for the analyst.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import ValidationError

from assistant.drafting.citations import MARKER
from assistant.drafting.importance import cluster_themes, normalise_name, rank_items
from assistant.drafting.market import core_market_facts
from assistant.drafting.news import marked_title
from assistant.drafting.thesis_names import evidence_names, mentioned, shortest_list, view_names
from assistant.engine.answers import DirectionCatalysts, Envelope, ThesisEvidence, field_problems
from assistant.engine.packed import PackedContext, Source
from assistant.engine.request import AdviceBrief, DepBrief, ThesisBrief
from assistant.engine.spec import RetrievalSpec, SectionSpec
from assistant.models import Finding, Hit, NewsItem, TableSet
from assistant.outline.model import Outline
from assistant.outline.slots import (
    ADVICE_SLOT,
    EVIDENCE_SLOT,
    MODEL_MARK,
    SLOT_PATTERN,
    STOCK_SLOT,
    VIEW_SLOT,
)

__all__ = [
    "ADVICE_SLOT", "MODEL_MARK", "SLOT_PATTERN", "STOCK_SLOT", "VIEW_SLOT", "advice_briefs", "advice_entries",
    "apply_outline",
    "describe_advice", "describe_theses", "rating_sentence", "render_advice", "render_core_views", "thesis_briefs",
    "thesis_entries",
]

_THESIS_GROUP = "观点{}"
_ADVICE_GROUP = "方向{}"
_NEWS_SECTIONS = ("market_review", "investment_advice", "risk_warnings")
_MAX_PROPOSED = 4


def apply_outline(sections: Sequence[SectionSpec], outline: Outline | None) -> list[SectionSpec]:
    """The template's sections with the outline's theses, directions and risks (each with its own retrieval)."""
    if outline is None:
        return list(sections)
    out = []
    for spec in sections:
        if spec.kind == "core_views" and outline.theses:
            retrieval = [RetrievalSpec(title=_THESIS_GROUP.format(i), queries=[t.query], k=4, max_items=2)
                         for i, t in enumerate(outline.theses, start=1) if not t.market]
            spec = spec.model_copy(update={"theses": outline.theses, "retrieval": retrieval})
        elif spec.kind == "advice" and outline.advice:
            retrieval = [RetrievalSpec(title=_ADVICE_GROUP.format(i), queries=[a.query], k=4, max_items=2)
                         for i, a in enumerate(outline.advice, start=1)]
            spec = spec.model_copy(update={"advice": outline.advice, "retrieval": retrieval})
        elif spec.kind == "static" and spec.id == "risk_warnings" and outline.risks:
            spec = spec.model_copy(update={"items": outline.risks})
        out.append(spec)
    return out


def _in_group(packed: PackedContext, ranking: Mapping[str, Sequence[Hit]], group: str, query: str,
              limit: int = 2, names: Sequence[str] = ()) -> tuple[int, ...]:
    """The group's best in-window sources in its own retrieval order (packing files a document under the first
    group that retrieved it). With ``names`` (a thesis's), a source that speaks of none of them is no evidence;
    beyond the first, a source must also name one of the query's terms in its headline."""
    by_doc = {s.doc_id: s for s in packed.sources if not s.background}
    # "AI" or "5G" alone says nothing about relevance: Latin terms need three characters, CJK terms two
    terms = [w for w in re.split(r"\s+", query) if len(w) >= (3 if w.isascii() else 2)]
    out: list[int] = []
    for hit in ranking.get(group, []):
        source = by_doc.get(hit.doc_id)
        if source is None or source.number in out:
            continue
        if names and not mentioned(f"{source.title}\n{source.passage}", names):
            continue
        if out and not any(t.lower() in source.title.lower() for t in terms):
            continue
        out.append(source.number)
        if len(out) == limit:
            break
    return tuple(out)


def _stock_label(name: str, code: str) -> str:
    return f"{name}（{code}）"


def _news_sources(packed: PackedContext, briefs: Sequence[DepBrief]) -> list[Source]:
    """The in-window sources the news sections cite in their leads (what the month's drafts lead with)."""
    by_number = {s.number: s for s in packed.sources}
    cited: list[Source] = []
    for brief in briefs:
        if brief.section in _NEWS_SECTIONS:
            continue
        for n in MARKER.findall(brief.lead):
            source = by_number.get(int(n))
            if source is not None and not source.background and source not in cited:
                cited.append(source)
    return cited


def _themes(sources: list[Source], pack_names: Sequence[str]) -> list[tuple[str, list[Source]]]:
    items = [NewsItem(doc_id=s.doc_id, date=s.date, title=s.title, body=s.passage, source=s.source,
                      category=s.category or None) for s in sources]
    by_doc = {s.doc_id: s for s in sources}
    ranked = rank_items(items, pack_names)
    # Themes by category (政策与改革, 大模型, 算力与 AI 芯片 …), most important first: a heading an analyst can
    # keep as a direction. No shared-term theme can form with this min_items, so cluster_themes falls back to them.
    themes = cluster_themes(ranked, items, max_themes=_MAX_PROPOSED, min_items=len(items) + 1)
    return [(t.label, [by_doc[d] for d in t.doc_ids]) for t in themes]


def thesis_briefs(spec: SectionSpec, packed: PackedContext, ranking: Mapping[str, Sequence[Hit]],
                  briefs: Sequence[DepBrief], values: dict[str, str], pack_names: Sequence[str]) -> list[ThesisBrief]:
    """The outline's theses with their evidence, or theses proposed from the month's most important events."""
    if spec.theses:
        out = []
        month = " ".join(f"{s.title}\n{s.passage}" for s in packed.sources if not s.background)
        for i, thesis in enumerate(spec.theses, start=1):
            known = [*pack_names, *(s.name for s in thesis.stocks)]
            names = () if thesis.market else tuple(evidence_names(thesis.headline, thesis.view, thesis.evidence,
                                                                  known))
            sources = () if thesis.market else _in_group(packed, ranking, _THESIS_GROUP.format(i), thesis.query,
                                                         names=names)
            # a name the view relies on that no item of the month speaks of: the analyst is told which
            unsupported = () if thesis.market else tuple(shortest_list(
                [n for n in view_names(thesis.headline, thesis.view, known, thesis.evidence)
                 if not mentioned(month, [n])]))
            out.append(ThesisBrief(headline=thesis.headline, view=thesis.view, query=thesis.query, sources=sources,
                                   market=thesis.market,
                                   stocks=tuple(_stock_label(s.name, s.code) for s in thesis.stocks),
                                   names=names, unsupported=unsupported))
        return out
    proposed = [ThesisBrief(headline=f"{values.get('month_label', '')}板块行情", market=True, proposed=True)]
    for label, members in _themes(_news_sources(packed, briefs), pack_names):
        top = members[0]
        # the theme's most important event is the thesis; its evidence is that item alone, not its neighbours
        proposed.append(ThesisBrief(headline=marked_title(top), query=f"{label} {top.title}",
                                    sources=(top.number,), proposed=True))
    return proposed


def _linked(members: Sequence[Source], names: Sequence[str]) -> tuple[str, ...]:
    text = " ".join(f"{s.title} {s.passage}" for s in members)
    return tuple(n for n in names if n and normalise_name(n) in text)


def advice_briefs(spec: SectionSpec, packed: PackedContext, ranking: Mapping[str, Sequence[Hit]],
                  briefs: Sequence[DepBrief], a_share_names: Sequence[str],
                  pack_names: Sequence[str]) -> list[AdviceBrief]:
    """The outline's directions with their catalysts, or the month's top themes with only pack-linked stocks."""
    if spec.advice:
        return [AdviceBrief(theme=a.theme, sources=_in_group(packed, ranking, _ADVICE_GROUP.format(i), a.query),
                            stocks=tuple(s.name for s in a.stocks))
                for i, a in enumerate(spec.advice, start=1)]
    return [AdviceBrief(theme=label, sources=tuple(s.number for s in members[:2]),
                        stocks=_linked(members, a_share_names), proposed=True)
            for label, members in _themes(_news_sources(packed, briefs), pack_names)]


_E = TypeVar("_E", ThesisEvidence, DirectionCatalysts)


def _entries(raw: list[Any], model: type[_E], n: int, section: str, label: str) -> tuple[list[_E], list[Finding]]:
    """The engine's entries, one per brief by position; one the model got wrong is read as empty and named."""
    out: list[_E] = []
    findings: list[Finding] = []
    for i, item in enumerate(raw[:n], start=1):
        try:
            out.append(model.model_validate(item))
        except ValidationError as exc:
            findings.append(Finding(section=section, kind="malformed_row", severity="warning",
                                    sentence=json.dumps(item, ensure_ascii=False)[:200],
                                    detail=f"模型给第 {i} 个{label}的内容无法读取（{field_problems(exc)}），按空白处理"))
            out.append(model())
    return out + [model() for _ in range(n - len(out))], findings


def _answer(data: Envelope | Mapping[str, Any]) -> Envelope:
    return data if isinstance(data, Envelope) else Envelope.model_validate(data)


def thesis_entries(data: Envelope | Mapping[str, Any], n: int, section: str,
                   ) -> tuple[list[ThesisEvidence], list[Finding]]:
    """The model's evidence for each of the ``n`` theses, typed (missing ones empty)."""
    return _entries(_answer(data).theses, ThesisEvidence, n, section, "观点")


def advice_entries(data: Envelope | Mapping[str, Any], n: int, section: str,
                   ) -> tuple[list[DirectionCatalysts], list[Finding]]:
    """The model's catalysts for each of the ``n`` directions, typed (missing ones empty)."""
    return _entries(_answer(data).advice, DirectionCatalysts, n, section, "投资方向")


def _unused(facts: str, used: set[str]) -> str:
    """The evidence without the sentences an earlier thesis already printed: one sentence backs one thesis."""
    kept = []
    for sentence in re.findall(r"[^。！？；]+(?:[。！？；]|$)", facts):
        key = re.sub(r"\[\d+\]|\s", "", sentence).rstrip("。！？；")
        if key and key in used:
            continue
        used.add(key)
        kept.append(sentence)
    return "".join(kept).strip()


def _headline(text: str) -> str:
    text = text.strip()
    return f"**{text}**" if text[-1:] in "。！？：:" else f"**{text}：**"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in "。！？；" else text + "。"


def render_core_views(data: Envelope | Mapping[str, Any] | Sequence[ThesisEvidence], theses: Sequence[ThesisBrief],
                      briefs: Sequence[DepBrief], tables: TableSet, section: str) -> tuple[str, list[Finding]]:
    """Bullets: bold headline, the month's evidence (cited) or market figures (placeholders), then the view.
    ``data`` is the answer, or its entries already read by ``thesis_entries``."""
    if isinstance(data, Envelope | Mapping):
        entries, findings = thesis_entries(data, len(theses), section)
    else:
        entries, findings = list(data), []
    bullets = []
    used: set[str] = set()
    for thesis, entry in zip(theses, entries, strict=True):
        if thesis.market:
            facts, dropped = core_market_facts(tables)
            findings += [Finding(section=section, kind="market_fact_missing", severity="warning", detail=d)
                         for d in dropped]
        else:
            facts = _unused(entry.facts.strip(), used)
        names = "、".join(thesis.unsupported)
        if not facts:  # a slot (code-placed, may repeat per thesis), naming what the view relies on
            facts = EVIDENCE_SLOT.format(names=f"本月未检索到支持新闻（{names}）" if names else "本月未检索到支持新闻")
            findings.append(Finding(section=section, kind="thesis_without_evidence", severity="warning",
                                    detail=f"观点“{thesis.headline}”在本月语料中没有检索到支持的新闻，请分析师补充论据",
                                    sentence=thesis.headline))
        elif thesis.unsupported:
            facts = _sentence(facts) + EVIDENCE_SLOT.format(names=names)
            findings.append(Finding(section=section, kind="thesis_name_unsupported", severity="warning",
                                    sentence=thesis.headline,
                                    detail=f"观点“{thesis.headline}”提到的{'、'.join(thesis.unsupported)}"
                                           "在本月资料中没有支持的条目，请分析师补充证据或改写观点"))
        if thesis.view:
            view = thesis.view
        elif entry.view.strip():
            view = MODEL_MARK + entry.view.strip()
        else:
            view = VIEW_SLOT
        stocks = f"相关标的：{'、'.join(thesis.stocks)}。" if thesis.stocks else ""
        # a proposed thesis's headline is its news item's title: cited, so its figures are judged against it
        headline = f"{thesis.headline}[{thesis.sources[0]}]" if thesis.proposed and thesis.sources else thesis.headline
        bullets.append(f"- {_headline(headline)}{_sentence(facts)}{view}{stocks}")
    for brief in briefs:
        if brief.section in ("investment_advice", "risk_warnings") and brief.lead:
            bullets.append(f"- **{brief.label}：**{brief.lead}")
    return "\n".join(bullets), findings


def rating_sentence(values: dict[str, str]) -> str:
    """From the pack: 维持计算机行业“推荐”评级 (the action without its trailing 评级)."""
    action = values.get("rating_action", "").removesuffix("评级") or "给予"
    return f"我们{action}{values.get('industry', '')}“{values.get('rating', '')}”评级"


def render_advice(data: Envelope | Mapping[str, Any] | Sequence[DirectionCatalysts], advice: Sequence[AdviceBrief],
                  values: dict[str, str], section: str) -> tuple[str, list[Finding]]:
    """The rating sentence, the numbered directions, each with its catalysts and stocks, then the stock line.
    ``data`` is the answer, or its entries already read by ``advice_entries``."""
    if isinstance(data, Envelope | Mapping):
        entries, findings = advice_entries(data, len(advice), section)
    else:
        entries, findings = list(data), []
    if not advice:
        findings.append(Finding(section=section, kind="view_awaiting_analyst",
                                detail="没有分析师提纲（views.yaml 的 advice），本月也没有可归纳的主题：投资方向待分析师补充"))
        return f"{rating_sentence(values)}。{ADVICE_SLOT}", findings
    names = "；".join(f"{i}、{a.theme}" for i, a in enumerate(advice, start=1))
    proposed = any(a.proposed for a in advice)
    head = (f"{rating_sentence(values)}。本月值得跟踪的主题：{names}。{ADVICE_SLOT}" if proposed
            else f"{rating_sentence(values)}，建议关注 {names}。")
    lines = [head, ""]
    for i, (theme, entry) in enumerate(zip(advice, entries, strict=True), start=1):
        catalysts = entry.catalysts.strip()
        stocks = "、".join(theme.stocks) if theme.stocks else STOCK_SLOT
        body = f"本月催化：{_sentence(catalysts)}" if catalysts else ""
        lines.append(f"{i}. **{theme.theme}**：{body}相关标的：{stocks}。")
    # a flat "建议关注" line is a recommendation: only the analyst's directions make one
    every = list(dict.fromkeys(n for a in advice for n in a.stocks))
    if every and not proposed:
        lines += ["", f"建议关注：{'、'.join(every)}等。"]
    return "\n".join(lines), findings


def describe_theses(theses: Sequence[ThesisBrief]) -> str:
    """The theses as a model reads them: headline, kind, evidence numbers and whether the analyst wrote a view."""
    lines = []
    for i, t in enumerate(theses, start=1):
        kind = "【行情】" if t.market else ""
        evidence = "、".join(f"[{n}]" for n in t.sources) or "无"
        view = "已提供（程序原样排版）" if t.view else "无"
        lines.append(f"{i}. {kind}{t.headline}（证据来源：{evidence}；分析师观点：{view}）")
    return "\n".join(lines) or "无"


def describe_advice(advice: Sequence[AdviceBrief]) -> str:
    lines = []
    for i, a in enumerate(advice, start=1):
        evidence = "、".join(f"[{n}]" for n in a.sources) or "无"
        lines.append(f"{i}. {a.theme}（相关标的：{'、'.join(a.stocks) or '无'}；催化来源：{evidence}）")
    return "\n".join(lines) or "无"
