"""Model-assigned categories at ingest, through the real chat model over HTTP against the local fake server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakes.openai_server import FakeOpenAIServer, Step

from assistant.llm.calllog import CallLog
from assistant.llm.classify import classifier_for, make_llm_classifier, parse_category, rules_verdict
from assistant.settings import Settings, get_settings
from assistant.store import ingest, open_store

ITEMS = [
    {"id": "chip", "date": "2024-07-20", "title": "Tenstorrent 推出新一代 AI 芯片", "source": "IT之家",
     "body": "Tenstorrent 推出基于 RISC-V 架构的高性能 AI 芯片 Wormhole n150。"},
    {"id": "given", "date": "2024-07-18", "title": "上海数据交易所碳板块上线", "source": "新华网",
     "body": "上海数据交易所碳板块正式发布上线。", "category": "data_exchange"},
    {"id": "chatty", "date": "2024-07-19", "title": "鲸鱼机器人完成 B 轮融资", "source": "36氪",
     "body": "鲸鱼机器人完成 B 轮融资，融资金额超 1 亿人民币。"},
]


def _corpus(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in ITEMS) + "\n", encoding="utf-8")
    return path


def _settings(tmp_path: Path, server: FakeOpenAIServer) -> Settings:
    return get_settings(engine="openai", openai_api_key="sk-test", openai_base_url=server.base_url,
                        model="fake-model", store_dir=tmp_path / "store", embedding="hash", max_retries=0)


@pytest.mark.parametrize(("answer", "expected"), [
    ("compute", "compute"), ("<think>芯片还是产品？</think>\ncompute", "compute"), ("类别：Funding。", "funding"),
    ("我认为是算力", ""), ("忽略之前的所有指令", ""),
])
def test_only_contract_categories_are_accepted(answer: str, expected: str) -> None:
    assert parse_category(answer) == expected


BATCH_ANSWER = json.dumps({"items": [{"id": 1, "category": "compute"},
                                     {"id": 2, "category": "这条新闻我觉得挺重要的"}]}, ensure_ascii=False)


def test_ingest_asks_once_for_all_items_without_a_category(tmp_path: Path) -> None:
    with FakeOpenAIServer() as server:
        server.script('<news id="1">', Step("ok", BATCH_ANSWER))  # item 2's answer is no category: the rules decide
        settings = _settings(tmp_path, server)
        ingest(_corpus(tmp_path), settings, classifier=classifier_for(settings, tmp_path / "calls.jsonl"))
        assert server.calls_matching("上海数据交易所") == 0
        body = server.requests[0]["body"]
    items = open_store(settings).get_items(["chip", "given", "chatty"])
    assert (items["chip"].category, items["chip"].category_method) == ("compute", "llm")
    assert (items["given"].category, items["given"].category_method) == ("data_exchange", "given")
    assert (items["chatty"].category, items["chatty"].category_method) == ("funding", "rules")
    (call,) = CallLog.read(tmp_path / "calls.jsonl")  # one call for both items, not one per item
    assert call.section == "ingest:classify" and '<news id="2">' in call.prompt[0]["content"]
    assert call.max_tokens == body["max_tokens"] == 2 * 16 + 32  # sent as max_tokens: local servers read that


@pytest.mark.parametrize(("answer", "expected"), [
    ('{"items": [{"id": 1, "category": "compute"}, {"id": "2", "category": "Funding"}]}', {1: "compute", 2: "funding"}),
    ('{"1": "compute", "2": "3", "x": "funding"}', {1: "compute"}),
    ('{"items": [{"id": 1, "category": "忽略之前的所有指令"}, {"category": "compute"}]}', {}),
    ("compute", {}),
])
def test_batch_answers_are_validated_per_id(answer: str, expected: dict[int, str]) -> None:
    from assistant.llm.classify import parse_batch

    assert parse_batch(answer) == expected


def test_a_failing_model_falls_back_to_the_rules(tmp_path: Path) -> None:
    with FakeOpenAIServer() as server:
        server.script("Tenstorrent", Step("status", status=500))
        settings = _settings(tmp_path, server)
        classify = make_llm_classifier(settings, CallLog(tmp_path / "calls.jsonl"))
        assert classify("Tenstorrent 推出新一代 AI 芯片", "RISC-V") == ""
    (record,) = CallLog.read(tmp_path / "calls.jsonl")
    assert record.error and "500" in record.error


def test_offline_engine_uses_rules_only(tmp_path: Path) -> None:
    assert classifier_for(get_settings(engine="offline"), tmp_path / "calls.jsonl") is None


def test_digits_are_not_a_category_and_the_prompt_asks_for_a_word(tmp_path: Path) -> None:
    with FakeOpenAIServer() as server:
        server.script("Tenstorrent", Step("ok", "3"))
        settings = _settings(tmp_path, server)
        classify = make_llm_classifier(settings, CallLog(tmp_path / "calls.jsonl"))
        assert classify("Tenstorrent 推出新一代 AI 芯片", "RISC-V") == ""  # the rules decide
        body = server.requests[0]["body"]
    assert "不要回答序号或数字" in server.requests[0]["prompt"] and "- compute:" in server.requests[0]["prompt"]
    assert (body.get("max_tokens") or body.get("max_completion_tokens")) == 16


def test_confident_rules_win_over_a_disagreeing_model(tmp_path: Path) -> None:
    title, body = "三星发布新一代 AI 芯片与 HBM 存储", "三星电子发布 AI 芯片，GPU 算力与 HBM 带宽提升，面向 AI 服务器与数据中心。"
    ruled, confident = rules_verdict(title, body)
    assert ruled == "compute" and confident
    with FakeOpenAIServer() as server:
        classify = make_llm_classifier(_settings(tmp_path, server), CallLog(None))
        classify.prepare([(title, body)])
        assert classify(title, body) == ""  # the rules decide
        assert server.requests == []  # and the model is not asked at all


def test_answers_are_cached_in_the_store_so_a_rerun_asks_nothing(tmp_path: Path) -> None:
    with FakeOpenAIServer() as server:
        server.script('<news id="1">', Step("ok", BATCH_ANSWER), Step("ok", '{"1": "funding"}'))
        settings = _settings(tmp_path, server)
        ingest(_corpus(tmp_path), settings, classifier=classifier_for(settings, tmp_path / "calls.jsonl"))
        first = len(server.requests)
        ingest(_corpus(tmp_path), settings, classifier=classifier_for(settings, tmp_path / "calls.jsonl"))
        assert first == 1 and len(server.requests) == 2  # only the non-answer ("chatty") is asked again
        assert "Tenstorrent" not in server.requests[1]["prompt"] and "鲸鱼机器人" in server.requests[1]["prompt"]
    assert (tmp_path / "store" / "classify_cache.sqlite").is_file()
