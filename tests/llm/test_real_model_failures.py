"""What real (small) models returned, replayed verbatim by the fake server over real HTTP, and what the product
does with each: a finding, a retry, a fallback or a failed section — never 完成 with a hole."""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

from fakes.jobs import char_count, make_job
from fakes.openai_server import FakeOpenAIServer, Step, default_answer

from assistant.drafting.offline import OfflineEngine
from assistant.drafting.runner import DraftJob, draft_sections
from assistant.llm.calllog import CallLog
from assistant.llm.engine import OpenAIEngine
from assistant.models import SectionDraft
from assistant.settings import get_settings

DATA, LLM, POLICY = "（一）数据要素", "（二）算法端", "（二）前沿政策动态"
TECH, PRODUCT, MARKET = "（一）前沿技术动态", "（一）前沿产品动态", "一、市场行情回顾"
SCHEMA_ECHO = json.dumps({"lead": "一到两句导语，只陈述表中各行所载内容（按重要性）并用 [n] 标注来源，不要写资料之外的判断", "groups": [{"title": "表名", "rows": [
    {"source": 1, "title": "事件标题", "summary": "两到四句摘要，句末标注 [n]"}]}]}, ensure_ascii=False)


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def _job(server: FakeOpenAIServer, tmp_path: Path, *, sleep: Sleeps | None = None, fallback: bool = False,
         **kw: object) -> tuple[DraftJob, CallLog]:
    base: dict[str, object] = {"engine": "openai", "openai_api_key": "sk-test", "openai_base_url": server.base_url,
                               "model": "fake-model", "request_timeout_s": 5, "max_retries": 1,
                               "context_window": 32768}
    settings = get_settings(**(base | kw))
    log = CallLog(tmp_path / "calls.jsonl")
    engine = OpenAIEngine(settings, log=log, count=char_count, backoff_s=0.01, sleep=sleep or Sleeps(),
                          fallback=OfflineEngine() if fallback else None)
    return make_job(engine, tmp_path, context_window=settings.context_window,
                    max_concurrency=settings.max_concurrency), log


def _run(server: FakeOpenAIServer, tmp_path: Path, **kw: object) -> dict[str, SectionDraft]:
    job, _ = _job(server, tmp_path, **kw)  # type: ignore[arg-type]
    return {k: v.draft for k, v in draft_sections(job, job.template.sections, {}).items()}


def _kinds(draft: SectionDraft) -> set[str]:
    return {f.kind for f in draft.findings}


def test_schema_echo_literal_n_and_bare_none_fail_their_sections(tmp_path: Path) -> None:
    with FakeOpenAIServer() as server:
        # each bad answer twice: the corrective retry (tests/llm/test_answer_retry.py) gets the same again
        server.script(DATA, *[Step("ok", SCHEMA_ECHO)] * 2)
        server.script(MARKET, *[Step("ok", "无")] * 2)
        server.script(PRODUCT, *[Step("ok", "本月新品密集发布[n]。\n\n#### 1. 新品\n\n新品发布，性能提升明显[n]。")] * 2)
        server.script(TECH, Step("ok", "本月技术进展密集[1]。\n\n#### 1. 新方法\n\n新方法把训练效率提高一倍[1]。"
                                       "\n\n### 五、投资建议\n\n建议关注算力方向[1]。"))
        drafts = _run(server, tmp_path)
        core = next(r["prompt"] for r in server.requests if '{"theses":' in r["prompt"])
    data, market, product = drafts["data_policy"], drafts["market_review"], drafts["product_dynamics"]
    assert data.status == "failed" and {"answer_check:prompt_echo", "answer_check:placeholder_left"} <= _kinds(data)
    assert market.status == "failed" and _kinds(market) == {"answer_check:no_answer", "answer_check_retried"}
    assert product.status == "failed" and "answer_check:placeholder_left" in _kinds(product)
    assert "答案检查未通过" in (market.error or "")
    # failed answers never reach the summaries
    tech = drafts["tech_frontier"]
    assert tech.status == "draft" and tech.answer_check == "needs_review"
    assert "answer_check:other_section_heading" in _kinds(tech)
    # core views are built from the outline and the passed sections' evidence: no failed or unreviewed text
    assert "一到两句导语" not in core and "本月新品密集发布" not in core and "本月技术进展密集" not in core


