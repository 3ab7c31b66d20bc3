"""Deadlines end the work: a section that hangs (a Python loop or a blocked call) is cancelled at its deadline, its
thread stops, and the run returns; the failed section fails safe (a 【本节待补：…】 slot with its candidates)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fakes.jobs import make_job

from assistant.drafting.offline import OfflineEngine
from assistant.drafting.runner import draft_sections
from assistant.engine.request import Generation, GenerationRequest

ROOT = Path(__file__).resolve().parents[2]


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


_SCRIPT = r"""
import sys, time
from pathlib import Path
import assistant.drafting.orchestrator as orch
from assistant.drafting.offline import OfflineEngine
from assistant.settings import get_settings

class Spin(OfflineEngine):
    def generate(self, request):
        if request.section.id == "llm_dynamics":
            n = 0
            while True:
                n += 1
        return super().generate(request)

orch.make_engine = lambda settings, out_dir, count: Spin()
root, out = Path(sys.argv[1]), Path(sys.argv[2])
started = time.monotonic()
report = orch.draft_report(root / "pack", root / "corpus.jsonl", out,
                           get_settings(engine="offline", embedding="hash", section_timeout_s=3))
cpu = time.process_time()
time.sleep(1.0)
print(f"elapsed={time.monotonic() - started:.1f} idle_cpu={time.process_time() - cpu:.2f} end={time.time():.3f}",
      [s.id for s in report.sections if s.status == "failed"], flush=True)
"""


@pytest.mark.slow
def test_draft_with_a_hanging_section_returns_burns_no_cpu_after_and_the_process_exits(
        months_dir: Path, tmp_path: Path) -> None:
    month = sorted(p.parent for p in months_dir.glob("*/truth.yaml"))[-1]
    script = tmp_path / "hang.py"
    script.write_text(_SCRIPT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, str(script), str(month), str(tmp_path / "out")], capture_output=True,
                          text=True, timeout=300, env=env, cwd=tmp_path)
    exited = time.time()
    assert done.returncode == 0, done.stderr[-2000:]
    line = done.stdout.strip().splitlines()[-1]
    assert line.endswith("['llm_dynamics']"), line
    idle_cpu = float(line.split("idle_cpu=")[1].split()[0])
    assert idle_cpu < 0.3, f"a cancelled section still burns CPU after the report: {line}"
    # the spinning thread must neither run on nor hold the interpreter at exit (a pool's worker thread would)
    lag = exited - float(line.split("end=")[1].split()[0])
    assert lag < 10, f"the process outlived its report by {lag:.0f} s"
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "【本节待补：（二）算法端" in md and "超时" not in md
