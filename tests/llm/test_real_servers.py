"""What real OpenAI-compatible servers answer, replayed by the fake server over real HTTP: each refusal body steps
its capability down at once (no retry spent on the same request) and is remembered across runs; a looping stream
is cut within a few hundred tokens; the garbage shapes a 0.5B model wrote are refused and the section falls back
to the offline engine, marked in provenance, export and findings."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from fakes.jobs import char_count, make_job
from fakes.openai_server import REAL_REFUSALS, FakeOpenAIServer, Refusal, Step

from assistant.drafting.offline import OfflineEngine
from assistant.drafting.runner import DraftJob, draft_sections
from assistant.export.assemble import FALLBACK_NOTE
from assistant.export.markdown import render_markdown
from assistant.llm.calllog import CallLog
from assistant.llm.capabilities import Capabilities, refused_parameter
from assistant.llm.engine import OpenAIEngine
from assistant.models import Report, SectionDraft
from assistant.settings import get_settings

TECH = "（一）前沿技术动态"
JSON_SECTIONS = ["policy_frontier", "funding", "data_policy"]
LOOP = "模型能力持续提升，推理成本继续下降，应用加速落地。"
PREFIX = "本月前沿技术进展密集，FlashAttention-3 把 H100 的利用率提升到 75%[1]。\n\n#### 1. FlashAttention-3\n\n"


def _job(server: FakeOpenAIServer, tmp_path: Path, *, fallback: bool = False, caps: Capabilities | None = None,
         **kw: object) -> tuple[DraftJob, Capabilities]:
    base: dict[str, object] = {"engine": "openai", "openai_api_key": "sk-test", "openai_base_url": server.base_url,
                               "model": "fake-model", "request_timeout_s": 5, "max_retries": 1,
                               "context_window": 32768, "store_dir": tmp_path / "store", "max_concurrency": 1,
                               "capability_cache": tmp_path / "store" / "model_capabilities.json"}
    settings = get_settings(**(base | kw))
    caps = caps or Capabilities(settings.capability_cache_path)
    engine = OpenAIEngine(settings, log=CallLog(tmp_path / "calls.jsonl"), count=char_count, backoff_s=0.01,
                          sleep=lambda _s: None, fallback=OfflineEngine() if fallback else None, caps=caps)
    return make_job(engine, tmp_path, max_concurrency=1), caps


def _draft(job: DraftJob, ids: list[str] | None = None) -> dict[str, SectionDraft]:
    wanted = [s for s in job.template.sections if ids is None or s.id in ids]
    return {k: v.draft for k, v in draft_sections(job, wanted, {}).items()}


def _calls(tmp_path: Path) -> list[dict[str, object]]:
    return [json.loads(x) for x in (tmp_path / "calls.jsonl").read_text(encoding="utf-8").splitlines()]


def _kinds(draft: SectionDraft) -> set[str]:
    return {f.kind for f in draft.findings}


@pytest.mark.parametrize("refusal", [r for r in REAL_REFUSALS if r.value == "json_schema"], ids=lambda r: r.server)
def test_each_real_json_schema_refusal_steps_down_at_once_and_is_remembered(tmp_path: Path,
                                                                             refusal: Refusal) -> None:
    with FakeOpenAIServer(refusals=(refusal,)) as server:
        job, caps = _job(server, tmp_path)
        drafts = _draft(job, JSON_SECTIONS)
        kinds = [(b.get("response_format") or {}).get("type") for b in server.bodies_matching("只输出一个 JSON 对象")]
        assert all(d.status == "draft" for d in drafts.values()), {k: d.error for k, d in drafts.items()}
        # one refused request, not retried (max_retries=1 would have repeated a 500), then json_object for all
        assert kinds == ["json_schema"] + ["json_object"] * len(JSON_SECTIONS)
        refused = [c for c in _calls(tmp_path) if c["refused"]]
        assert [c["refused"] for c in refused] == ["response_format"]
        stepped = [d for d in drafts.values() if d.provenance and d.provenance.parameters.get("step_downs")]
        assert len(stepped) == 1 and "capability_step_down" in _kinds(stepped[0])
        assert stepped[0].provenance.parameters["step_downs"] == "response_format:json_schema->json_object"  # type: ignore[union-attr]
        # the next run (a new process: a new Capabilities read from the file beside the store) asks no json_schema
        cache = json.loads((tmp_path / "store" / "model_capabilities.json").read_text(encoding="utf-8"))
        assert cache[job.engine.endpoint]["response_format"] == "json_object"  # type: ignore[attr-defined]
        job2, _ = _job(server, tmp_path / "again")
        job2.engine.caps = Capabilities(caps.path)  # type: ignore[attr-defined]
        before = len(server.requests)
        assert all(d.status == "draft" for d in _draft(job2, JSON_SECTIONS[:1]).values())
        later = [(r["body"].get("response_format") or {}).get("type") for r in server.requests[before:]]
    assert later == ["json_object"]


def test_lm_studio_refusing_json_object_steps_down_to_the_prompt(tmp_path: Path) -> None:
    lm_studio = next(r for r in REAL_REFUSALS if r.server == "lm-studio")
    with FakeOpenAIServer(refusals=(lm_studio,)) as server:
        job, _ = _job(server, tmp_path, structured_output="json_object")
        drafts = _draft(job, JSON_SECTIONS[:2])
        kinds = [(b.get("response_format") or {}).get("type") for b in server.bodies_matching("只输出一个 JSON 对象")]
    assert all(d.status == "draft" for d in drafts.values())
    assert kinds[:2] == ["json_object", None]


def test_stream_usage_and_max_tokens_refusals_step_down(tmp_path: Path) -> None:
    refusals = tuple(r for r in REAL_REFUSALS if r.server in ("vllm-0.4", "openai-o1"))
    with FakeOpenAIServer(refusals=refusals) as server:
        job, _ = _job(server, tmp_path)
        drafts = _draft(job, ["tech_frontier", "product_dynamics"])
        bodies = [r["body"] for r in server.requests]
    assert all(d.status == "draft" for d in drafts.values())
    assert "stream_options" in bodies[0] and "max_tokens" in bodies[0]
    last = bodies[-1]
    assert "stream_options" not in last and "max_tokens" not in last and last["max_completion_tokens"] > 0
    calls = _calls(tmp_path)
    assert {c["refused"] for c in calls if c["refused"]} == {"stream_options", "max_tokens"}
    # without usage in the stream the logged figures are our estimate, and say so
    assert [c["tokens"] for c in calls if c["completion"]] == ["estimated"] * 2


def test_refusal_recognition_needs_the_parameter_named_and_a_refusal_status() -> None:
    sent = ("max_tokens", "stream_options", "response_format")
    assert refused_parameter(500, "invalid JSON schema in format", sent) == "response_format"
    assert refused_parameter(503, "response_format busy", sent) is None  # overloaded: retried, not stepped down
    assert refused_parameter(500, "CUDA out of memory", sent) is None
    assert refused_parameter(400, "max_tokens must be at least 1", sent) is None  # a bad value is no refusal
    assert refused_parameter(400, "response_format refused", ("max_tokens",)) is None  # not sent: not refused


def test_a_looping_stream_is_cut_within_a_few_hundred_tokens_and_retried_shorter(tmp_path: Path) -> None:
    good = PREFIX + "FlashAttention-3 专攻 H100 GPU，利用率从 35% 提升到 75%[1]。"
    with FakeOpenAIServer(chunk_chars=8) as server:
        server.script(TECH, Step("endless", LOOP, prefix=PREFIX), Step("ok", good))
        job, _ = _job(server, tmp_path)
        start = time.monotonic()
        draft = _draft(job, ["tech_frontier"])["tech_frontier"]
        elapsed = time.monotonic() - start
        bodies = server.bodies_matching(TECH)
        time.sleep(0.2)
        assert server.disconnects >= 1  # the stream was closed: the server stops generating
    first = next(c for c in _calls(tmp_path) if c["section"] == "tech_frontier")
    assert first["finish_reason"] == "loop" and first["stopped"]
    looped = len(str(first["completion"])) - len(PREFIX)
    assert 0 < looped < 900, looped  # ~600 characters of loop: a few hundred tokens, not the 3,856-token cap
    assert draft.status == "draft" and "repetition_stopped" in _kinds(draft) and elapsed < 20
    assert bodies[1]["max_tokens"] < bodies[0]["max_tokens"] and "陷入了重复" in bodies[1]["messages"][-1]["content"]


def test_a_second_loop_fails_the_section_or_falls_back_marked(tmp_path: Path) -> None:
    steps = [Step("endless", LOOP, prefix=PREFIX)] * 4
    with FakeOpenAIServer(chunk_chars=8) as server:
        server.script(TECH, *steps)
        failed = _draft(_job(server, tmp_path)[0], ["tech_frontier"])["tech_frontier"]
    assert failed.status == "failed" and _kinds(failed) == {"repetition_loop"}
    with FakeOpenAIServer(chunk_chars=8) as server:
        server.script(TECH, *steps)
        drafted = _draft(_job(server, tmp_path / "fb", fallback=True)[0], ["tech_frontier"])["tech_frontier"]
    assert drafted.status == "draft" and drafted.provenance is not None and drafted.provenance.fallback
    assert "重复" in drafted.provenance.fallback_reason


def _garbage_theses(prompt: str) -> str:
    theses = [line for line in prompt.splitlines() if "（证据来源：" in line]
    return json.dumps({"theses": [{"facts": "[1]、[2]。", "view": ""} for _ in theses]}, ensure_ascii=False)


def _garbage_advice(prompt: str) -> str:
    stocks = next((line.split("相关标的：")[1].split("；")[0] for line in prompt.splitlines() if "相关标的：" in line), "")
    return json.dumps({"advice": [{"catalysts": f"{stocks}；催化剂来源：[9]"}]}, ensure_ascii=False)


def test_the_two_garbage_shapes_are_refused_and_fall_back_marked(tmp_path: Path) -> None:
    def answer(prompt: str) -> str:
        if '{"theses":' in prompt:
            return _garbage_theses(prompt)
        if '{"advice":' in prompt:
            return _garbage_advice(prompt)
        from fakes.openai_server import default_answer
        return default_answer(prompt)

    with FakeOpenAIServer(answer=answer) as server:
        drafts = _draft(_job(server, tmp_path)[0])
    for sid in ("core_views", "investment_advice"):
        assert drafts[sid].status == "failed" and "malformed_output" in _kinds(drafts[sid]), drafts[sid].markdown
        assert "没有写出资料中的事实" in (drafts[sid].error or "")
    assert "只给了 1 条" in (drafts["investment_advice"].error or "")
    with FakeOpenAIServer(answer=answer) as server:
        drafts = _draft(_job(server, tmp_path / "fb", fallback=True)[0])
    assert all(d.status == "draft" for d in drafts.values()), {k: d.error for k, d in drafts.items()}
    for sid in ("core_views", "investment_advice"):
        prov = drafts[sid].provenance
        assert prov is not None and prov.fallback and prov.engine == "openai+offline"
        assert "engine_fallback" in _kinds(drafts[sid]) and "[1]、[2]" not in drafts[sid].markdown
    assert not drafts["funding"].provenance.fallback  # type: ignore[union-attr]
    report = Report(month="2024-07", engine="openai", sections=[drafts["core_views"], drafts["investment_advice"]])
    assert render_markdown(report).count(FALLBACK_NOTE) == 2


def test_a_sentence_citing_an_unrelated_passage_is_blocking(tmp_path: Path) -> None:
    wrong = "本月进展较多[1]。\n\n#### 1. 财政数字化\n\n财政部推进预算管理一体化，财政数字化转型提速[1]。"
    with FakeOpenAIServer() as server:
        server.script(TECH, Step("ok", wrong))
        draft = _draft(_job(server, tmp_path)[0], ["tech_frontier"])["tech_frontier"]
    found = [f for f in draft.findings if f.kind == "answer_check:unsupported_citation"]
    assert draft.answer_check == "needs_review" and found and found[0].severity == "blocking"
    assert "财政数字化转型提速" in found[0].sentence


def test_the_section_deadline_bounds_all_its_calls_together(tmp_path: Path) -> None:
    with FakeOpenAIServer() as server:
        server.script(TECH, *[Step("hang", seconds=30)] * 4)
        job, _ = _job(server, tmp_path, fallback=True, request_timeout_s=2, max_retries=3)
        job.section_timeout_s = 8.0  # the engine's own deadline is 5 s before it: 3 s for all the calls
        start = time.monotonic()
        draft = _draft(job, ["tech_frontier"])["tech_frontier"]
        elapsed = time.monotonic() - start
        tried = server.calls_matching(TECH)
    # four 2-second attempts would take 8 s; the section's deadline stops after the second, and falls back marked
    assert elapsed < 6 and tried <= 2 and draft.status == "draft"
    assert draft.provenance is not None and draft.provenance.fallback


@pytest.mark.parametrize(("server_kw", "told", "source"), [
    ({"model_meta": {"max_model_len": 16384}}, 16384, "/v1/models max_model_len"),  # vLLM
    ({"props_ctx": 8192}, 8192, "llama.cpp /props n_ctx"),  # llama.cpp server
    ({"ollama_parameters": "stop \"<|im_end|>\"\nnum_ctx 6144"}, 6144, "Ollama /api/show num_ctx"),
    ({"ollama_parameters": ""}, 4096, "Ollama /api/show num_ctx"),  # Ollama's own default, not the model's 32k
    ({}, None, None),  # llama-cpp-python tells nothing: the setting decides
], ids=["vllm", "llama.cpp", "ollama", "ollama-default", "llama-cpp-python"])
def test_the_context_window_is_asked_of_the_server(tmp_path: Path, server_kw: dict[str, object], told: int | None,
                                                   source: str | None) -> None:
    from assistant.llm.server import probe_server

    with FakeOpenAIServer(**server_kw) as server:  # type: ignore[arg-type]
        settings = get_settings(engine="openai", openai_api_key="sk-test", openai_base_url=server.base_url,
                                model="qwen2.5-coder-0.5b-instruct", context_window=12000,
                                capability_cache=tmp_path / "caps.json")
        info = probe_server(settings)
        engine = OpenAIEngine(settings, log=CallLog(None), count=char_count, probe=True,
                              caps=Capabilities(settings.capability_cache_path))
    assert (info.context_window, info.source, info.models) == (told, source, ("fake-model",))
    assert engine.context == (told or 12000) and engine.context_source == (source or "setting")


def test_a_slowly_read_prompt_is_not_mistaken_for_a_runaway_answer(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.llm.budget as budget

    monkeypatch.setattr(budget, "DEADLINE_SLACK_S", 1.5)  # the answer may stream ~1.5 s after its first token
    good = PREFIX + "FlashAttention-3 专攻 H100 GPU，利用率从 35% 提升到 75%[1]。"
    with FakeOpenAIServer() as server:
        server.script(TECH, Step("slow_start", good, seconds=2.0))
        job, _ = _job(server, tmp_path, tokens_per_s=1e6, max_retries=0)
        drafted = _draft(job, ["tech_frontier"])["tech_frontier"]
    assert drafted.status == "draft" and drafted.provenance is not None and drafted.provenance.attempts == 1
    # a server streaming steadily but slower than configured may finish its bounded answer (up to 4x the bound)
    steady = good + "".join(f"第{i}项：{chr(0x4E00 + i * 37)}{chr(0x4E00 + i * 91)}指标改善。" for i in range(40))
    with FakeOpenAIServer(chunk_chars=4, chunk_delay_s=0.02) as server:  # ~200 pieces over ~4 s, > 1.5 s
        server.script(TECH, Step("ok", steady))
        job, _ = _job(server, tmp_path / "steady", tokens_per_s=1e6, max_retries=0)
        slow = _draft(job, ["tech_frontier"])["tech_frontier"]
    assert slow.status == "draft" and slow.provenance is not None and slow.provenance.attempts == 1
    # but an answer that goes on is still closed (40 characters/s: the loop guard would need 15 s)
    with FakeOpenAIServer(chunk_chars=8, chunk_delay_s=0.2) as server:
        server.script(TECH, Step("endless", "甲乙丙丁戊己庚辛壬癸子丑寅卯", prefix=good))
        job, _ = _job(server, tmp_path / "again", tokens_per_s=1e6, max_retries=0)
        again = _draft(job, ["tech_frontier"])["tech_frontier"]
    assert again.status == "failed" and "开始回答后" in (again.error or "")
