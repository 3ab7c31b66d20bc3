"""Build a ``DraftJob`` over the in-code fixtures, for drafting and llm tests."""

from __future__ import annotations

from pathlib import Path

from assistant.drafting.orchestrator import month_window, report_values
from assistant.drafting.runner import DraftJob
from assistant.drafting.stages import StageStore
from assistant.drafting.template import load_template
from assistant.engine.request import Engine
from fakes.drafting_data import make_config, make_items, make_tables
from fakes.retriever import FakeRetriever

__all__ = ["char_count", "make_job"]


def char_count(text: str) -> int:
    # A deterministic stand-in for tiktoken in unit tests: roughly one token per two CJK characters.
    return max(1, len(text) // 2)


def make_job(engine: Engine, out_dir: Path | None = None, **overrides: object) -> DraftJob:
    tables, config = make_tables(), make_config()
    job = DraftJob(template=load_template("monthly_ai"), tables=tables, values=report_values(config, tables),
                   window=month_window(config.month), engine=engine, count=char_count, config=config,
                   retriever=FakeRetriever(make_items()), pack_hash=tables.pack_hash, corpus_hash="c" * 64,
                   store=StageStore(out_dir) if out_dir is not None else None)
    for key, value in overrides.items():
        setattr(job, key, value)
    return job
