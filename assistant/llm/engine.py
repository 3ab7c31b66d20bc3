"""The ``openai`` drafting engine: streamed, bounded, structured where the server allows, every attempt logged.

- ``max_tokens`` on every call (the section's budget with headroom); ``finish_reason == "length"`` gets one retry
  with a higher bound and is reported, a second cut fails the section (never a silent truncation).
- Each call has a wall-clock deadline; the stream is closed when it passes, or when ``cancel()`` is called.
- Transient failures (429, 5xx, timeouts, connection errors) are retried by tenacity, honouring ``Retry-After``.
- JSON sections ask for structured output (json_schema -> json_object -> prompt, per endpoint, remembered),
  are validated with pydantic, and get one repair retry with the validation error fed back.
- Optionally (``fallback_offline``) a section whose calls keep failing is drafted by the fallback engine, marked.
"""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import openai
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from assistant.engine.answer import UnusableAnswer
from assistant.engine.request import Engine, Generation, GenerationRequest
from assistant.errors import ConfigError, ModelError
from assistant.llm.budget import call_deadline_s, context_window, max_tokens_for, retry_max_tokens
from assistant.llm.calllog import CallLog, CallRecord
from assistant.llm.factory import estimate_cost
from assistant.llm.stream import Cancelled, DeadlineExceeded, Streamer, StreamResult
from assistant.llm.structured import InvalidStructure, Mode, capabilities, response_format, validate_answer
from assistant.settings import Settings

__all__ = ["MAX_ANSWER_CHARS", "OpenAIEngine", "is_retryable", "retry_after_s"]

MAX_BACKOFF_S = 20.0
MAX_RETRY_AFTER_S = 120.0
_CONTEXT = re.compile(r"context|too long|maximum.*tokens|exceed", re.IGNORECASE)
_FORMAT = re.compile(r"response_format|json_schema|json_object|schema|grammar", re.IGNORECASE)
REPAIR = ("上面的输出未通过格式校验：{error}。请重新输出：只输出一个符合要求的 JSON 对象，"
          "source 为资料编号（整数），不要输出其他文字。")
# A section of the seed is at most ~10k characters; an answer 20x that is a runaway model, refused before any
# token counting or parsing (a 15 MB answer once took 892 s to be accepted as a section).
MAX_ANSWER_CHARS = 200_000


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, openai.APITimeoutError | openai.APIConnectionError | openai.RateLimitError
                  | DeadlineExceeded):
        return True
    return isinstance(exc, openai.APIStatusError) and exc.status_code >= 500


def retry_after_s(exc: BaseException | None) -> float | None:
    """Seconds the server asked us to wait (``retry-after-ms``, ``retry-after`` as seconds or an HTTP date)."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return float(ms) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        when = email.utils.parsedate_to_datetime(value) if value else None
        return max(when.timestamp() - time.time(), 0.0) if when is not None else None


def make_client(settings: Settings) -> openai.OpenAI:
    if settings.openai_api_key is None:
        raise ConfigError("openai 引擎需要 API key（环境变量 RA_OPENAI_API_KEY 或配置文件 openai_api_key）")
    # Our own retries (logged per attempt); the read timeout bounds silence, the deadline bounds the whole call.
    return openai.OpenAI(api_key=settings.openai_api_key.get_secret_value(), base_url=settings.openai_base_url,
                         timeout=settings.request_timeout_s, max_retries=0)


@dataclass
class _Run:
    """The state of one section's generation across its attempts."""

    request: GenerationRequest
    messages: list[tuple[str, str]]
    max_tokens: int
    prompt_estimate: int
    mode: Mode | None
    attempts: int = 0
    finishes: list[str] = field(default_factory=list)
    repairs: int = 0
    length_retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0


