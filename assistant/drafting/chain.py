"""The section chain in LCEL: retrieve -> pack -> prompt -> model -> parse.

Each step is a small function over ``ChainState``; ``build_chain`` composes them with ``RunnableLambda`` so the
same chain runs with the offline engine or a chat model. Failures inside a step raise ``SectionFailure``
carrying findings; the runner turns them into a failed ``SectionDraft``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda

from assistant.drafting.citations import parse_output
from assistant.drafting.context import PackedContext, fuse_rankings, pack_context, widen_sources
from assistant.drafting.digest import MalformedOutput, loads_json, render_digest
from assistant.drafting.inputs import RetrievalRecord, SectionFailure, SectionInputs
from assistant.drafting.market import market_gaps, missing_tables
from assistant.drafting.placeholders import PlaceholderError, fill_placeholders
from assistant.drafting.sources import briefs_for, prompt_values
from assistant.drafting.template import SectionSpec
from assistant.drafting.views import (
    advice_briefs,
    describe_advice,
    describe_theses,
    render_advice,
    render_core_views,
    thesis_briefs,
)
from assistant.engine.output import strip_think
from assistant.engine.request import DepBrief, Engine, Generation, GenerationRequest
from assistant.errors import DraftingError
from assistant.models import Finding, Hit, Provenance, SectionDraft, TableSet
from assistant.prompts import load_prompt

__all__ = ["ChainState", "build_chain", "retrieve_and_pack", "section_hash"]

SYSTEM_PROMPT = "sections/system.v1.md"


@dataclass
class ChainState:
    inputs: SectionInputs
    record: RetrievalRecord
    request: GenerationRequest | None = None
    generation: Generation | None = None
    template_id: str = ""
    template_hash: str = ""
    draft: SectionDraft | None = None


def _retrieve(inputs: SectionInputs) -> ChainState:
    spec = inputs.spec
    if inputs.prior is not None or not spec.retrieval:
        return ChainState(inputs, inputs.prior or RetrievalRecord(section=spec.id))
    if inputs.retriever is None:
        raise SectionFailure("没有可用的检索器", [Finding(section=spec.id, kind="retrieval_failed",
                                                      detail="章节需要检索新闻，但没有可用的检索器")])
    groups: dict[str, list[Hit]] = {}
    for rspec in spec.retrieval:
        lo, hi = (None, None) if rspec.background else inputs.window
        rankings = [inputs.retriever.search(q, k=rspec.k, date_from=lo, date_to=hi, categories=rspec.categories)
                    for q in rspec.queries]
        groups[rspec.title] = fuse_rankings(rankings)
    return ChainState(inputs, RetrievalRecord(section=spec.id, groups=groups))


def _pack(state: ChainState) -> ChainState:
    inputs, record = state.inputs, state.record
    if record.packed.sources or not record.groups:
        return state
    doc_ids = sorted({h.doc_id for hits in record.groups.values() for h in hits})
    items = inputs.retriever.get_items(doc_ids) if inputs.retriever is not None else {}
    share = inputs.context_tokens // max(len(record.groups), 1)
    merged = PackedContext()
    for title, hits in record.groups.items():
        seen = {s.doc_id for s in merged.sources}
        fresh = [h for h in hits if h.doc_id not in seen]
        part = pack_context(fresh, budget=share, count=inputs.count, items=items, window=inputs.window,
                            group=title, start=len(merged.sources) + 1)
        merged.sources.extend(part.sources)
        merged.dropped.extend(part.dropped)
        merged.tokens += part.tokens
    # what the groups left of their equal shares widens the best-ranked cut sources of any group
    record.packed = widen_sources(merged, items, budget=inputs.context_tokens, count=inputs.count)
    return state


def section_hash(spec: SectionSpec) -> str:
    """sha256 over the section's template entry and every prompt file it renders: a draft is stale when it changes."""
    fixed = spec.kind in ("static", "disclosures")
    files = [spec.prompt] if fixed else [SYSTEM_PROMPT, spec.prompt, *([spec.offline] if spec.offline else [])]
    digest = hashlib.sha256(spec.model_dump_json().encode("utf-8"))
    for name in files:
        digest.update(load_prompt(name).sha256.encode("ascii"))
    return digest.hexdigest()


def _prompt(state: ChainState) -> ChainState:
    inputs = state.inputs
    spec = inputs.spec
    if spec.kind == "market":
        gone = missing_tables(inputs.tables, spec.tables)
        if gone:
            raise SectionFailure(f"所需表格缺失或为空: {', '.join(gone)}", [
                Finding(section=spec.id, kind="missing_table", detail=f"表 {t} 缺失或没有数据，章节未起草")
                for t in gone])
    packed, briefs = state.record.packed, list[DepBrief]()
    theses, advice = [], []
    if spec.kind in ("core_views", "advice"):
        # the outline's own retrieval (evidence, catalysts) first, then what the drafted sections cite
        packed, briefs = briefs_for(inputs, state.record.packed)
        state.record.packed = packed
        names = [n for n in inputs.values.get("pack_names", "").split("、") if n]
        if spec.kind == "core_views":
            theses = thesis_briefs(spec, packed, state.record.groups, briefs, inputs.values, names)
        else:
            a_shares = [n for n in inputs.values.get("a_share_names", "").split("、") if n]
            advice = advice_briefs(spec, packed, state.record.groups, briefs, a_shares, names)
    values = {**prompt_values(inputs, packed, briefs), "theses": describe_theses(theses),
              "advice_themes": describe_advice(advice)}
    system, section = load_prompt(SYSTEM_PROMPT), load_prompt(spec.prompt)
    messages = [("system", system.render(values)), ("user", section.render(values))]
    state.request = GenerationRequest(section=spec, messages=messages, packed=packed, tables=inputs.tables,
                                      values=values, briefs=briefs, editing=inputs.editing, theses=theses,
                                      advice=advice)
    state.template_id = f"{section.id}.v{section.version}"
    state.template_hash = section_hash(spec)
    return state


