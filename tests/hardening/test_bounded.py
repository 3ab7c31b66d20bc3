"""Bounded inputs: chunking does linear work, a runaway model answer is refused, hostile YAML keys are errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from fakes.jobs import char_count, make_job
from fakes.openai_server import FakeOpenAIServer, Step

from assistant.corpus import chunking
from assistant.drafting.runner import draft_sections
from assistant.llm.calllog import CallLog
from assistant.llm.engine import MAX_ANSWER_CHARS, OpenAIEngine
from assistant.models import NewsItem
from assistant.settings import get_settings


class _CountingEncoding:
    def __init__(self, inner: Any) -> None:
        self.inner, self.chars = inner, 0

    def encode_ordinary(self, text: str) -> list[int]:
        self.chars += len(text)
        return list(self.inner.encode_ordinary(text))

    def decode_bytes(self, tokens: list[int]) -> bytes:
        return bytes(self.inner.decode_bytes(tokens))


@pytest.mark.parametrize("body", ["人工智能产业" * 20_000, "a" * 120_000, "寒武纪发布新品，" * 15_000])
def test_chunking_a_body_without_sentence_ends_does_linear_work(body: str, monkeypatch: pytest.MonkeyPatch) -> None:
    counting = _CountingEncoding(chunking.get_encoding(None))
    monkeypatch.setattr(chunking, "get_encoding", lambda _name=None: counting)
    item = NewsItem(doc_id="x", date=dt.date(2024, 7, 1), title="t", body=body, source="s")
    chunks = chunking.chunk_item(item, max_tokens=320)
    assert "".join(c.text for c in chunks) == body
    assert all(c.tokens <= 320 for c in chunks)
    assert counting.chars <= 12 * len(body)  # the old cut re-encoded the whole rest each time: ~n²/cut


def test_a_runaway_model_answer_fails_only_its_section(tmp_path: Path) -> None:
    with FakeOpenAIServer() as server:
        # varied text (a repeated phrase is stopped earlier, as a loop: tests/llm/test_real_servers.py)
        runaway = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(MAX_ANSWER_CHARS + 20))
        server.script("（二）投融资事件", Step("ok", text=runaway))
        settings = get_settings(engine="openai", openai_api_key="sk-test", openai_base_url=server.base_url,
                                model="fake-model", request_timeout_s=10, max_retries=0, max_concurrency=2)
        engine = OpenAIEngine(settings, log=CallLog(tmp_path / "calls.jsonl"), count=char_count, backoff_s=0.01)
        job = make_job(engine, tmp_path, max_concurrency=2)
        outcomes = draft_sections(job, job.template.sections, {})
    failed = {k for k, v in outcomes.items() if v.draft.status == "failed"}
    assert failed == {"funding"}
    assert "过长" in (outcomes["funding"].draft.error or "")
