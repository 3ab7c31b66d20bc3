"""Run sections: one section through its chain, and a whole template with bounded concurrency.

Independent sections run concurrently (at most ``max_concurrency`` at a time); a section starts once every
section it depends on has finished (failed dependencies are simply left out of its briefs). A section that
raises, or runs past ``section_timeout_s``, is marked failed with its error; the others are kept.

A failed section fails safe: its text is a visible slot 【本节待补：…】 listing the month's candidate items for it
(cited), never the error, which stays in ``SectionDraft.error`` and the findings. A news section with no item of
its kind this month is no failure: it prints one neutral line and tells the editor (``section_empty``).

Deadlines end the work (``cancel``): each section runs in its own daemon thread; past its deadline the thread is
cancelled and the run goes on without waiting for it, so ``draft`` returns at the deadline and no thread keeps the
process (or a CPU) busy afterwards.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.drafting.cancel import SectionCancelled, stop_thread
from assistant.drafting.chain import build_chain, retrieve_and_pack, section_hash
from assistant.drafting.context import PackedContext, Source
from assistant.drafting.disclosures import render_fixed_section
from assistant.drafting.inputs import RetrievalRecord, Retriever, SectionFailure, SectionInputs
from assistant.drafting.stages import StageStore
from assistant.drafting.template import ReportTemplate, SectionSpec
from assistant.engine.answer import check_answer
from assistant.engine.request import Editing, Engine
from assistant.errors import AssistantError, ModelError
from assistant.models import Citation, Finding, Provenance, SectionDraft, TableSet
from assistant.outline.model import Outline
from assistant.pack.model import PackConfig
from assistant.progress import ProgressCallback, ProgressEvent, null_progress

__all__ = ["DraftJob", "SectionOutcome", "draft_sections", "empty_section", "failed_slot", "packed_of", "run_section"]


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


def _candidates(record: RetrievalRecord | None) -> list[Source]:
    """The month's items retrieved for a section (background items are not news of the month)."""
    return [src for src in record.packed.sources if not src.background] if record is not None else []


def failed_slot(title: str, sources: list[Source]) -> tuple[str, list[Citation]]:
    """A failed section's visible text: what is missing and the items an editor can write it from, cited."""
    if not sources:
        return f"【本节待补：{title}未能自动起草，本月语料中也没有可供本节使用的条目，请分析师补写。】", []
    lines = [f"【本节待补：{title}未能自动起草，请分析师依据以下本月条目补写。】", ""]
    lines += [f"- {src.date.month}.{src.date.day} {src.title.strip().rstrip('。')}[{src.number}]" for src in sources]
    return "\n".join(lines), [Citation(marker=src.number, doc_id=src.doc_id) for src in sources]


def _failed(spec: SectionSpec, job: DraftJob, error: str, findings: list[Finding],
            record: RetrievalRecord | None = None) -> SectionDraft:
    markdown, citations = failed_slot(spec.title, _candidates(record))
    return SectionDraft(id=spec.id, title=spec.title, chapter=spec.chapter, status="failed", error=error,
                        markdown=markdown, citations=citations, tables=_table_ids(job.tables, spec.tables),
                        charts=[c.id for c in job.tables.charts if c.id in spec.charts or c.key in spec.charts],
                        findings=findings, provenance=Provenance(engine=job.engine.name, pack_hash=job.pack_hash,
                                                                 corpus_hash=job.corpus_hash))


def _table_ids(tables: TableSet, refs: list[str]) -> list[str]:
    return [t.id for ref in refs if (t := tables.table(ref)) is not None]


NEWS_KINDS = ("digest", "writeup")


def empty_section(spec: SectionSpec, job: DraftJob, record: RetrievalRecord) -> SectionOutcome | None:
    """A news section with no item of its kind in the month: one neutral line and a finding, not a failure."""
    if spec.kind not in NEWS_KINDS or _candidates(record):
        return None
    label = spec.label or spec.title
    month = job.values.get("month_label", "本月")
    text = f"{month}未收录{label}相关动态，本节从略。"
    finding = Finding(section=spec.id, kind="section_empty", severity="warning",
                      detail=f"本月语料中没有可写入「{spec.title}」的条目（{label}），本节只印一句说明；如有遗漏请补充语料后重新起草")
    draft = SectionDraft(id=spec.id, title=spec.title, chapter=spec.chapter, markdown=text, findings=[finding],
                         provenance=Provenance(engine=job.engine.name, pack_hash=job.pack_hash,
                                               corpus_hash=job.corpus_hash, template_hash=section_hash(spec)))
    return SectionOutcome(draft, record)


