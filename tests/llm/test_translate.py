"""Foreign items translated at ingest by the real chat model over HTTP against the local fake server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakes.openai_server import FakeOpenAIServer, Step

from assistant import SAMPLE_DIR
from assistant.corpus import content_hash
from assistant.llm.calllog import CallLog
from assistant.llm.translate import parse_translation, translator_for
from assistant.settings import Settings, get_settings
from assistant.store import ingest, open_store

ATOM = SAMPLE_DIR / "raw" / "deepmind-atom.xml"
PAGE = SAMPLE_DIR / "raw" / "venturebeat-gpt4o-mini.html"


def _settings(tmp_path: Path, server: FakeOpenAIServer) -> Settings:
    return get_settings(engine="openai", openai_api_key="sk-test", openai_base_url=server.base_url,
                        model="fake-model", store_dir=tmp_path / "store", embedding="hash", max_retries=0)


@pytest.mark.parametrize(("answer", "title"), [
    ('{"title": "谷歌 JEST 加速多模态训练", "summary": "JEST 联合挑选数据批次，迭代次数最多减少 13 倍。"}', "谷歌 JEST 加速多模态训练"),
    ('<think>先译标题</think>```json\n{"title": "<b>谷歌</b> JEST", "summary": "摘要。"}\n```', "谷歌 JEST"),
    ('{"title": "JEST speeds up training", "summary": "No Chinese here."}', None),
    ("我不能翻译这条新闻。", None), ('{"title": "", "summary": "只有摘要。"}', None), ("[1, 2]", None),
])
def test_only_a_chinese_title_and_summary_is_accepted(answer: str, title: str | None) -> None:
    got = parse_translation(answer)
    assert (got.title if got else None) == title


def test_foreign_items_are_translated_and_the_original_title_kept(tmp_path: Path) -> None:
    with FakeOpenAIServer() as server:
        server.script("JEST", Step("ok", json.dumps({"title": "DeepMind 提出 JEST：联合样本选择加速多模态学习",
                                                     "summary": "JEST 以批为单位联合挑选训练数据，迭代次数最多减少 13 倍。"},
                                                    ensure_ascii=False)))
        settings = _settings(tmp_path, server)
        log = tmp_path / "calls.jsonl"
        report = ingest(ATOM, settings, translator=translator_for(settings, log))
        [item] = open_store(settings).all_items()
        assert report.translated == 1 and server.calls_matching("JEST") == 1
        stored_hash = open_store(settings).item_hashes()[item.doc_id]
        again = ingest(ATOM, settings, translator=translator_for(settings, log))
        assert again.unchanged == 1 and server.calls_matching("JEST") == 1  # unchanged: no second call
    assert item.title == "DeepMind 提出 JEST：联合样本选择加速多模态学习"
    assert item.original_title == "JEST: data curation via joint example selection speeds up multimodal learning"
    assert item.translated_summary and "13 倍" in item.translated_summary
    assert "foreign_language" in item.flags and item.body.startswith("Joint example selection")
    assert stored_hash == content_hash(item)  # the hash is of what the source supplied, not the translation
    [call] = CallLog.read(log)
    assert call.section == "ingest:translate" and "英文新闻" in call.prompt[0]["content"]
    assert "<news>" in call.prompt[0]["content"]


def test_a_failing_or_unusable_answer_leaves_the_item_flagged_untranslated(tmp_path: Path) -> None:
    with FakeOpenAIServer() as server:
        server.script("GPT-4o mini", Step("status", status=500))
        settings = _settings(tmp_path, server)
        report = ingest(PAGE, settings, translator=translator_for(settings, tmp_path / "calls.jsonl"))
    [item] = open_store(settings).all_items()
    assert report.translated == 0 and item.original_title is None and "foreign_language" in item.flags
    [call] = CallLog.read(tmp_path / "calls.jsonl")
    assert call.error and "500" in call.error


def test_no_model_no_translation(tmp_path: Path) -> None:
    assert translator_for(get_settings(engine="offline"), tmp_path / "calls.jsonl") is None


def test_every_translation_call_is_bounded_under_the_name_local_servers_read(tmp_path: Path) -> None:
    from assistant.llm.translate import MAX_TOKENS

    with FakeOpenAIServer() as server:
        settings = get_settings(engine="openai", openai_api_key="sk-test", openai_base_url=server.base_url,
                                model="fake-model", store_dir=tmp_path / "store")
        translate = translator_for(settings, tmp_path / "calls.jsonl")
        assert translate is not None and translate("OpenAI releases a model", "OpenAI released it.", "en")
        body = server.requests[0]["body"]
    # llama-cpp-python ignores max_completion_tokens (langchain's default name): the bound would be lost
    assert body["max_tokens"] == MAX_TOKENS and "max_completion_tokens" not in body
    assert CallLog.read(tmp_path / "calls.jsonl")[0].max_tokens == MAX_TOKENS
