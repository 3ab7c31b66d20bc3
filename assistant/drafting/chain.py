"""The section chain in LCEL: retrieve -> pack -> prompt -> model -> parse and check (one corrective retry).

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
from typing import Any, TypeVar

from langchain_core.runnables import Runnable, RunnableLambda

from assistant.drafting.citations import parse_output
from assistant.drafting.context import PackedContext, fuse_rankings, pack_context, widen_sources
from assistant.drafting.corrective import combined, retry_findings, retry_request
from assistant.drafting.digest import MalformedOutput, read_answer, render_digest
from assistant.drafting.inputs import AnswerCheckFailure, RetrievalRecord, SectionFailure, SectionInputs
from assistant.drafting.market import market_gaps, missing_tables, reports_move
from assistant.drafting.placeholders import PlaceholderError, fill_placeholders
from assistant.drafting.sources import briefs_for, prompt_values
from assistant.drafting.template import SectionSpec
from assistant.drafting.views import (
    advice_briefs,
    advice_entries,
    describe_advice,
    describe_theses,
    render_advice,
    render_core_views,
    thesis_briefs,
    thesis_entries,
)
from assistant.engine.answer import (
    AWAITING_EDITOR,
    JUDGEMENT_KINDS,
    AnswerVerdict,
    UnusableAnswer,
    check_answer,
    tag_uncited_judgement,
)
from assistant.engine.answers import DirectionCatalysts, Envelope, ThesisEvidence
from assistant.engine.output import strip_think
from assistant.engine.request import DepBrief, Engine, Generation, GenerationRequest
from assistant.errors import AssistantError, DraftingError
from assistant.llm.budget import max_tokens_for
from assistant.models import Finding, Hit, Provenance, SectionDraft, TableSet
from assistant.prompts import load_prompt

__all__ = ["ChainState", "build_chain", "retrieve_and_pack", "section_hash"]

SYSTEM_PROMPT = "sections/system.v1.md"

_E = TypeVar("_E", ThesisEvidence, DirectionCatalysts)


@dataclass
class ChainState:
    inputs: SectionInputs
    record: RetrievalRecord
    request: GenerationRequest | None = None
    generation: Generation | None = None
    template_id: str = ""
    template_hash: str = ""
    draft: SectionDraft | None = None


SWEEP_K = 200  # items of one kind in one month: far above any real month's count, cheap with a category filter


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
        fused = fuse_rankings(rankings)
        if rspec.categories and not rspec.background:
            # every item of the table's kind in the month reaches the section, after the queries' hits: a month
            # with more items than k must not lose the rest silently (issue 20)
            seen = {h.doc_id for h in fused}
            sweep = inputs.retriever.search(" ".join(rspec.queries), k=SWEEP_K, date_from=lo, date_to=hi,
                                            categories=rspec.categories)
            fused += [h for h in sweep if h.doc_id not in seen]
        groups[rspec.title] = fused
    return ChainState(inputs, RetrievalRecord(section=spec.id, groups=groups))


def _pack(state: ChainState) -> ChainState:
    inputs, record = state.inputs, state.record
    # packed already (in the prefetching thread) when it kept or dropped anything: every hit dropped (all of them
    # broker research, say) must not be packed again in a section thread, away from the store's thread
    if record.packed.sources or record.packed.dropped or not record.groups:
        return state
    doc_ids = sorted({h.doc_id for hits in record.groups.values() for h in hits})
    items = inputs.retriever.get_items(doc_ids) if inputs.retriever is not None else {}
    share = source_budget(inputs) // max(len(record.groups), 1)
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


PROMPT_OVERHEAD_TOKENS = 1000  # system prompt + section instructions + message framing, measured ~600-900


def source_budget(inputs: SectionInputs) -> int:
    """Tokens for sources: the configured share, shrunk so system + prompt + sources + max_tokens fit the model's
    context window. What does not fit is dropped lowest-ranked first (recorded, and reported as a finding)."""
    budget = inputs.context_tokens
    if inputs.context_window:
        free = inputs.context_window - PROMPT_OVERHEAD_TOKENS
        # In a small window the output keeps at most half of what is free (the engine caps max_tokens to the
        # rest): a section with no sources cannot be drafted at all.
        output = min(max_tokens_for(inputs.spec.budget_tokens), max(free // 2, 0))
        budget = max(0, min(budget, free - output))
    return budget


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
        # the market prose cites at most the one item that reports the sector's move; the rest is not its material
        moves = [s for s in state.record.packed.sources if reports_move(s)][:1]
        state.record.packed = state.record.packed.model_copy(update={"sources": moves})
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
    # the model cites each thesis's / direction's own evidence: only those sources go into its prompt
    cited = {n for t in theses for n in t.sources} | {n for a in advice for n in a.sources}
    shown = packed.model_copy(update={"sources": [s for s in packed.sources if s.number in cited]}) if cited \
        else packed
    values = {**prompt_values(inputs, shown, briefs), "theses": describe_theses(theses),
              "advice_themes": describe_advice(advice)}
    system, section = load_prompt(SYSTEM_PROMPT), load_prompt(spec.prompt)
    messages = [("system", system.render(values)), ("user", section.render(values))]
    state.request = GenerationRequest(section=spec, messages=messages, packed=packed, tables=inputs.tables,
                                      values=values, briefs=briefs, editing=inputs.editing, theses=theses,
                                      advice=advice, deadline=inputs.deadline)
    state.template_id = f"{section.id}.v{section.version}"
    state.template_hash = section_hash(spec)
    return state


def _model(engine: Engine, state: ChainState) -> ChainState:
    if state.request is None:
        raise DraftingError("prompt step did not run")
    try:
        state.generation = engine.generate(state.request)
    except UnusableAnswer as exc:
        # The model's last answer goes into the failed draft's finding, so the stage file shows what came back.
        spec = state.request.section
        raise SectionFailure(str(exc), [Finding(section=spec.id, kind=exc.kind, detail=str(exc),
                                                evidence=exc.text[:4000])]) from exc
    return state


def _model_wrote(state: ChainState, gen: Generation) -> bool:
    """The offline engine only assembles cited extracts and the analyst's outline: its text is no model's judgement."""
    return state.inputs.values.get("engine") != "offline" and not gen.parameters.get("fallback")


def _judgement_findings(section: str, sentences: list[str]) -> list[Finding]:
    return [Finding(section=section, kind="uncited_model_judgement", sentence=s[:200],
                    detail=f"模型写出的判断没有引用支撑，需编辑确认后删除「{AWAITING_EDITOR}」标记")
            for s in sentences]


def _judgement(state: ChainState, gen: Generation, text: str) -> tuple[str, list[Finding]]:
    """Model-written opinion without a citation in a judgement section waits for an editor. 核心观点/投资建议 are
    rendered by code from JSON (``_judge_entries`` tags the model's own fields there), so they are skipped here."""
    spec = state.inputs.spec
    if spec.kind not in JUDGEMENT_KINDS or spec.kind in ("core_views", "advice") or not _model_wrote(state, gen):
        return text, []
    tagged, sentences = tag_uncited_judgement(text)
    return tagged, _judgement_findings(spec.id, sentences)


def _judge_entries(state: ChainState, entries: list[_E]) -> tuple[list[_E], list[Finding]]:
    """In 核心观点/投资建议 the model writes only the evidence (``facts``, ``catalysts``); the analyst's headlines,
    views and stocks are placed by code and a model-drafted view is marked by the renderer. Uncited sentences in
    the model's evidence are tagged for an editor, in place."""
    gen = state.generation
    if gen is None or not _model_wrote(state, gen):
        return entries, []
    sentences: list[str] = []
    tagged_entries: list[_E] = []
    for entry in entries:
        if isinstance(entry, ThesisEvidence):
            facts, tagged = tag_uncited_judgement(entry.facts)
            tagged_entries.append(entry.model_copy(update={"facts": facts}))
        else:
            catalysts, tagged = tag_uncited_judgement(entry.catalysts)
            tagged_entries.append(entry.model_copy(update={"catalysts": catalysts}))
        sentences += tagged
    return tagged_entries, _judgement_findings(state.inputs.spec.id, sentences)


def _trimmed(state: ChainState) -> list[Finding]:
    dropped = [d for d in state.record.packed.dropped if d.reason == "budget"]
    if not dropped or source_budget(state.inputs) >= state.inputs.context_tokens:
        return []
    docs = list(dict.fromkeys(d.doc_id for d in dropped))
    return [Finding(section=state.inputs.spec.id, kind="context_trimmed", severity="info",
                    detail=f"上下文预算内放不下全部检索结果：排名靠后的 {len(docs)} 篇资料未提供给模型（"
                           f"{'、'.join(docs[:5])}{'…' if len(docs) > 5 else ''}）")]


def _generation_findings(spec: SectionSpec, gen: Generation) -> list[Finding]:
    """What the engine had to do to get this answer: never silent."""
    params, out = gen.parameters, []
    if "length" in str(params.get("finish_reasons") or ""):
        out.append(Finding(section=spec.id, kind="output_truncated_retried", severity="warning",
                           detail=f"模型输出达到长度上限被截断，已要求写短后重试（finish_reason：{params['finish_reasons']}）"))
    if params.get("loops"):
        out.append(Finding(section=spec.id, kind="repetition_stopped", severity="warning",
                           detail=f"模型输出陷入重复，已提前停止并要求重写：{params['loops']}"))
    if params.get("step_downs"):
        out.append(Finding(section=spec.id, kind="capability_step_down", severity="info",
                           detail=f"服务端拒绝了部分参数，已降级后重试：{params['step_downs']}"))
    if params.get("repairs"):
        out.append(Finding(section=spec.id, kind="structured_output_repaired", severity="info",
                           detail="模型第一次的 JSON 未通过格式校验，已把错误反馈给模型重试"))
    if params.get("fallback"):
        out.append(Finding(section=spec.id, kind="engine_fallback", severity="warning",
                           detail=f"模型调用失败，本节改由 {params['fallback']} 引擎起草：{params.get('fallback_reason', '')}"))
    return out


def _body(state: ChainState, raw: str) -> tuple[str, list[Finding]]:
    inputs, spec = state.inputs, state.inputs.spec
    if spec.kind == "digest":
        return render_digest(_answer(spec, raw), state.record.packed, spec, inputs.values["institution"])
    request = state.request
    if spec.kind == "core_views" and request is not None:
        theses, unread = thesis_entries(_answer(spec, raw), len(request.theses), spec.id)
        theses, judged = _judge_entries(state, theses)
        text, found = render_core_views(theses, request.theses, request.briefs, inputs.tables, spec.id)
        return text, unread + found + judged
    if spec.kind == "advice" and request is not None:
        directions, unread = advice_entries(_answer(spec, raw), len(request.advice), spec.id)
        directions, judged = _judge_entries(state, directions)
        text, found = render_advice(directions, request.advice, inputs.values, spec.id)
        return text, unread + found + judged
    return raw, []


def _answer(spec: SectionSpec, raw: str) -> Envelope:
    try:
        return read_answer(raw)
    except MalformedOutput as exc:
        raise SectionFailure(str(exc), [Finding(section=spec.id, kind="malformed_output", detail=str(exc),
                                                evidence=raw[:500])]) from exc


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
    verdict = _answer_check(state, text.strip(), len(parsed.citations))
    text, judgement = _judgement(state, gen, text)
    state.draft = SectionDraft(
        id=spec.id, title=spec.title, markdown=text.strip(), citations=parsed.citations,
        tables=_table_ids(inputs.tables, spec.tables), charts=_chart_ids(inputs.tables, spec.charts),
        findings=(_generation_findings(spec, gen) + _trimmed(state) + findings + parsed.findings + verdict.findings
                  + judgement),
        provenance=_provenance(state, gen),
        answer_check=verdict.status)
    return state


def _answer_check(state: ChainState, markdown: str, citations: int) -> AnswerVerdict:
    """Every engine's draft passes the same check; a failed answer is a failed section, never 完成."""
    spec, template = state.inputs.spec, state.inputs.template
    others = [t for s in template.sections if s.id != spec.id for t in (s.title, s.chapter) if t]
    # The model's own earlier answer (on a corrective retry) is not scaffolding: reusing its good parts is no echo.
    prompts = [text for role, text in state.request.messages if role != "assistant"] \
        if state.request is not None else []
    # The current version an editor regenerates from is material to keep, not scaffolding to echo.
    for material in (state.inputs.editing.current_markdown, state.inputs.editing.instruction):
        if material:
            prompts = [text.replace(material, "") for text in prompts]
    gen = state.generation
    passages = {s.number: f"{s.title}\n{s.passage}" for s in state.record.packed.sources} \
        if gen is not None and _model_wrote(state, gen) else None
    verdict = check_answer(spec, markdown, citations=citations, prompt_texts=prompts, other_titles=others,
                           passages=passages)
    if verdict.status == "failed":
        for finding in verdict.findings:
            finding.evidence = finding.evidence or markdown[:2000]
        raise AnswerCheckFailure(verdict.findings)
    return verdict


def _checked(engine: Engine, state: ChainState) -> ChainState:
    """Parse and check; a model's answer that fails the answer check is re-asked once with what was wrong
    (``drafting.corrective``), and the better of the two answers is kept."""
    try:
        return _parse(state)
    except AnswerCheckFailure as failure:
        first, gen, request = failure, state.generation, state.request
        if gen is None or request is None or not _model_wrote(state, gen):
            raise
    spec_id = state.inputs.spec.id
    state.request = retry_request(request, gen.text, first.checked)
    try:
        retried = _model(engine, state).generation or gen
        state.generation = combined(retried, gen, retried)
        _parse(state)
    except AnswerCheckFailure as second:
        # fewer problems wins; on a tie the corrected answer, the later evidence of what the model does
        kept = second if len(second.checked) <= len(first.checked) else first
        final = AnswerCheckFailure(kept.checked, retried=True,
                                   note=retry_findings(spec_id, first.checked, kept_retry=False))
        return _fall_back(engine, state, request, final, second)
    except AssistantError as other:  # the retry failed another way (bad JSON, model error): the first verdict stands
        note = retry_findings(spec_id, first.checked, kept_retry=False)
        note.detail += f"；重答失败：{str(other)[:200]}"
        return _fall_back(engine, state, request, AnswerCheckFailure(first.checked, retried=True, note=note), other)
    if state.draft is not None:
        state.draft.findings.append(retry_findings(spec_id, first.checked, kept_retry=True))
    return state


def _fall_back(engine: Engine, state: ChainState, request: GenerationRequest, failure: AnswerCheckFailure,
               cause: Exception) -> ChainState:
    """A model answer that failed the check twice: the engine's fallback drafts the section, marked, with the
    failed check kept as findings; without a fallback the section fails."""
    fallback: Engine | None = getattr(engine, "fallback", None)
    if fallback is None:
        raise failure from cause
    gen = fallback.generate(request)
    gen.parameters = {**gen.parameters, "fallback": fallback.name, "fallback_reason": str(failure)[:300]}
    state.request, state.generation = request, gen
    _parse(state)
    if state.draft is not None:  # what the model's answers got wrong, kept as the record of why (not blocking)
        state.draft.findings += [f.model_copy(update={"severity": "info"}) for f in failure.findings]
    return state


def _table_ids(tables: TableSet, refs: list[str]) -> list[str]:
    return [t.id for ref in refs if (t := tables.table(ref)) is not None]


def _chart_ids(tables: TableSet, refs: list[str]) -> list[str]:
    return [c.id for c in tables.charts if c.id in refs or c.key in refs]


def _provenance(state: ChainState, gen: Generation) -> Provenance:
    inputs = state.inputs
    retrieved = [h.doc_id for hits in state.record.groups.values() for h in hits]
    return Provenance(
        fallback=bool(gen.parameters.get("fallback")), fallback_reason=str(gen.parameters.get("fallback_reason") or ""),
        engine=_engine_name(state.inputs.values.get("engine", ""), gen), model=gen.model,
        parameters=gen.parameters,
        template_id=state.template_id, template_hash=state.template_hash,
        retrieved_doc_ids=list(dict.fromkeys(retrieved)), prompt_tokens=gen.prompt_tokens,
        completion_tokens=gen.completion_tokens, cost_usd=gen.cost_usd, latency_s=gen.latency_s,
        pack_hash=inputs.pack_hash, corpus_hash=inputs.corpus_hash, attempts=gen.attempts)


def _engine_name(engine: str, gen: Generation) -> str:
    # A fallback draft names both engines: a re-run with a working model sees it as stale and redrafts it.
    fallback = gen.parameters.get("fallback")
    return f"{engine}+{fallback}" if fallback else engine


def retrieve_and_pack(inputs: SectionInputs) -> RetrievalRecord:
    """The first two steps alone: run where the retriever lives (its store may be bound to one thread)."""
    return _pack(_retrieve(inputs)).record


def build_chain(engine: Engine) -> Runnable[SectionInputs, ChainState]:
    """The section chain for one engine."""
    steps: list[Callable[[Any], ChainState]] = [_retrieve, _pack, _prompt, partial(_model, engine),
                                                partial(_checked, engine)]
    chain: Runnable[Any, ChainState] = RunnableLambda(steps[0])
    for step in steps[1:]:
        chain = chain | RunnableLambda(step)
    return chain.with_config(run_name=f"section[{engine.name}]")


def dumps_record(record: RetrievalRecord) -> str:
    return json.dumps(record.model_dump(mode="json"), ensure_ascii=False, indent=1)
