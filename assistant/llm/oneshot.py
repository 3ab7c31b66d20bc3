"""One logged question to a chat model: the ingest-time helpers (classifier, translator) ask one prompt and read
one short answer; the drafting engine streams instead (``engine``)."""

from __future__ import annotations

import time

import openai
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage

from assistant.llm.calllog import CallLog, CallRecord
from assistant.llm.factory import estimate_cost
from assistant.settings import Settings

__all__ = ["ask_logged"]


def ask_logged(chat: BaseChatModel, text: str, *, section: str, settings: Settings, log: CallLog,
               max_tokens: int | None = None) -> str | None:
    """The model's answer to ``text``, or None when the call failed (the caller falls back); logged either way,
    with tokens, cost and latency, under ``section`` (e.g. ``ingest:classify``)."""
    record = CallRecord(section=section, model=settings.model, max_tokens=max_tokens,
                        prompt=[{"role": "user", "content": text}])
    start = time.perf_counter()
    try:
        reply = chat.invoke([HumanMessage(content=text)])
    except (openai.OpenAIError, TimeoutError, ConnectionError) as exc:
        record.error = f"{type(exc).__name__}: {exc}"
        return None
    else:
        record.completion = str(reply.content)
        usage = getattr(reply, "usage_metadata", None) or {}
        record.prompt_tokens = int(usage.get("input_tokens", 0))
        record.completion_tokens = int(usage.get("output_tokens", 0))
        record.tokens = "measured" if usage else None
        record.cost_usd = estimate_cost(settings, record.prompt_tokens, record.completion_tokens)
        return record.completion
    finally:
        record.latency_s = round(time.perf_counter() - start, 3)
        log.write(record)
