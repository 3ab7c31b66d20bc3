"""A model answer that fails the answer check is re-asked once, over real HTTP against the fake server, with a
message naming what was wrong; the better answer is kept and both calls are in calls.jsonl."""

from __future__ import annotations

import json
from pathlib import Path

from fakes.jobs import char_count, make_job
from fakes.openai_server import FakeOpenAIServer, Step

from assistant.drafting.corrective import RETRY_PROMPT, retry_request
from assistant.drafting.runner import draft_sections
from assistant.engine.packed import PackedContext
from assistant.engine.request import GenerationRequest
from assistant.engine.spec import SectionSpec
from assistant.llm.calllog import CallLog
from assistant.llm.engine import OpenAIEngine
from assistant.models import Finding, SectionDraft, TableSet
from assistant.prompts import load_prompt
from assistant.settings import get_settings

TECH = "（一）前沿技术动态"
GOOD = "本月技术进展密集[1]。\n\n#### 1. 新方法\n\n新方法把训练效率提高一倍[1]。"
NO_ANSWER = "模型没有给出内容（回答为「无」）"


def _draft(server: FakeOpenAIServer, tmp_path: Path) -> tuple[SectionDraft, list[dict[str, object]]]:
    settings = get_settings(engine="openai", openai_api_key="sk-test", openai_base_url=server.base_url,
                            model="fake-model", request_timeout_s=5, max_retries=0)
    engine = OpenAIEngine(settings, log=CallLog(tmp_path / "calls.jsonl"), count=char_count, backoff_s=0.01)
    job = make_job(engine, tmp_path)
    wanted = [s for s in job.template.sections if s.id == "tech_frontier"]
    draft = draft_sections(job, wanted, {})["tech_frontier"].draft
    lines = (tmp_path / "calls.jsonl").read_text(encoding="utf-8").splitlines()
    return draft, [json.loads(x) for x in lines if json.loads(x)["section"] == "tech_frontier"]


def test_a_bare_none_then_a_cited_answer_keeps_the_second(tmp_path: Path) -> None:
    with FakeOpenAIServer() as server:
        server.script(TECH, Step("ok", "无"), Step("ok", GOOD))
        draft, calls = _draft(server, tmp_path)
    assert draft.status == "draft" and draft.answer_check == "passed", draft.error
    assert draft.markdown.startswith("本月技术进展密集[1]。") and draft.citations
    note = next(f for f in draft.findings if f.kind == "answer_check_retried")
    assert note.severity == "info" and NO_ANSWER in note.detail and "采用了重答的结果" in note.detail
    assert not [f for f in draft.findings if f.kind.startswith("answer_check:")]
    # both calls logged; the second carries the failed answer and the rendered corrective message
    assert [c["completion"] for c in calls] == ["无", GOOD]
    assert [(c["attempt"], c["answer_retry"]) for c in calls] == [(1, 0), (1, 1)]  # the re-ask is told apart
    retry = calls[1]["prompt"]
    assert isinstance(retry, list) and retry[:-2] == calls[0]["prompt"]
    assert retry[-2] == {"role": "assistant", "content": "无"}
    assert retry[-1]["role"] == "user" and retry[-1]["content"] == load_prompt(RETRY_PROMPT).render(
        {"reason": NO_ANSWER})
    prov = draft.provenance
    assert prov is not None and prov.attempts == 2 and prov.parameters["answer_retries"] == 1
    assert prov.prompt_tokens == sum(int(str(c["prompt_tokens"])) for c in calls)  # both calls are paid for


def test_two_bad_answers_fail_the_section_with_the_check_finding(tmp_path: Path) -> None:
    with FakeOpenAIServer() as server:
        server.script(TECH, Step("ok", "无"), Step("ok", "暂无"))
        draft, calls = _draft(server, tmp_path)
    assert draft.status == "failed"
    assert draft.error is not None and draft.error.startswith("答案检查未通过（已请模型重答一次）：模型没有给出内容")
    kinds = [f.kind for f in draft.findings]
    assert kinds == ["answer_check:no_answer", "answer_check_retried"]
    assert draft.findings[0].evidence == "暂无"  # a tie keeps the corrected answer
    assert "重答仍未通过" in draft.findings[1].detail
    assert [c["completion"] for c in calls] == ["无", "暂无"]  # one retry, not more


def test_the_retry_may_reuse_its_own_first_answer_without_counting_as_prompt_echo(tmp_path: Path) -> None:
    # (the sentences share facts with the cited FlashAttention-3 item: an unsupported citation is its own finding)
    first = "本月新品密集发布，H100 利用率提升明显[n]。\n\n#### 1. 新品\n\n新品发布后市场反响热烈，H100 利用率提升明显[n]。"
    with FakeOpenAIServer() as server:
        server.script(TECH, Step("ok", first), Step("ok", first.replace("[n]", "[1]")))
        draft, calls = _draft(server, tmp_path)
    assert draft.status == "draft" and draft.answer_check == "passed", draft.error
    assert "新品发布后市场反响热烈" in draft.markdown and len(calls) == 2
    assert "占位写法" in next(f.detail for f in draft.findings if f.kind == "answer_check_retried")


def test_the_corrective_message_is_the_prompt_file_rendered_with_the_reasons() -> None:
    spec = SectionSpec(id="tech_frontier", title=TECH, kind="writeup")
    request = GenerationRequest(section=spec, messages=[("system", "规则"), ("user", "写本节")],
                                packed=PackedContext(), tables=TableSet(month="2024-07"), values={})
    findings = [Finding(section=spec.id, kind=f"answer_check:r{i}", detail=f"问题{i}") for i in range(5)]
    again = retry_request(request, "<think>想想</think>第一次的回答[n]", findings)
    assert request.messages == [("system", "规则"), ("user", "写本节")]  # the original request is untouched
    assert again.messages[:2] == request.messages
    assert again.messages[2] == ("assistant", "第一次的回答[n]")  # reasoning is not sent back
    role, text = again.messages[3]
    assert role == "user" and text.startswith("上面的回答没有通过检查：问题0；问题1；问题2。")
    assert "问题3" not in text and "输出格式与最初的要求相同" in text
