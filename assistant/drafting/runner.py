"""Run sections: one section through its chain, and a whole template with bounded concurrency.

Independent sections run concurrently (at most ``max_concurrency`` at a time); a section starts once every
section it depends on has finished (failed dependencies are simply left out of its briefs). A section that
raises, or runs past ``section_timeout_s``, is marked failed with its error; the others are kept.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.drafting.chain import build_chain, retrieve_and_pack
from assistant.drafting.context import PackedContext
from assistant.drafting.disclosures import render_fixed_section
from assistant.drafting.inputs import RetrievalRecord, Retriever, SectionFailure, SectionInputs
from assistant.drafting.stages import StageStore
from assistant.drafting.template import ReportTemplate, SectionSpec
from assistant.engine.answer import check_answer
from assistant.engine.request import Editing, Engine
from assistant.errors import AssistantError, ModelError
from assistant.models import Finding, Provenance, SectionDraft, TableSet
from assistant.outline.model import Outline
from assistant.pack.model import PackConfig
from assistant.progress import ProgressCallback, ProgressEvent, null_progress

__all__ = ["DraftJob", "SectionOutcome", "draft_sections", "packed_of", "run_section"]

SECTION_MARGIN_S = 5.0


@dataclass
class DraftJob:
    """Everything the sections of one report share."""

    template: ReportTemplate
    tables: TableSet
    values: dict[str, str]
    window: tuple[dt.date, dt.date]
    engine: Engine
    count: Callable[[str], int]
    config: PackConfig
    retriever: Retriever | None = None
    context_tokens: int = 6000
    context_window: int | None = None
    max_concurrency: int = 4
    section_timeout_s: float = 300.0
    pack_hash: str = ""
    corpus_hash: str = ""
    store: StageStore | None = None
    progress: ProgressCallback = null_progress
    outline: Outline | None = None  # the analyst's views.yaml, when given


@dataclass
class SectionOutcome:
    draft: SectionDraft
    record: RetrievalRecord = field(default_factory=lambda: RetrievalRecord(section=""))


def _failed(spec: SectionSpec, job: DraftJob, error: str, findings: list[Finding]) -> SectionDraft:
    return SectionDraft(id=spec.id, title=spec.title, chapter=spec.chapter, status="failed", error=error,
                        findings=findings, provenance=Provenance(engine=job.engine.name, pack_hash=job.pack_hash,
                                                                 corpus_hash=job.corpus_hash))


def _inputs(job: DraftJob, spec: SectionSpec, deps: dict[str, SectionOutcome], editing: Editing | None,
            prior: RetrievalRecord | None) -> SectionInputs:
    return SectionInputs(
        spec=spec, template=job.template, tables=job.tables, window=job.window,
        values={**job.values, "engine": job.engine.name}, count=job.count, context_tokens=job.context_tokens,
        context_window=job.context_window,
        retriever=job.retriever, deps={k: (v.draft, v.record.packed) for k, v in deps.items()},
        editing=editing or Editing(), prior=prior, pack_hash=job.pack_hash, corpus_hash=job.corpus_hash,
        # the engine stops its calls a little before the runner gives up on the section, so the section ends
        # with the model's own error (or the marked fallback) and the server is freed, not left generating
        deadline=time.monotonic() + max(job.section_timeout_s - SECTION_MARGIN_S, 1.0))


def run_section(job: DraftJob, spec: SectionSpec, deps: dict[str, SectionOutcome], *,
                editing: Editing | None = None, prior: RetrievalRecord | None = None) -> SectionOutcome:
    """Draft one section; any failure becomes a failed draft carrying the error and findings."""
    empty = RetrievalRecord(section=spec.id)
    try:
        if spec.kind in ("static", "disclosures"):
            fixed = render_fixed_section(spec, job.config, pack_hash=job.pack_hash)
            verdict = check_answer(spec, fixed.markdown, citations=len(fixed.citations))
            return SectionOutcome(fixed.model_copy(update={"answer_check": verdict.status}), empty)
        if prior is None and spec.retrieval:
            prior = retrieve_and_pack(_inputs(job, spec, deps, editing, None))
        state = build_chain(job.engine).invoke(_inputs(job, spec, deps, editing, prior))
    except SectionFailure as exc:
        return SectionOutcome(_failed(spec, job, str(exc), exc.findings), empty)
    except AssistantError as exc:
        kind = "model_error" if isinstance(exc, ModelError) else "drafting_failed"
        finding = Finding(section=spec.id, kind=kind, detail=str(exc))
        return SectionOutcome(_failed(spec, job, str(exc), [finding]), empty)
    if state.draft is None:  # the chain always sets it; a None here is a programming error, not bad input
        raise AssistantError(f"章节 {spec.id} 的起草链没有产出草稿")
    return SectionOutcome(state.draft.model_copy(update={"chapter": spec.chapter}), state.record)


def _persist(job: DraftJob, outcome: SectionOutcome) -> None:
    if job.store is not None:
        job.store.save_section(outcome.draft, outcome.record)  # one unit: draft, record, manifest last


def _ready(todo: list[SectionSpec], finished: set[str], running: set[str]) -> list[SectionSpec]:
    return [s for s in todo if s.id not in running and all(d in finished for d in s.depends_on)]


def _timed_out(spec: SectionSpec, job: DraftJob) -> SectionOutcome:
    error = f"章节起草超时（超过 {job.section_timeout_s:g} 秒）"
    return SectionOutcome(_failed(spec, job, error, [Finding(section=spec.id, kind="timeout", detail=error)]),
                          RetrievalRecord(section=spec.id))


def _outcome(future: cf.Future[SectionOutcome], spec: SectionSpec, job: DraftJob) -> SectionOutcome:
    try:
        return future.result()
    except Exception as exc:  # an unexpected bug in one section must not lose the other sections
        error = f"{type(exc).__name__}: {exc}"
        finding = Finding(section=spec.id, kind="drafting_failed", detail=error)
        return SectionOutcome(_failed(spec, job, error, [finding]), RetrievalRecord(section=spec.id))


def _prefetch(job: DraftJob, todo: list[SectionSpec], results: dict[str, SectionOutcome]) -> dict[str, RetrievalRecord]:
    """Retrieve for every section in this thread before drafting concurrently.

    Retrieval is local and fast while model calls are slow, and the store behind the retriever may be bound to
    the thread that opened it. A section whose retrieval fails is recorded as failed right away.
    """
    priors: dict[str, RetrievalRecord] = {}
    for spec in todo:
        if not spec.retrieval:
            continue
        try:
            priors[spec.id] = retrieve_and_pack(_inputs(job, spec, {}, None, None))
        except AssistantError as exc:
            outcome = SectionOutcome(_failed(spec, job, str(exc), getattr(exc, "findings", None) or [
                Finding(section=spec.id, kind="retrieval_failed", detail=str(exc))]), RetrievalRecord(section=spec.id))
            results[spec.id] = outcome
            _persist(job, outcome)
    return priors


def draft_sections(job: DraftJob, todo: list[SectionSpec],
                   done: dict[str, SectionOutcome]) -> dict[str, SectionOutcome]:
    """Draft ``todo`` (dependencies first, concurrently); ``done`` holds already drafted sections to build on."""
    results = dict(done)
    priors = _prefetch(job, todo, results)
    pending = [s for s in todo if s.id not in results]
    total, finished_count = len(todo), 0
    finished = set(results) | {s.id for s in job.template.sections if s.id not in {t.id for t in todo}}
    pool = cf.ThreadPoolExecutor(max_workers=max(job.max_concurrency, 1), thread_name_prefix="section")
    running: dict[cf.Future[SectionOutcome], tuple[SectionSpec, float]] = {}
    try:
        while pending or running:
            slots = max(job.max_concurrency, 1) - len(running)
            for spec in _ready(pending, finished, {s.id for s, _ in running.values()})[:max(slots, 0)]:
                pending.remove(spec)
                job.progress(ProgressEvent("draft", f"起草 {spec.title}", finished_count, total, spec.id))
                deps = {d: results[d] for d in spec.depends_on if d in results}
                future = pool.submit(run_section, job, spec, deps, prior=priors.get(spec.id))
                running[future] = (spec, time.monotonic())
            if not running:
                raise AssistantError(f"章节依赖无法满足: {[s.id for s in pending]}")
            now = time.monotonic()
            wait_s = max(0.01, min(start + job.section_timeout_s - now for _, start in running.values()))
            completed, _ = cf.wait(running, timeout=wait_s, return_when=cf.FIRST_COMPLETED)
            now = time.monotonic()
            for future in list(running):
                spec, start = running[future]
                if future in completed:
                    outcome = _outcome(future, spec, job)
                elif now - start >= job.section_timeout_s:
                    outcome = _timed_out(spec, job)
                else:
                    continue
                del running[future]
                results[spec.id] = outcome
                finished.add(spec.id)
                finished_count += 1
                _persist(job, outcome)
                status = "failed" if outcome.draft.status == "failed" else "ok"
                job.progress(ProgressEvent("draft", outcome.draft.error or f"完成 {spec.title}", finished_count,
                                           total, spec.id, status))
    except KeyboardInterrupt:
        # Close the engine's open streams so blocked workers return now, not at their next read timeout.
        cancel = getattr(job.engine, "cancel", None)
        if callable(cancel):
            cancel()
        raise
    finally:
        # A timed-out section's thread may still be blocked on I/O; do not wait for it.
        pool.shutdown(wait=False, cancel_futures=True)
    return results


def packed_of(outcomes: dict[str, SectionOutcome]) -> dict[str, PackedContext]:
    return {k: v.record.packed for k, v in outcomes.items()}
