"""Deadlines end the work: a section that hangs (a Python loop or a blocked call) is cancelled at its deadline, its
thread stops, and the run returns; the failed section fails safe (a 【本节待补：…】 slot with its candidates)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from fakes.jobs import make_job

from assistant.drafting.offline import OfflineEngine
from assistant.drafting.runner import draft_sections
from assistant.engine.request import Generation, GenerationRequest


class HangingEngine:
    """The offline engine, except that chosen sections spin in Python or block on an event forever."""

    name = "offline"

    def __init__(self, spin: set[str] = frozenset(), block: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        self.inner = OfflineEngine()
        self.spin, self.block = set(spin), set(block)
        self.threads: dict[str, threading.Thread] = {}
        self.never = threading.Event()

    def generate(self, request: GenerationRequest) -> Generation:
        sid = request.section.id
        self.threads[sid] = threading.current_thread()
        if sid in self.spin:
            n = 0
            while True:  # a runaway loop: burns a CPU until stopped
                n += 1
        if sid in self.block:
            self.never.wait()  # blocked in C until the process ends
        return self.inner.generate(request)


def test_a_spinning_section_is_cancelled_and_its_thread_stops(tmp_path: Path) -> None:
    engine = HangingEngine(spin={"llm_dynamics"})
    job = make_job(engine, tmp_path, section_timeout_s=0.5)
    started = time.monotonic()
    outcomes = draft_sections(job, job.template.sections, {})
    elapsed = time.monotonic() - started
    assert elapsed < 3.0, f"draft_sections returned after {elapsed:.1f} s"
    thread = engine.threads["llm_dynamics"]
    thread.join(2.0)
    assert not thread.is_alive(), "the cancelled section's thread still runs (burns CPU after the report)"
    failed = outcomes["llm_dynamics"].draft
    assert failed.status == "failed" and failed.findings[0].kind == "timeout"
    assert [o for k, o in outcomes.items() if o.draft.status == "failed"] == [outcomes["llm_dynamics"]]


def test_a_blocked_section_does_not_hold_the_run_and_fails_safe(tmp_path: Path) -> None:
    engine = HangingEngine(block={"funding"})
    job = make_job(engine, tmp_path, section_timeout_s=0.5)
    started = time.monotonic()
    outcomes = draft_sections(job, job.template.sections, {})
    assert time.monotonic() - started < 3.0
    assert engine.threads["funding"].daemon  # cannot keep the process alive at exit
    draft = outcomes["funding"].draft
    assert draft.status == "failed" and "超时" in (draft.error or "")
    # the reader sees a slot with the month's candidates, cited; the error stays with the editor
    assert draft.markdown.startswith("【本节待补：") and "超时" not in draft.markdown
    cited = {c.doc_id for c in draft.citations}
    candidates = {s.doc_id for s in outcomes["funding"].record.packed.sources if not s.background}
    assert cited == candidates and cited
    assert all(f"[{c.marker}]" in draft.markdown for c in draft.citations)
    engine.never.set()
