"""The ``openai`` drafting engine: streamed, bounded, structured where the server allows, every attempt logged.

- ``max_tokens`` on every call (the section's budget with headroom, bounded by its sources). A cut answer
  (``finish_reason == "length"``, or a repetition loop stopped while streaming) gets one retry that asks for a
  shorter answer in the prompt and never for more tokens; a second cut fails the section (never a silent truncation).
- Each call has a wall-clock deadline, and all calls of a section share the section's deadline; the stream is
  closed when either passes, or when ``cancel()`` is called (closing the connection stops the server generating).
- Transient failures (429, 5xx, timeouts, connection errors) are retried by tenacity, honouring ``Retry-After``.
- A refusal of a parameter (``llm.capabilities``: 400/404/415/422/500/501 naming it) steps that capability down at
  once, without spending a retry: response_format json_schema -> json_object -> prompt, no stream usage,
  max_tokens <-> max_completion_tokens; remembered per endpoint in the run and across runs.
- JSON sections are validated with pydantic and get one repair retry with the validation error fed back.
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
from assistant.llm.budget import (
    answer_deadline_s,
    context_window,
    first_token_deadline_s,
    max_tokens_for,
    retry_max_tokens,
)
from assistant.llm.calllog import CallLog, CallRecord
from assistant.llm.capabilities import Capabilities, capabilities, error_text, refused_parameter
from assistant.llm.factory import estimate_cost
from assistant.llm.repetition import RepetitionGuard
from assistant.llm.server import probe_server
from assistant.llm.stream import Cancelled, DeadlineExceeded, Streamer, StreamResult
from assistant.llm.structured import InvalidStructure, Mode, response_format, validate_answer
from assistant.settings import Settings

__all__ = ["MAX_ANSWER_CHARS", "OpenAIEngine", "SectionDeadline", "is_retryable", "retry_after_s"]

MAX_BACKOFF_S = 20.0
MAX_RETRY_AFTER_S = 120.0
_CONTEXT = re.compile(r"context|too long|maximum.*tokens|exceed", re.IGNORECASE)
REPAIR = ("上面的输出未通过格式校验：{error}。请重新输出：只输出一个符合要求的 JSON 对象，"
          "source 为资料编号（整数），不要输出其他文字。")
# The one retry after a cut asks for less, in words the model reads, and is never given a higher bound.
SHORTER = ("\n\n（重写要求）上一次的回答{why}，已被停止。请重新回答并写得更短：总长度控制在约 {chars} 字以内，"
           "每条只保留最重要的一到两句，每句话只说一次，格式要求不变。")
MAX_STEP_DOWNS = 6  # every capability can step down only a few times: a server refusing everything ends here
# A section of the seed is at most ~10k characters; an answer 20x that is a runaway model, refused before any
# token counting or parsing (a 15 MB answer once took 892 s to be accepted as a section).
MAX_ANSWER_CHARS = 200_000


class SectionDeadline(ModelError):
    """The section's wall-clock deadline passed: no further call is made for it."""


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
    deadline: float | None = None  # time.monotonic() by which every call of the section has ended
    attempts: int = 0
    finishes: list[str] = field(default_factory=list)
    repairs: int = 0
    length_retries: int = 0  # retries after a cut (length or loop), at most one
    loops: list[str] = field(default_factory=list)
    step_downs: list[str] = field(default_factory=list)
    sent: tuple[str, ...] = ()  # the optional parameters of the last request (what a refusal may name)
    usage: set[str] = field(default_factory=set)  # "measured" (server usage) / "estimated" (our count)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0


