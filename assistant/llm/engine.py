"""The ``openai`` drafting engine: a chat model behind bounded retries, every attempt logged.

Retried: HTTP 429, 5xx, timeouts and connection errors, with exponential backoff (``backoff_s * 2**n``, capped).
Not retried: other 4xx (a bad request will not get better). An empty answer is a ``ModelError``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import openai
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from assistant.engine.request import Generation, GenerationRequest
from assistant.errors import ModelError
from assistant.llm.calllog import CallLog, CallRecord
from assistant.llm.factory import estimate_cost, make_chat_model
from assistant.settings import Settings

__all__ = ["MAX_ANSWER_CHARS", "OpenAIEngine", "is_retryable"]

MAX_BACKOFF_S = 20.0
# A section of the seed is at most ~10k characters; an answer 20x that is a runaway model, refused before any
# token counting or parsing (a 15 MB answer once took 892 s to be accepted as a section).
MAX_ANSWER_CHARS = 200_000


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, openai.APITimeoutError | openai.APIConnectionError | openai.RateLimitError):
        return True
    return isinstance(exc, openai.APIStatusError) and exc.status_code >= 500


def _messages(pairs: list[tuple[str, str]]) -> list[BaseMessage]:
    # Message objects, not a prompt template: braces in corpus text must never be interpreted.
    return [SystemMessage(content=text) if role == "system" else HumanMessage(content=text) for role, text in pairs]


def _usage(message: AIMessage, prompt: list[tuple[str, str]], count: Callable[[str], int]) -> tuple[int, int]:
    meta = message.usage_metadata
    if meta and meta.get("input_tokens") is not None:
        return int(meta.get("input_tokens", 0)), int(meta.get("output_tokens", 0))
    return sum(count(t) for _, t in prompt), count(str(message.content))


class OpenAIEngine:
    name = "openai"

    def __init__(self, settings: Settings, *, log: CallLog, count: Callable[[str], int],
                 model: BaseChatModel | None = None, backoff_s: float = 1.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self.model = model if model is not None else make_chat_model(settings)
        self.log = log
        self.count = count
        self.backoff_s = backoff_s
        self.sleep = sleep

    def _parameters(self) -> dict[str, float | int | str | None]:
        s = self.settings
        return {"temperature": s.temperature, "base_url": s.openai_base_url, "timeout_s": s.request_timeout_s,
                "max_retries": s.max_retries}

    def _attempt(self, request: GenerationRequest, attempt: int) -> tuple[AIMessage, float]:
        start = time.perf_counter()
        record = CallRecord(section=request.section.id, model=self.settings.model, attempt=attempt,
                            prompt=[{"role": r, "content": t} for r, t in request.messages])
        try:
            reply = self.model.invoke(_messages(request.messages))
        except Exception as exc:
            record.latency_s = round(time.perf_counter() - start, 3)
            record.error = f"{type(exc).__name__}: {exc}"
            self.log.write(record)
            raise
        latency = time.perf_counter() - start
        message = reply if isinstance(reply, AIMessage) else AIMessage(content=str(reply.content))
        record.completion = str(message.content)
        record.prompt_tokens, record.completion_tokens = _usage(message, request.messages, self.count)
        record.latency_s = round(latency, 3)
        record.cost_usd = estimate_cost(self.settings, record.prompt_tokens, record.completion_tokens)
        self.log.write(record)
        return message, latency

    def generate(self, request: GenerationRequest) -> Generation:
        retries = max(self.settings.max_retries, 0)
        for attempt in range(1, retries + 2):
            try:
                message, latency = self._attempt(request, attempt)
            except Exception as exc:
                if not is_retryable(exc) or attempt > retries:
                    raise ModelError(f"章节 {request.section.id} 模型调用失败（第 {attempt} 次）: {exc}") from exc
                self.sleep(min(self.backoff_s * 2 ** (attempt - 1), MAX_BACKOFF_S))
                continue
            return self._generation(message, request, latency, attempt)
        raise ModelError(f"章节 {request.section.id} 模型调用失败")  # unreachable: the loop returns or raises

    def _generation(self, message: AIMessage, request: GenerationRequest, latency: float,
                    attempt: int) -> Generation:
        text = str(message.content)
        if not text.strip():
            raise ModelError(f"章节 {request.section.id}: 模型返回了空内容")
        if len(text) > MAX_ANSWER_CHARS:
            raise ModelError(f"章节 {request.section.id}: 模型回答过长（{len(text)} 字符，上限 {MAX_ANSWER_CHARS}），"
                             "已拒收")
        prompt_tokens, completion_tokens = _usage(message, request.messages, self.count)
        return Generation(text=text, model=self.settings.model, prompt_tokens=prompt_tokens,
                          completion_tokens=completion_tokens,
                          cost_usd=estimate_cost(self.settings, prompt_tokens, completion_tokens),
                          latency_s=round(latency, 3), attempts=attempt, parameters=self._parameters())

