"""Run one claimed job: the lease thread keeps it alive, progress goes to the job row, the result is recorded.

Drafting writes into the job's own folder and resumes from its ``stages/`` when the job is retried, so sections a
killed worker had finished are kept, not redrafted. Cancellation, the job timeout and a lost lease stop the work
at the next progress step (the drafting callback raises :class:`JobInterrupted`).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError
from assistant.jobs.errors import JobError, JobInterrupted
from assistant.jobs.ledger import Claim, JobLedger
from assistant.jobs.views import DraftInputs, RecheckInputs, RegenerateInputs
from assistant.progress import ProgressEvent
from assistant.review.service import ReviewService

__all__ = ["Lease", "execute"]

_ROW_WAIT_S = 3.0


class Lease:
    """Renews the job's heartbeat every ``jobs_heartbeat_s`` and notices cancellation, timeout or a lost lease."""

    def __init__(self, ledger: JobLedger, claim: Claim) -> None:
        self._ledger, self._claim = ledger, claim
        self._stop = threading.Event()
        self._deadline = time.monotonic() + ledger.settings.jobs_timeout_s
        self.reason: JobInterrupted | None = None
        self._thread = threading.Thread(target=self._beat, name=f"lease-{claim.id}", daemon=True)

    def __enter__(self) -> Lease:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _beat(self) -> None:
        while not self._stop.wait(self._ledger.settings.jobs_heartbeat_s):
            self.note(*self._ledger.heartbeat(self._claim))

    def note(self, ours: bool, cancel: bool) -> None:
        if not ours:
            self.reason = JobInterrupted("租约已失效：任务已被重新分配给其他工作进程", state="")
        elif cancel:
            self.reason = JobInterrupted("已取消", state="cancelled")
        elif time.monotonic() > self._deadline:
            limit = self._ledger.settings.jobs_timeout_s
            self.reason = JobInterrupted(f"任务超时（上限 {limit:g} 秒）", state="failed")

    def check(self) -> None:
        if self.reason is not None:
            raise self.reason


def execute(ledger: JobLedger, job_id: str, worker: str) -> str | None:
    """Claim and run ``job_id``. Returns the state it ended in, or None when it was not ours to run."""
    claim = ledger.claim(job_id, worker)
    waited = 0.0
    while claim is None and waited < _ROW_WAIT_S and not ledger.exists(job_id):
        # The submitter sends before it commits (a refused send must leave no job): the row appears a moment
        # later, or never if its transaction failed, in which case the message is for nothing and is dropped.
        time.sleep(0.05)
        waited += 0.05
        claim = ledger.claim(job_id, worker)
    if claim is None:
        return None
    state = "failed"
    try:
        with Lease(ledger, claim) as lease:
            state = _run(ledger, claim, lease)
    except JobInterrupted as exc:
        state = exc.state
        if exc.state:
            ledger.finish(claim, exc.state, error=None if exc.state == "cancelled" else str(exc))
    except AssistantError as exc:
        ledger.finish(claim, "failed", error=str(exc))
    except Exception as exc:  # one bad job must not take the worker and its queue down
        ledger.finish(claim, "failed", error=f"内部错误 {type(exc).__name__}: {exc}")
    finally:
        # The owner's next draft (or any job parked behind the global limit) may start now.
        ledger.dispatch_waiting(owner_id=claim.owner.id, limit=1)
        ledger.dispatch_waiting(limit=1)
    return state or None


def _run(ledger: JobLedger, claim: Claim, lease: Lease) -> str:
    def progress(event: ProgressEvent) -> None:
        lease.check()
        lease.note(*ledger.record_progress(claim, event))
        lease.check()

    if claim.kind == "draft":
        return _draft(ledger, claim, progress)
    if claim.kind == "regenerate":
        return _regenerate(ledger, claim, progress)
    return _recheck(ledger, claim, progress)


def _draft(ledger: JobLedger, claim: Claim, progress: Any) -> str:
    from assistant.drafting import draft_report

    inputs = DraftInputs.model_validate(claim.inputs)
    if not claim.out_dir:
        raise JobError(f"任务 {claim.id} 没有输出目录")
    overrides: dict[str, object] = {}
    if inputs.engine:
        overrides["engine"] = inputs.engine
    if inputs.store_dir:
        overrides["store_dir"] = Path(inputs.store_dir)
    settings = ledger.settings.model_copy(update=overrides) if overrides else ledger.settings
    report = draft_report(Path(inputs.pack), Path(inputs.corpus), Path(claim.out_dir), settings,
                          sections=inputs.sections, progress=progress)
    return "done" if ledger.finish_draft(claim, report) else ""


def _regenerate(ledger: JobLedger, claim: Claim, progress: Any) -> str:
    from assistant.drafting import regenerate_section

    inputs = RegenerateInputs.model_validate(claim.inputs)
    review = ReviewService(ledger.engine, settings=ledger.settings)
    section = review.section(inputs.section_pk)
    base = inputs.base_version or section.current_version
    suggest = getattr(review, "suggest", None)
    if suggest is None:
        raise JobError("审阅库尚不支持修改建议（ReviewService.suggest），无法保存重新生成的结果")
    progress(ProgressEvent("draft", f"重新生成 {section.title}", 0, 1, section.section_id))
    draft = regenerate_section(Path(review.out_dir(section.report_id)), section.section_id, inputs.instruction,
                               ledger.settings, current_markdown=review.version(section.pk, base).markdown)
    if draft.error or draft.status == "failed":
        raise JobError(f"重新生成失败：{draft.error or '起草引擎未返回正文'}")
    progress(ProgressEvent("draft", f"完成 {section.title}", 1, 1, section.section_id, "ok"))
    engine = draft.provenance.engine if draft.provenance else ledger.settings.resolved_engine
    suggestion = suggest(section.pk, base_version=base, markdown=draft.markdown, instruction=inputs.instruction,
                         engine=engine, user=claim.owner, job_id=claim.id)
    result = {"section_pk": section.pk, "base_version": base, "suggestion_id": getattr(suggestion, "id", None)}
    return "done" if ledger.finish(claim, "done", result=result) else ""


def _recheck(ledger: JobLedger, claim: Claim, progress: Any) -> str:
    from assistant.review.compliance import ComplianceService

    inputs = RecheckInputs.model_validate(claim.inputs)
    progress(ProgressEvent("checks", f"重跑报告 #{inputs.report_id} 的合规检查"))
    compliance = ComplianceService(ReviewService(ledger.engine, settings=ledger.settings))
    outcome = compliance.rerun_checks(inputs.report_id, claim.owner,
                                      corpus=Path(inputs.corpus) if inputs.corpus else None)
    result: dict[str, Any] = {"report_id": inputs.report_id}
    if hasattr(outcome, "model_dump"):
        result.update(outcome.model_dump(mode="json"))
    return "done" if ledger.finish(claim, "done", result=result) else ""