class OpenAIEngine:
    name = "openai"

    def __init__(self, settings: Settings, *, log: CallLog, count: Callable[[str], int],
                 client: openai.OpenAI | None = None, backoff_s: float = 1.0,
                 sleep: Callable[[float], None] | None = None, fallback: Engine | None = None) -> None:
        self.settings = settings
        self.streamer = Streamer(client if client is not None else make_client(settings))
        # Waiting between retries (Retry-After may ask for a minute) ends at once on cancel().
        self.sleep = sleep if sleep is not None else self._interruptible_sleep
        self.log = log
        self.count = count
        self.backoff_s = backoff_s
        self.fallback = fallback
        self.endpoint = f"{settings.openai_base_url or 'https://api.openai.com/v1'}|{settings.model}"

    def _interruptible_sleep(self, seconds: float) -> None:
        self.streamer.cancelled.wait(seconds)

    def cancel(self) -> None:
        """Close every open stream now (Ctrl-C): blocked workers return within a chunk, not at the next timeout."""
        self.streamer.cancel()

    # ------------------------------------------------------------------ one HTTP call
    def _params(self, run: _Run) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": self.settings.model, "temperature": self.settings.temperature, "max_tokens": run.max_tokens,
            "messages": [{"role": r, "content": t} for r, t in run.messages]}
        if capabilities().stream_usage(self.endpoint):
            params["stream_options"] = {"include_usage": True}
        fmt = response_format(run.request.section, run.mode) if run.mode is not None else None
        if fmt is not None:
            params["response_format"] = fmt
        return params

    def _attempt(self, run: _Run) -> StreamResult:
        run.attempts += 1
        params = self._params(run)
        record = CallRecord(section=run.request.section.id, model=self.settings.model, attempt=run.attempts,
                            answer_retry=run.request.answer_retry,
                            prompt=[{"role": r, "content": t} for r, t in run.messages], max_tokens=run.max_tokens,
                            response_format=run.mode)
        deadline = call_deadline_s(self.settings, run.max_tokens, run.prompt_estimate)
        start = time.perf_counter()
        try:
            result = self.streamer.run(params, deadline, max_chars=MAX_ANSWER_CHARS)
        except Exception as exc:
            record.latency_s = round(time.perf_counter() - start, 3)
            record.error = f"{type(exc).__name__}: {exc}"
            self.log.write(record)
            raise
        record.completion, record.finish_reason, record.latency_s = result.text, result.finish_reason, result.latency_s
        record.prompt_tokens = result.prompt_tokens if result.prompt_tokens is not None else run.prompt_estimate
        record.completion_tokens = (result.completion_tokens if result.completion_tokens is not None
                                    else self.count(result.text))
        record.cost_usd = estimate_cost(self.settings, record.prompt_tokens, record.completion_tokens)
        self.log.write(record)
        run.prompt_tokens += record.prompt_tokens
        run.completion_tokens += record.completion_tokens
        run.latency_s += result.latency_s
        return result

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome is not None else None
        after = retry_after_s(exc)
        if after is not None:
            return min(after, MAX_RETRY_AFTER_S)
        return min(self.backoff_s * 2 ** (state.attempt_number - 1), MAX_BACKOFF_S)

    def _call(self, run: _Run) -> StreamResult:
        """One answer: transient errors retried (tenacity), an unsupported response_format stepped down."""
        while True:
            retrying = Retrying(stop=stop_after_attempt(max(self.settings.max_retries, 0) + 1), wait=self._wait,
                                retry=retry_if_exception(is_retryable), sleep=self.sleep, reraise=True)
            try:
                return retrying(self._attempt, run)
            except openai.BadRequestError as exc:
                self._bad_request(run, exc)
            except openai.UnprocessableEntityError:
                if run.mode in (None, "prompt"):
                    raise
                run.mode = capabilities().step_down(self.endpoint, run.mode)

    def _bad_request(self, run: _Run, exc: openai.BadRequestError) -> None:
        message = str(exc)
        if "stream_options" in message and capabilities().stream_usage(self.endpoint):
            capabilities().without_stream_usage(self.endpoint)
            return
        if run.mode not in (None, "prompt") and (_FORMAT.search(message) or not _CONTEXT.search(message)):
            run.mode = capabilities().step_down(self.endpoint, run.mode)
            return
        if _CONTEXT.search(message):
            raise UnusableAnswer(f"章节 {run.request.section.id} 的提示词（约 {run.prompt_estimate} tokens）加上输出上限 "
                                 f"{run.max_tokens} 超出了模型的上下文：{message[:200]}。请把 context_window 设为服务端"
                                 "实际的上下文长度", kind="context_length") from exc
        raise exc

    # ------------------------------------------------------------------ one section
    def _start(self, request: GenerationRequest) -> _Run:
        estimate = sum(self.count(t) for _, t in request.messages) + 8 * len(request.messages)
        wanted = max_tokens_for(request.section.budget_tokens)
        room = context_window(self.settings) - estimate - 16
        if room < min(wanted, 256):
            raise UnusableAnswer(f"章节 {request.section.id} 的提示词约 {estimate} tokens，模型上下文 "
                                 f"{context_window(self.settings)} 已放不下输出", kind="context_length")
        mode = capabilities().mode(self.endpoint, self.settings.structured_output) \
            if response_format(request.section, "json_object") is not None else None
        return _Run(request=request, messages=list(request.messages), max_tokens=min(wanted, room),
                    prompt_estimate=estimate, mode=mode)

    def _answer(self, run: _Run) -> str:
        spec = run.request.section
        while True:
            result = self._call(run)
            run.finishes.append(result.finish_reason or "")
            if result.finish_reason == "length":
                if run.length_retries >= 1:
                    raise UnusableAnswer(f"章节 {spec.id} 的输出两次达到长度上限（max_tokens={run.max_tokens}）被截断",
                                         kind="output_truncated", text=result.text)
                run.length_retries += 1
                run.max_tokens = retry_max_tokens(run.max_tokens, run.prompt_estimate,
                                                  context_window(self.settings))
                continue
            if not result.text.strip():
                raise ModelError(f"章节 {spec.id}: 模型返回了空内容")
            if len(result.text) > MAX_ANSWER_CHARS:
                raise UnusableAnswer(f"章节 {spec.id}: 模型回答过长（{len(result.text)} 字符，上限 {MAX_ANSWER_CHARS}），"
                                     "已拒收", kind="answer_too_long", text=result.text[:4000])
            try:
                return validate_answer(spec, result.text)
            except InvalidStructure as exc:
                if run.repairs >= 1:
                    raise UnusableAnswer(f"章节 {spec.id} 的输出两次未通过格式校验：{exc.detail}",
                                         kind="malformed_output", text=result.text) from exc
                run.repairs += 1
                run.messages += [("assistant", result.text), ("user", REPAIR.format(error=exc.detail))]

    def generate(self, request: GenerationRequest) -> Generation:
        try:
            run = self._start(request)
            text = self._answer(run)
        except Cancelled as exc:
            raise ModelError(f"章节 {request.section.id}: {exc}") from exc
        except UnusableAnswer as exc:
            return self._fall_back(request, exc)
        except ModelError as exc:
            return self._fall_back(request, exc)
        except Exception as exc:
            if isinstance(exc, openai.OpenAIError | TimeoutError | ConnectionError):
                return self._fall_back(request, ModelError(
                    f"章节 {request.section.id} 模型调用失败: {type(exc).__name__}: {exc}"))
            raise
        return Generation(text=text, model=self.settings.model, prompt_tokens=run.prompt_tokens,
                          completion_tokens=run.completion_tokens,
                          cost_usd=estimate_cost(self.settings, run.prompt_tokens, run.completion_tokens),
                          latency_s=round(run.latency_s, 3), attempts=run.attempts, parameters=self._parameters(run))

    def _parameters(self, run: _Run) -> dict[str, float | int | str | None]:
        s = self.settings
        return {"temperature": s.temperature, "base_url": s.openai_base_url, "timeout_s": s.request_timeout_s,
                "max_retries": s.max_retries, "max_tokens": run.max_tokens, "response_format": run.mode,
                "finish_reasons": ",".join(run.finishes), "length_retries": run.length_retries,
                "repairs": run.repairs}

    def _fall_back(self, request: GenerationRequest, error: ModelError) -> Generation:
        if self.fallback is None or self.streamer.cancelled.is_set():
            raise error
        generation = self.fallback.generate(request)
        generation.parameters = {**generation.parameters, "fallback": self.fallback.name,
                                 "fallback_reason": str(error)[:300]}
        return generation