def _model(engine: Engine, state: ChainState) -> ChainState:
    if state.request is None:
        raise DraftingError("prompt step did not run")
    state.generation = engine.generate(state.request)
    return state


def _body(state: ChainState, raw: str) -> tuple[str, list[Finding]]:
    inputs, spec = state.inputs, state.inputs.spec
    if spec.kind == "digest":
        try:
            data = loads_json(raw)
        except MalformedOutput as exc:
            raise SectionFailure(str(exc), [Finding(section=spec.id, kind="malformed_output", detail=str(exc),
                                                    evidence=raw[:500])]) from exc
        return render_digest(data, state.record.packed, spec, inputs.values["institution"])
    if spec.kind in ("core_views", "advice") and state.request is not None:
        try:
            data = loads_json(raw)
        except MalformedOutput as exc:
            raise SectionFailure(str(exc), [Finding(section=spec.id, kind="malformed_output", detail=str(exc),
                                                    evidence=raw[:500])]) from exc
        if spec.kind == "core_views":
            return render_core_views(data, state.request.theses, state.request.briefs, inputs.tables, spec.id)
        return render_advice(data, state.request.advice, inputs.values, spec.id)
    return raw, []


def _parse(state: ChainState) -> ChainState:
    inputs, spec, gen = state.inputs, state.inputs.spec, state.generation
    if gen is None:
        raise DraftingError("model step did not run")
    raw = strip_think(gen.text) if spec.kind in ("digest", "core_views", "advice") else gen.text
    if not raw.strip():
        raise SectionFailure("模型返回了空内容", [Finding(section=spec.id, kind="empty_output",
                                                     detail="模型返回了空内容")])
    body, findings = _body(state, raw)
    sources = {s.number: s.doc_id for s in state.record.packed.sources}
    parsed = parse_output(body, sources, spec.id)
    text = parsed.text
    if spec.kind == "market":
        findings += [Finding(section=spec.id, kind="market_fact_missing", severity="warning", detail=gap)
                     for gap in market_gaps(inputs.tables)]
    if spec.kind in ("market", "core_views"):
        try:
            text, _ = fill_placeholders(text, inputs.tables)
        except PlaceholderError as exc:
            raise SectionFailure(str(exc), [Finding(section=spec.id, kind="unknown_placeholder",
                                                    detail=str(exc), sentence=exc.placeholder)]) from exc
    state.draft = SectionDraft(
        id=spec.id, title=spec.title, markdown=text.strip(), citations=parsed.citations,
        tables=_table_ids(inputs.tables, spec.tables), charts=_chart_ids(inputs.tables, spec.charts),
        findings=findings + parsed.findings, provenance=_provenance(state, gen))
    return state


def _table_ids(tables: TableSet, refs: list[str]) -> list[str]:
    return [t.id for ref in refs if (t := tables.table(ref)) is not None]


def _chart_ids(tables: TableSet, refs: list[str]) -> list[str]:
    return [c.id for c in tables.charts if c.id in refs or c.key in refs]


def _provenance(state: ChainState, gen: Generation) -> Provenance:
    inputs = state.inputs
    retrieved = [h.doc_id for hits in state.record.groups.values() for h in hits]
    return Provenance(
        engine=state.inputs.values.get("engine", ""), model=gen.model, parameters=gen.parameters,
        template_id=state.template_id, template_hash=state.template_hash,
        retrieved_doc_ids=list(dict.fromkeys(retrieved)), prompt_tokens=gen.prompt_tokens,
        completion_tokens=gen.completion_tokens, cost_usd=gen.cost_usd, latency_s=gen.latency_s,
        pack_hash=inputs.pack_hash, corpus_hash=inputs.corpus_hash, attempts=gen.attempts)


def retrieve_and_pack(inputs: SectionInputs) -> RetrievalRecord:
    """The first two steps alone: run where the retriever lives (its store may be bound to one thread)."""
    return _pack(_retrieve(inputs)).record


def build_chain(engine: Engine) -> Runnable[SectionInputs, ChainState]:
    """The section chain for one engine."""
    steps: list[Callable[[Any], ChainState]] = [_retrieve, _pack, _prompt, partial(_model, engine), _parse]
    chain: Runnable[Any, ChainState] = RunnableLambda(steps[0])
    for step in steps[1:]:
        chain = chain | RunnableLambda(step)
    return chain.with_config(run_name=f"section[{engine.name}]")


def dumps_record(record: RetrievalRecord) -> str:
    return json.dumps(record.model_dump(mode="json"), ensure_ascii=False, indent=1)
