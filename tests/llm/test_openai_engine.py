"""The real openai engine over real HTTP against the local fake server: retries, failures, parsing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakes.jobs import char_count, make_job
from fakes.openai_server import FakeOpenAIServer, Step

from assistant.drafting.runner import DraftJob, draft_sections
from assistant.llm.calllog import CallLog
from assistant.llm.engine import OpenAIEngine
from assistant.models import SectionDraft
from assistant.settings import Settings, get_settings

LLM = "（二）算法端"
COMPUTE = "（三）算力端"
TECH = "（一）前沿技术动态"
PRODUCT = "（一）前沿产品动态"
FUNDING = "（二）投融资事件"
DATA = "（一）数据要素"
MARKET = "一、市场行情回顾"
MODEL_SECTIONS = 10  # every section but risk_warnings and disclosures, which never reach a model


def _settings(server: FakeOpenAIServer, **kw: object) -> Settings:
    base: dict[str, object] = {"engine": "openai", "openai_api_key": "sk-test", "openai_base_url": server.base_url,
                               "model": "fake-model", "request_timeout_s": 5, "max_retries": 2,
                               "max_concurrency": 4}
    return get_settings(**(base | kw))


def _job(server: FakeOpenAIServer, tmp_path: Path, **kw: object) -> tuple[DraftJob, CallLog]:
    settings = _settings(server, **kw)
    log = CallLog(tmp_path / "calls.jsonl")
    engine = OpenAIEngine(settings, log=log, count=char_count, backoff_s=0.01)
    return make_job(engine, tmp_path, max_concurrency=settings.max_concurrency), log


def _run(server: FakeOpenAIServer, tmp_path: Path, **kw: object) -> tuple[dict[str, SectionDraft], CallLog]:
    job, log = _job(server, tmp_path, **kw)
    outcomes = draft_sections(job, job.template.sections, {})
    return {k: v.draft for k, v in outcomes.items()}, log


def test_full_report_through_the_openai_engine(tmp_path: Path) -> None:
    with FakeOpenAIServer() as server:
        drafts, _log = _run(server, tmp_path)
    assert all(d.status == "draft" for d in drafts.values()), {k: d.error for k, d in drafts.items()}
    assert len(server.requests) == MODEL_SECTIONS and {r["model"] for r in server.requests} == {"fake-model"}
    lines = [json.loads(x) for x in (tmp_path / "calls.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == MODEL_SECTIONS
    assert all(x["prompt"] and x["completion"] and x["prompt_tokens"] > 0 and x["cost_usd"] > 0 for x in lines)
    prov = drafts["llm_dynamics"].provenance
    assert prov is not None and prov.engine == "openai" and prov.model == "fake-model" and prov.attempts == 1
    assert prov.prompt_tokens > 0 and prov.latency_s > 0 and prov.parameters["temperature"] == 0.2
    assert "5257.12" in drafts["market_review"].markdown  # the model wrote a placeholder, code wrote the number
    system = server.requests[0]["prompt"]
    assert "只是数据" in system and "<source" in "".join(r["prompt"] for r in server.requests)


def test_429_then_success_is_retried_and_logged(tmp_path: Path) -> None:
    with FakeOpenAIServer() as server:
        server.script(LLM, Step("status", status=429))
        drafts, log = _run(server, tmp_path)
    assert drafts["llm_dynamics"].status == "draft"
    assert drafts["llm_dynamics"].provenance.attempts == 2  # type: ignore[union-attr]
    errors = [r for r in log.records if r.section == "llm_dynamics" and r.error]
    assert len(errors) == 1 and "429" in (errors[0].error or "")


def test_persistent_500s_fail_exactly_that_section(tmp_path: Path) -> None:
    with FakeOpenAIServer() as server:
        server.script(COMPUTE, *[Step("status", status=500)] * 3)
        drafts, _ = _run(server, tmp_path)
        assert server.calls_matching(COMPUTE) == 3  # 1 + max_retries
    failed = {k for k, d in drafts.items() if d.status == "failed"}
    assert failed == {"compute_dynamics"}
    assert drafts["compute_dynamics"].findings[0].kind == "model_error"
    # core views are drafted last, from the drafted sections only: nothing the failed section cited reaches them
    drafted = {c.doc_id for k, d in drafts.items() if k != "core_views" and d.status == "draft" for c in d.citations}
    assert drafts["core_views"].citations and {c.doc_id for c in drafts["core_views"].citations} <= drafted
    assert (tmp_path / "stages" / "drafts" / "compute_dynamics.json").is_file()


def test_hang_past_the_timeout_fails_the_section(tmp_path: Path) -> None:
    with FakeOpenAIServer() as server:
        server.script(TECH, Step("hang", seconds=3), Step("hang", seconds=3))
        drafts, _ = _run(server, tmp_path, request_timeout_s=0.5, max_retries=1)
    assert {k for k, d in drafts.items() if d.status == "failed"} == {"tech_frontier"}
    assert "Timeout" in (drafts["tech_frontier"].error or "") or "timed out" in (drafts["tech_frontier"].error or "")


def test_empty_and_malformed_output_fail_with_findings(tmp_path: Path) -> None:
    with FakeOpenAIServer() as server:
        server.script(PRODUCT, Step("empty"))
        server.script(DATA, Step("ok", text="好的，以下是摘要：没有 JSON"), Step("ok", text="还是没有 JSON"))
        drafts, _ = _run(server, tmp_path)
        repair = server.bodies_matching(DATA)[-1]["messages"]
    assert {k for k, d in drafts.items() if d.status == "failed"} == {"product_dynamics", "data_policy"}
    assert drafts["data_policy"].findings[0].kind == "malformed_output"
    assert drafts["data_policy"].findings[0].evidence == "还是没有 JSON"  # the model's text is kept
    assert repair[-2]["content"] == "好的，以下是摘要：没有 JSON" and "未通过格式校验" in repair[-1]["content"]
    assert "空内容" in (drafts["product_dynamics"].error or "")


def test_invented_citations_think_blocks_and_forbidden_wording(tmp_path: Path) -> None:
    funding = json.dumps({"lead": "本月融资活跃[42]。", "groups": [{"title": "企业投融资事件", "rows": [
        {"source": 1, "company": "逐际动力", "track": "人形机器人", "round": "A 轮", "amount": "近 1 亿元",
         "investors": "阿里巴巴"},
        {"source": 99, "company": "虚构公司", "track": "", "round": "", "amount": "", "investors": ""}]}]},
        ensure_ascii=False)
    with FakeOpenAIServer() as server:
        server.script(FUNDING, Step("ok", text=funding))
        server.script(TECH, Step("ok", text="<think>先想想 [5]</think>导语[1]。本技术保证收益[1]。\n\n#### 1. 标题\n\n正文[1][8]。"))
        drafts, _ = _run(server, tmp_path)
    fund = drafts["funding"]
    assert "虚构公司" not in fund.markdown and "[42]" not in fund.markdown and "| 逐际动力 |" in fund.markdown
    assert sorted(f.marker or 0 for f in fund.findings if f.kind == "invented_citation") == [42, 99]
    tech = drafts["tech_frontier"]
    assert "think" not in tech.markdown and "先想想" not in tech.markdown
    assert "保证收益" not in tech.markdown and "[8]" not in tech.markdown and "正文[1]。" in tech.markdown
    assert {f.kind for f in tech.findings} == {"invented_citation", "forbidden_wording"}


def test_market_section_with_unknown_placeholder_fails(tmp_path: Path) -> None:
    with FakeOpenAIServer() as server:
        server.script(MARKET, Step("ok", text="指数收盘价为 {fact:theme_index.close}，成交额 {fact:theme_index.turnover}。"))
        drafts, _ = _run(server, tmp_path)
    market = drafts["market_review"]
    assert market.status == "failed" and market.findings[0].kind == "unknown_placeholder"
    assert "theme_index.turnover" in (market.error or "")


def test_missing_api_key_is_a_config_error() -> None:
    from assistant.errors import ConfigError
    from assistant.llm.factory import make_chat_model

    with pytest.raises(ConfigError, match="API key"):
        make_chat_model(get_settings(engine="openai"))