def test_prompt_echo_and_repetition_loop_fail(tmp_path: Path) -> None:
    echo = ("编辑的修改要求：无\n当前版本（供参考，可能为“无”）：\n无\n\n每个主题写两到四段：背景、核心进展与关键数据、影响与意义；"
            "每段句末用 [1] 标注来源。")
    loop = "本月进展较多[1]。\n\n#### 1. 模型\n\n" + "模型能力持续提升，推理成本继续下降，应用加速落地。[1]" * 12
    with FakeOpenAIServer() as server:
        server.script(TECH, *[Step("ok", echo)] * 2)
        server.script(PRODUCT, *[Step("ok", loop)] * 2)
        drafts = _run(server, tmp_path)
    assert drafts["tech_frontier"].status == "failed"
    assert "answer_check:prompt_echo" in _kinds(drafts["tech_frontier"])
    assert drafts["product_dynamics"].status == "failed"
    assert "answer_check:repetition_loop" in _kinds(drafts["product_dynamics"])


def _paraphrased(prompt: str) -> str:
    answer = default_answer(prompt)
    answer = answer.replace('"相关政策法规"', '"政策法规"').replace('"数据要素最新新闻及政策"', '"表名"')
    return re.sub(r'"source": (\d+)', r'"source": "\1"', answer)  # numbers as strings, as small models write them


def test_paraphrased_titles_placeholder_titles_and_string_sources_keep_their_rows(tmp_path: Path) -> None:
    with FakeOpenAIServer(answer=_paraphrased) as server:
        drafts = _run(server, tmp_path)
    policy, data = drafts["policy_frontier"], drafts["data_policy"]
    assert policy.status == "draft" and policy.answer_check == "passed"
    assert "表：相关政策法规" in policy.markdown and policy.markdown.count("\n| ") >= 2
    assert "digest_group_remapped" in _kinds(policy)
    assert data.status == "draft" and "表：数据要素最新新闻及政策" in data.markdown
    assert len(data.citations) >= 1


def test_length_cut_is_retried_asking_for_less_never_more_and_reported(tmp_path: Path) -> None:
    with FakeOpenAIServer() as server:
        server.script(TECH, Step("length", "本月进展较多[1]。\n\n#### 1. 标题\n\n被截断的"))
        server.script(PRODUCT, Step("length", "截断一"), Step("length", "截断二"))
        drafts = _run(server, tmp_path)
        bodies = server.bodies_matching(TECH)
        bounds = [b["max_tokens"] for b in bodies]
    assert drafts["tech_frontier"].status == "draft" and 0 < bounds[1] <= bounds[0]
    retry = bodies[1]["messages"][-1]["content"]
    assert "写得更短" in retry and f"超过了输出上限（{bounds[0]} tokens）" in retry
    assert "写得更短" not in bodies[0]["messages"][-1]["content"]
    assert "output_truncated_retried" in _kinds(drafts["tech_frontier"])
    assert drafts["product_dynamics"].status == "failed"
    assert _kinds(drafts["product_dynamics"]) == {"output_truncated"}
    assert drafts["product_dynamics"].findings[0].evidence == "截断二"
    assert all(r["body"].get("max_tokens") for r in server.requests)  # every call is bounded


def test_never_ending_stream_is_closed_at_the_deadline(tmp_path: Path) -> None:
    with FakeOpenAIServer() as server:
        server.script(TECH, Step("endless", "重复重复重复"))
        start = time.monotonic()
        drafts = _run(server, tmp_path, call_deadline_s=1.0, max_retries=0)
        elapsed = time.monotonic() - start
        time.sleep(0.2)
        assert server.disconnects >= 1  # the connection was closed: the server stops generating
    assert drafts["tech_frontier"].status == "failed" and elapsed < 15
    assert "秒仍未结束" in (drafts["tech_frontier"].error or "")