def _inputs(job: DraftJob, spec: SectionSpec, deps: dict[str, SectionOutcome], editing: Editing | None,
            prior: RetrievalRecord | None) -> SectionInputs:
    return SectionInputs(
        spec=spec, template=job.template, tables=job.tables, window=job.window,
        values={**job.values, "engine": job.engine.name}, count=job.count, context_tokens=job.context_tokens,
        context_window=job.context_window,
        retriever=job.retriever, deps={k: (v.draft, v.record.packed) for k, v in deps.items()},
        editing=editing or Editing(), prior=prior, pack_hash=job.pack_hash, corpus_hash=job.corpus_hash)


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
        nothing = empty_section(spec, job, prior) if prior is not None and editing is None else None
        if nothing is not None:
            return nothing
        state = build_chain(job.engine).invoke(_inputs(job, spec, deps, editing, prior))
    except SectionFailure as exc:
        return SectionOutcome(_failed(spec, job, str(exc), exc.findings, prior), prior or empty)
    except AssistantError as exc:
        kind = "model_error" if isinstance(exc, ModelError) else "drafting_failed"
        finding = Finding(section=spec.id, kind=kind, detail=str(exc))
        return SectionOutcome(_failed(spec, job, str(exc), [finding], prior), prior or empty)
    if state.draft is None:  # the chain always sets it; a None here is a programming error, not bad input
        raise AssistantError(f"章节 {spec.id} 的起草链没有产出草稿")
    return SectionOutcome(state.draft.model_copy(update={"chapter": spec.chapter}), state.record)


def _persist(job: DraftJob, outcome: SectionOutcome) -> None:
    if job.store is not None:
        job.store.save_section(outcome.draft, outcome.record)  # one unit: draft, record, manifest last


def _ready(todo: list[SectionSpec], finished: set[str], running: set[str]) -> list[SectionSpec]:
    return [s for s in todo if s.id not in running and all(d in finished for d in s.depends_on)]


def _timed_out(spec: SectionSpec, job: DraftJob, prior: RetrievalRecord | None) -> SectionOutcome:
    error = f"章节起草超时（超过 {job.section_timeout_s:g} 秒），已取消"
    return SectionOutcome(_failed(spec, job, error, [Finding(section=spec.id, kind="timeout", detail=error)], prior),
                          prior or RetrievalRecord(section=spec.id))


def _outcome(future: cf.Future[SectionOutcome], spec: SectionSpec, job: DraftJob,
             prior: RetrievalRecord | None) -> SectionOutcome:
    try:
        return future.result()
    except Exception as exc:  # an unexpected bug in one section must not lose the other sections
        error = f"{type(exc).__name__}: {exc}"
        finding = Finding(section=spec.id, kind="drafting_failed", detail=error)
        return SectionOutcome(_failed(spec, job, error, [finding], prior), prior or RetrievalRecord(section=spec.id))


@dataclass
class _Running:
    spec: SectionSpec
    started: float
    thread: threading.Thread


def _start(job: DraftJob, spec: SectionSpec, deps: dict[str, SectionOutcome],
           prior: RetrievalRecord | None) -> tuple[cf.Future[SectionOutcome], threading.Thread]:
    """Run one section in its own daemon thread: a thread past its deadline can be stopped (``stop_thread``) and,
    if it is blocked in C code, never holds the process open at exit (a pool's worker threads would)."""
    future: cf.Future[SectionOutcome] = cf.Future()
    future.set_running_or_notify_cancel()

    def work() -> None:
        try:
            future.set_result(run_section(job, spec, deps, prior=prior))
        except SectionCancelled:
            return  # the runner has already recorded the timeout
        except Exception as exc:  # handed to the runner, which turns it into a failed section
            future.set_exception(exc)

    thread = threading.Thread(target=work, name=f"section-{spec.id}", daemon=True)
    thread.start()
    return future, thread


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
    running: dict[cf.Future[SectionOutcome], _Running] = {}
    try:
        while pending or running:
            slots = max(job.max_concurrency, 1) - len(running)
            for spec in _ready(pending, finished, {r.spec.id for r in running.values()})[:max(slots, 0)]:
                pending.remove(spec)
                job.progress(ProgressEvent("draft", f"起草 {spec.title}", finished_count, total, spec.id))
                deps = {d: results[d] for d in spec.depends_on if d in results}
                future, thread = _start(job, spec, deps, priors.get(spec.id))
                running[future] = _Running(spec, time.monotonic(), thread)
            if not running:
                raise AssistantError(f"章节依赖无法满足: {[s.id for s in pending]}")
            now = time.monotonic()
            wait_s = max(0.01, min(r.started + job.section_timeout_s - now for r in running.values()))
            completed, _ = cf.wait(running, timeout=wait_s, return_when=cf.FIRST_COMPLETED)
            now = time.monotonic()
            for future in list(running):
                run = running[future]
                spec = run.spec
                if future in completed:
                    outcome = _outcome(future, spec, job, priors.get(spec.id))
                elif now - run.started >= job.section_timeout_s:
                    stop_thread(run.thread)  # cancelled, not abandoned: it must not burn CPU after the report
                    outcome = _timed_out(spec, job, priors.get(spec.id))
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
        for run in running.values():  # interrupted: no section thread outlives the run
            stop_thread(run.thread)
    return results


def packed_of(outcomes: dict[str, SectionOutcome]) -> dict[str, PackedContext]:
    return {k: v.record.packed for k, v in outcomes.items()}
