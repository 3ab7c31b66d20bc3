"""Category assignment by a chat model, for corpus items that come without one.

The model only chooses among the contract's categories: its answer is matched against that list, and anything
else (an error, an empty or chatty reply, an injected instruction) falls back to the transparent rules. Every call
is logged like a drafting call.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import openai
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage

from assistant.corpus.rules import CategoryClassifier
from assistant.engine.output import strip_think
from assistant.llm.calllog import CallLog, CallRecord
from assistant.llm.factory import estimate_cost, make_chat_model
from assistant.models import CATEGORIES
from assistant.prompts import load_prompt
from assistant.settings import Settings

__all__ = ["CATEGORY_HINTS", "PROMPT", "classifier_for", "make_llm_classifier", "parse_category"]

PROMPT = "corpus/classify.v1.md"
BODY_CHARS = 1200  # the lead of an item decides its category; the rest only costs tokens

CATEGORY_HINTS: dict[str, str] = {
    "data_policy": "数据要素相关政策、方案与会议",
    "data_exchange": "数据交易所的新闻",
    "llm_domestic": "国内大模型发布与进展",
    "llm_foreign": "国外大模型发布与进展",
    "compute": "AI 芯片、服务器与算力",
    "tech_frontier": "前沿技术与论文",
    "policy": "人工智能产业政策、法规与产学研合作",
    "product": "AI 产品发布",
    "funding": "投融资事件",
    "other": "以上都不是",
}

_WORD = re.compile(r"[a-z_]+")


def parse_category(answer: str) -> str:
    """The first contract category named in the answer, else "" (the caller then uses the rules)."""
    for word in _WORD.findall(strip_think(answer).lower()):
        if word in CATEGORIES:
            return word
    return ""


def make_llm_classifier(settings: Settings, log: CallLog, *, model: BaseChatModel | None = None
                        ) -> CategoryClassifier:
    chat = model if model is not None else make_chat_model(settings)
    prompt = load_prompt(PROMPT)
    listing = "\n".join(f"- {c}: {CATEGORY_HINTS[c]}" for c in CATEGORIES)

    def classify(title: str, body: str) -> str:
        text = prompt.render({"categories": listing, "title": title, "body": body[:BODY_CHARS]})
        record = CallRecord(section="ingest:classify", model=settings.model,
                            prompt=[{"role": "user", "content": text}])
        start = time.perf_counter()
        try:
            reply = chat.invoke([HumanMessage(content=text)])
        except (openai.OpenAIError, TimeoutError, ConnectionError) as exc:
            record.error = f"{type(exc).__name__}: {exc}"
            return ""
        else:
            record.completion = str(reply.content)
            usage = getattr(reply, "usage_metadata", None) or {}
            record.prompt_tokens = int(usage.get("input_tokens", 0))
            record.completion_tokens = int(usage.get("output_tokens", 0))
            record.cost_usd = estimate_cost(settings, record.prompt_tokens, record.completion_tokens)
            return parse_category(record.completion)
        finally:
            record.latency_s = round(time.perf_counter() - start, 3)
            log.write(record)

    return classify


def classifier_for(settings: Settings, log_path: Path) -> CategoryClassifier | None:
    """The model classifier when the openai engine is in use (a key is configured), else None (rules only)."""
    if settings.resolved_engine != "openai":
        return None
    return make_llm_classifier(settings, CallLog(log_path))