def test_cancel_closes_open_streams_within_seconds(tmp_path: Path) -> None:
    with FakeOpenAIServer() as server:
        server.script(TECH, Step("endless", "重复"))
        job, _ = _job(server, tmp_path, call_deadline_s=600, max_retries=0)
        engine = job.engine
        assert isinstance(engine, OpenAIEngine)
        threading.Timer(0.5, engine.cancel).start()
        start = time.monotonic()
        outcomes = draft_sections(job, [job.template.section("tech_frontier")], {})
        assert time.monotonic() - start < 5
    assert "中断" in (outcomes["tech_frontier"].draft.error or "")


def test_context_length_400_fails_the_section_or_falls_back_marked(tmp_path: Path) -> None:
    with FakeOpenAIServer(context=2500) as server:
        drafts = _run(server, tmp_path, max_retries=0)
    failed = {k for k, d in drafts.items() if d.status == "failed"}
    assert "tech_frontier" in failed
    assert _kinds(drafts["tech_frontier"]) == {"context_length"}
    with FakeOpenAIServer(context=2500) as server:
        drafts = _run(server, tmp_path / "fb", max_retries=0, fallback=True)
    product = drafts["tech_frontier"]
    assert product.status == "draft" and "engine_fallback" in _kinds(product)
    assert product.provenance is not None and product.provenance.engine == "openai+offline"


def test_packing_fits_a_small_context_window_and_says_what_it_dropped(tmp_path: Path) -> None:
    with FakeOpenAIServer() as server:
        drafts = _run(server, tmp_path, context_window=1500, max_retries=0)
        bodies = server.requests
    trimmed = [k for k, d in drafts.items() if "context_trimmed" in _kinds(d)]
    assert trimmed, {k: [f.kind for f in d.findings] for k, d in drafts.items()}
    # prompt + max_tokens always fit the configured window
    assert all(len(r["prompt"]) // 2 + r["body"]["max_tokens"] <= 1500 + 64 for r in bodies)


def test_retry_after_on_429_is_honoured(tmp_path: Path) -> None:
    sleeps = Sleeps()
    with FakeOpenAIServer() as server:
        server.script(LLM, Step("status", status=429, headers={"Retry-After": "2"}))
        drafts = _run(server, tmp_path, sleep=sleeps)
    assert drafts["llm_dynamics"].status == "draft" and drafts["llm_dynamics"].provenance.attempts == 2  # type: ignore[union-attr]
    assert sleeps.waits == [2.0]


def test_structured_output_steps_down_per_endpoint_and_remembers(tmp_path: Path) -> None:
    with FakeOpenAIServer(formats=("json_object",)) as server:
        drafts = _run(server, tmp_path, max_concurrency=1)
        kinds = [(b.get("response_format") or {}).get("type") for b in server.bodies_matching("只输出一个 JSON 对象")]
    assert all(d.status == "draft" for d in drafts.values())
    assert kinds[0] == "json_schema" and kinds[1:] == ["json_object"] * (len(kinds) - 1)
    with FakeOpenAIServer(formats=()) as server:
        drafts = _run(server, tmp_path / "plain", max_concurrency=1)
        kinds = [(b.get("response_format") or {}).get("type") for b in server.bodies_matching("只输出一个 JSON 对象")]
    assert all(d.status == "draft" for d in drafts.values())
    assert kinds[:3] == ["json_schema", "json_object", None] and set(kinds[3:]) == {None}


def test_rerun_redrafts_what_another_model_or_endpoint_wrote_and_failed_answers(tmp_path: Path) -> None:
    from assistant.drafting.orchestrator import plan_sections
    from assistant.drafting.stages import StageStore

    with FakeOpenAIServer() as server:
        server.script(MARKET, *[Step("ok", "无")] * 2)
        job, _ = _job(server, tmp_path)
        draft_sections(job, job.template.sections, {})
        store = StageStore(tmp_path)
        same, _kept = plan_sections(job, store, None, False)
        other, _ = plan_sections(_job(server, tmp_path, model="other-model")[0], store, None, False)
    # the failed answer and the sections built on it
    assert [s.id for s in same] == ["core_views", "market_review", "investment_advice"]
    assert len(other) == 10 and "risk_warnings" not in {s.id for s in other}