class OpenAIEngine:
    name = "openai"

    def __init__(self, settings: Settings, *, log: CallLog, count: Callable[[str], int],
                 client: openai.OpenAI | None = None, backoff_s: float = 1.0,
                 sleep: Callable[[float], None] | None = None, fallback: Engine | None = None,
                 caps: Capabilities | None = None, context: int | None = None, probe: bool = False) -> None:
        self.settings = settings
        self.streamer = Streamer(client if client is not None else make_client(settings))
        # Waiting between retries (Retry-After may ask for a minute) ends at once on cancel().
        self.sleep = sleep if sleep is not None else self._interruptible_sleep
        self.log = log
        self.count = count
        self.backoff_s = backoff_s
        self.fallback = fallback
        self.endpoint = f"{settings.openai_base_url or 'https://api.openai.com/v1'}|{settings.model}"
        self.caps = caps if caps is not None else capabilities(settings.capability_cache_path)
        self.context_source = "told" if context else None
        if probe and context is None:
            info = probe_server(settings)
            context, self.context_source = info.context_window, info.source
            served = info.models[0] if len(info.models) == 1 and settings.model not in info.models else None
            if context or served:
                self.caps.update(self.endpoint, context_window=context, context_source=info.source,
                                 served_model=served)
        # What the server told of its context (``llm.server``), else the setting, else the model-name table.
        self.context = context_window(settings, told=context)
        self.context_source = self.context_source or ("setting" if settings.context_window else "model name")

    def _interruptible_sleep(self, seconds: float) -> None:
        self.streamer.cancelled.wait(seconds)

    def cancel(self) -> None:
        """Close every open stream now (Ctrl-C): blocked workers return within a chunk, not at the next timeout."""
        self.streamer.cancel()

    # ------------------------------------------------------------------ one HTTP call
    def _params(self, run: _Run) -> dict[str, Any]:
        token_param = self.caps.token_param(self.endpoint)
        params: dict[str, Any] = {
            "model": self.settings.model, "temperature": self.settings.temperature, token_param: run.max_tokens,
            "messages": [{"role": r, "content": t} for r, t in run.messages]}
        sent: list[str] = [token_param]
        if self.caps.stream_usage(self.endpoint):
            params["stream_options"] = {"include_usage": True}
            sent.append("stream_options")
        fmt = response_format(run.request.section, run.mode) if run.mode is not None else None
        if fmt is not None:
            params["response_format"] = fmt
            sent.append("response_format")
        run.sent = tuple(sent)
        return params

    def _deadline(self, run: _Run) -> tuple[float, float | None, float | None]:
        """(answer deadline, first-token deadline, hard deadline) of the next call. A configured
        ``call_deadline_s`` is one plain bound; otherwise the prompt's reading and the answer are bounded apart
        (a slow CPU server's prompt time is no runaway answer), and the section's time left bounds both."""
        left = None
        if run.deadline is not None:
            left = run.deadline - time.monotonic()
            if left <= 1.0:
                raise SectionDeadline(f"章节 {run.request.section.id} 的起草时间已用完（{run.attempts} 次调用），"
                                      "不再调用模型")
        if self.settings.call_deadline_s:
            plain = self.settings.call_deadline_s
            return (min(plain, left) if left is not None else plain), None, left
        return (answer_deadline_s(self.settings, run.max_tokens), first_token_deadline_s(run.prompt_estimate), left)

    def _attempt(self, run: _Run) -> StreamResult:
        params = self._params(run)
        deadline, first_token, hard = self._deadline(run)
        run.attempts += 1
        record = CallRecord(section=run.request.section.id, model=self.settings.model, attempt=run.attempts,
                            answer_retry=run.request.answer_retry,
                            prompt=[{"role": r, "content": t} for r, t in run.messages], max_tokens=run.max_tokens,
                            response_format=run.mode,
                            deadline_s=round(min(deadline + (first_token or 0), hard or float("inf")), 1))
        start = time.perf_counter()
        try:
            result = self.streamer.run(params, deadline, max_chars=MAX_ANSWER_CHARS, guard=RepetitionGuard(),
                                       first_token_s=first_token, hard_s=hard, max_tokens=run.max_tokens)
        except Exception as exc:
            record.latency_s = round(time.perf_counter() - start, 3)
            record.error = f"{type(exc).__name__}: {exc}"
            record.refused = self._refused(run, exc)
            self.log.write(record)
            raise
        record.completion, record.finish_reason, record.latency_s = result.text, result.finish_reason, result.latency_s
        record.stopped = result.loop
        measured = result.prompt_tokens is not None and result.completion_tokens is not None
        record.tokens = "measured" if measured else "estimated"
        run.usage.add(record.tokens)
        record.prompt_tokens = result.prompt_tokens if result.prompt_tokens is not None else run.prompt_estimate
        record.completion_tokens = (result.completion_tokens if result.completion_tokens is not None
                                    else self.count(result.text))
        record.cost_usd = estimate_cost(self.settings, record.prompt_tokens, record.completion_tokens)
        self.log.write(record)
        run.prompt_tokens += record.prompt_tokens
        run.completion_tokens += record.completion_tokens
        run.latency_s += result.latency_s
        return result

    def _refused(self, run: _Run, exc: BaseException) -> str | None:
        if not isinstance(exc, openai.APIStatusError):
            return None
        return refused_parameter(exc.status_code, error_text(exc), run.sent)

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome is not None else None
        after = retry_after_s(exc)
        if after is not None:
            return min(after, MAX_RETRY_AFTER_S)
        return min(self.backoff_s * 2 ** (state.attempt_number - 1), MAX_BACKOFF_S)

    def _call(self, run: _Run) -> StreamResult:
        """One answer: transient errors retried (tenacity); a refused parameter stepped down at once."""
        while True:
            retrying = Retrying(stop=stop_after_attempt(max(self.settings.max_retries, 0) + 1), wait=self._wait,
                                retry=retry_if_exception(lambda e: is_retryable(e) and self._refused(run, e) is None),
                                sleep=self.sleep, reraise=True)
            try:
                return retrying(self._attempt, run)
            except openai.APIStatusError as exc:
                if len(run.step_downs) >= MAX_STEP_DOWNS:
                    raise
                self._step_down(run, exc)

    def _step_down(self, run: _Run, exc: openai.APIStatusError) -> None:
        message = error_text(exc)
        refused = self._refused(run, exc)
        if refused is None and exc.status_code in (400, 422) and _CONTEXT.search(message):
            raise UnusableAnswer(f"章节 {run.request.section.id} 的提示词（约 {run.prompt_estimate} tokens）加上输出上限 "
                                 f"{run.max_tokens} 超出了模型的上下文：{str(exc)[:200]}。请把 context_window 设为服务端"
                                 "实际的上下文长度", kind="context_length") from exc
        if refused is None and exc.status_code in (400, 422) and run.mode not in (None, "prompt"):
            refused = "response_format"  # an unexplained 400/422 on a structured call: the format is the suspect
        if refused == "response_format" and run.mode not in (None, "prompt"):
            before = run.mode
            run.mode = self.caps.step_down(self.endpoint, run.mode)
            run.step_downs.append(f"response_format:{before}->{run.mode}")
        elif refused == "stream_options":
            self.caps.without_stream_usage(self.endpoint)
            run.step_downs.append("stream_options:off")
        elif refused in ("max_tokens", "max_completion_tokens"):
            other = "max_completion_tokens" if refused == "max_tokens" else "max_tokens"
            self.caps.update(self.endpoint, token_param=other)
            run.step_downs.append(f"{refused}->{other}")
        else:
            raise exc

    # ------------------------------------------------------------------ one section
    def _start(self, request: GenerationRequest) -> _Run:
        estimate = sum(self.count(t) for _, t in request.messages) + 8 * len(request.messages)
        sources = len(request.packed.sources) if request.section.kind in ("digest", "writeup") else None
        wanted = max_tokens_for(request.section.budget_tokens, sources)
        room = self.context - estimate - 16
        if room < min(wanted, 256):
            raise UnusableAnswer(f"章节 {request.section.id} 的提示词约 {estimate} tokens，模型上下文 "
                                 f"{self.context} 已放不下输出", kind="context_length")
        mode = self.caps.mode(self.endpoint, self.settings.structured_output) \
            if response_format(request.section, "json_object") is not None else None
        return _Run(request=request, messages=list(request.messages), max_tokens=min(wanted, room),
                    prompt_estimate=estimate, mode=mode, deadline=request.deadline)

    def _shorter(self, run: _Run, result: StreamResult) -> None:
        """The one retry after a cut: the same or a lower bound, and the prompt asks for a shorter answer."""
        spec = run.request.section
        loop = result.finish_reason == "loop"
        if run.length_retries >= 1:
            if loop:
                raise UnusableAnswer(f"章节 {spec.id} 的输出两次陷入重复循环（{result.loop}），已停止",
                                     kind="repetition_loop", text=result.text[:4000])
            raise UnusableAnswer(f"章节 {spec.id} 的输出两次达到长度上限（max_tokens={run.max_tokens}）被截断",
                                 kind="output_truncated", text=result.text)
        run.length_retries += 1
        if loop:
            run.loops.append(result.loop or "")
        why = f"陷入了重复（{result.loop}）" if loop else f"超过了输出上限（{run.max_tokens} tokens）被截断"
        run.max_tokens = retry_max_tokens(run.max_tokens, loop=loop)
        chars = max(200, min(spec.budget_tokens, run.max_tokens) // 2)
        messages = list(run.request.messages)
        role, text = messages[-1]
        messages[-1] = (role, text + SHORTER.format(why=why, chars=chars))
        run.messages = messages

    def _answer(self, run: _Run) -> str:
        spec = run.request.section
        while True:
            result = self._call(run)
            run.finishes.append(result.finish_reason or "")
            if result.finish_reason in ("length", "loop"):
                self._shorter(run, result)
                continue
            if not result.text.strip():
                raise ModelError(f"章节 {spec.id}: 模型返回了空内容")
            if len(result.text) > MAX_ANSWER_CHARS:
                raise UnusableAnswer(f"章节 {spec.id}: 模型回答过长（{len(result.text)} 字符，上限 {MAX_ANSWER_CHARS}），"
                                     "已拒收", kind="answer_too_long", text=result.text[:4000])
            try:
                return validate_answer(spec, result.text, run.request)
            except InvalidStructure as exc:
                if run.repairs >= 1:
                    raise UnusableAnswer(f"章节 {spec.id} 的输出两次未通过格式校验：{exc.detail}",
                                         kind="malformed_output", text=result.text) from exc
                run.repairs += 1
                run.messages += [("assistant", result.text), ("user", REPAIR.format(error=exc.detail))]

    def generate(self, request: GenerationRequest) -> Generation:
        run: _Run | None = None
        try:
            run = self._start(request)
            text = self._answer(run)
        except Cancelled as exc:
            raise ModelError(f"章节 {request.section.id}: {exc}") from exc
        except UnusableAnswer as exc:
            return self._fall_back(request, exc, run)
        except ModelError as exc:
            return self._fall_back(request, exc, run)
        except Exception as exc:
            if isinstance(exc, openai.OpenAIError | TimeoutError | ConnectionError):
                return self._fall_back(request, ModelError(
                    f"章节 {request.section.id} 模型调用失败: {type(exc).__name__}: {exc}"), run)
            raise
        return Generation(text=text, model=self.settings.model, prompt_tokens=run.prompt_tokens,
                          completion_tokens=run.completion_tokens,
                          cost_usd=estimate_cost(self.settings, run.prompt_tokens, run.completion_tokens),
                          latency_s=round(run.latency_s, 3), attempts=run.attempts, parameters=self._parameters(run))

    def _parameters(self, run: _Run) -> dict[str, float | int | str | None]:
        s = self.settings
        usage = "measured" if run.usage == {"measured"} else "estimated" if run.usage == {"estimated"} else "mixed"
        return {"temperature": s.temperature, "base_url": s.openai_base_url, "timeout_s": s.request_timeout_s,
                "max_retries": s.max_retries, "max_tokens": run.max_tokens, "response_format": run.mode,
                "finish_reasons": ",".join(run.finishes), "length_retries": run.length_retries,
                "repairs": run.repairs, "step_downs": ",".join(run.step_downs) or None,
                "loops": "；".join(run.loops) or None, "tokens": usage if run.usage else None,
                "context_window": self.context, "context_source": self.context_source}

    def _fall_back(self, request: GenerationRequest, error: ModelError, run: _Run | None) -> Generation:
        if self.fallback is None or self.streamer.cancelled.is_set():
            raise error
        generation = self.fallback.generate(request)
        tried = self._parameters(run) if run is not None else {}
        generation.parameters = {**generation.parameters, "fallback": self.fallback.name,
                                 "fallback_reason": str(error)[:300],
                                 **{f"model_{k}": v for k, v in tried.items()
                                    if k in ("step_downs", "finish_reasons", "loops") and v}}
        return generation
