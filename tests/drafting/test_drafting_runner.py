"""Orchestration: dependency order, bounded concurrency, timeouts, failures kept apart, re-runs from stages."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from fakes.jobs import make_job

from assistant.drafting.offline import OfflineEngine
from assistant.drafting.orchestrator import plan_sections
from assistant.drafting.runner import SectionOutcome, draft_sections
from assistant.drafting.stages import StageStore
from assistant.engine.request import Generation, GenerationRequest
from assistant.errors import ModelError
from assistant.models import TableSet


class ScriptedEngine:
    """Wraps the offline engine: records concurrency and order, fails or stalls chosen sections."""

    name = "offline"

    def __init__(self, fail: set[str] = frozenset(), stall: dict[str, float] | None = None,  # type: ignore[assignment]
                 delay: float = 0.0) -> None:
        self.inner = OfflineEngine()
        self.fail, self.stall, self.delay = set(fail), stall or {}, delay
        self.order: list[str] = []
        self.active = self.peak = 0
        self._lock = threading.Lock()

    def generate(self, request: GenerationRequest) -> Generation:
        sid = request.section.id
        with self._lock:
            self.order.append(sid)
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            time.sleep(self.stall.get(sid, self.delay))
            if sid in self.fail:
                raise ModelError(f"scripted failure in {sid}")
            return self.inner.generate(request)
        finally:
            with self._lock:
                self.active -= 1


def _core_cites_only_drafted_sections(outcomes: dict[str, SectionOutcome]) -> bool:
    """核心观点 builds on the drafted sections only: a failed section's items never reach it."""
    drafted = {c.doc_id for k, o in outcomes.items() if k != "core_views" and o.draft.status == "draft"
               for c in o.draft.citations}
    return {c.doc_id for c in outcomes["core_views"].draft.citations} <= drafted


def test_dependents_run_last_and_concurrency_is_bounded(tmp_path: Path) -> None:
    engine = ScriptedEngine(delay=0.05)
    job = make_job(engine, tmp_path, max_concurrency=2)
    outcomes = draft_sections(job, job.template.sections, {})
    assert engine.peak == 2
    assert engine.order[-1] == "core_views" and engine.order.index("investment_advice") > engine.order.index(
        "product_dynamics")
    assert all(o.draft.status == "draft" for o in outcomes.values())


def test_a_failed_section_is_marked_and_the_rest_kept(tmp_path: Path) -> None:
    job = make_job(ScriptedEngine(fail={"llm_dynamics"}), tmp_path)
    outcomes = draft_sections(job, job.template.sections, {})
    failed = {k for k, o in outcomes.items() if o.draft.status == "failed"}
    assert failed == {"llm_dynamics"}
    assert "scripted failure" in (outcomes["llm_dynamics"].draft.error or "")
    assert _core_cites_only_drafted_sections(outcomes)


def test_section_timeout_marks_only_the_slow_section(tmp_path: Path) -> None:
    job = make_job(ScriptedEngine(stall={"funding": 2.0}), tmp_path, section_timeout_s=0.5)
    started = time.monotonic()
    outcomes = draft_sections(job, job.template.sections, {})
    assert time.monotonic() - started < 2.0
    assert outcomes["funding"].draft.status == "failed" and outcomes["funding"].draft.findings[0].kind == "timeout"
    assert sum(o.draft.status == "failed" for o in outcomes.values()) == 1


def test_missing_table_stops_the_market_section_with_a_finding(tmp_path: Path) -> None:
    job = make_job(OfflineEngine(), tmp_path)
    tables: TableSet = job.tables
    tables.tables = [t for t in tables.tables if t.id != "T2"]
    next(t for t in tables.tables if t.id == "T3").rows = []  # T3 empty
    # an empty movers table is a month with no gainer (it says so), not a missing table
    next(t for t in tables.tables if t.id == "T1").rows = []
    outcome = draft_sections(job, [job.template.section("market_review")], {})["market_review"]
    assert outcome.draft.status == "failed"
    assert sorted(f.detail for f in outcome.draft.findings) == ["表 T2 缺失或没有数据，章节未起草",
                                                                "表 T3 缺失或没有数据，章节未起草"]


def test_stages_are_persisted_and_a_rerun_redrafts_only_failed_sections(tmp_path: Path) -> None:
    first = make_job(ScriptedEngine(fail={"compute_dynamics"}), tmp_path)
    draft_sections(first, first.template.sections, {})
    store = StageStore(tmp_path)
    assert store.load_draft("compute_dynamics").status == "failed"  # type: ignore[union-attr]
    assert store.load_retrieval("tech_frontier").packed.sources  # type: ignore[union-attr]

    engine = ScriptedEngine()
    second = make_job(engine, tmp_path)
    todo, kept = plan_sections(second, store, None, force=False)
    # compute_dynamics failed; its dependents (investment_advice, core_views) are redrafted with it
    assert [s.id for s in todo] == ["core_views", "compute_dynamics", "investment_advice"]
    outcomes = draft_sections(second, todo, kept)
    assert sorted(engine.order) == ["compute_dynamics", "core_views", "investment_advice"]
    assert all(o.draft.status == "draft" for o in outcomes.values())
    assert _core_cites_only_drafted_sections(outcomes)
    assert outcomes["core_views"].draft.citations

    forced, _ = plan_sections(second, store, ["tech_frontier"], force=True)
    assert [s.id for s in forced] == ["tech_frontier"]


def test_changed_pack_makes_persisted_drafts_stale(tmp_path: Path) -> None:
    job = make_job(OfflineEngine(), tmp_path)
    draft_sections(job, job.template.sections, {})
    changed = make_job(OfflineEngine(), tmp_path, pack_hash="x" * 64)
    todo, kept = plan_sections(changed, StageStore(tmp_path), None, force=False)
    assert [s.id for s in todo] == job.template.ids() and not kept
