"""One streamed chat completion with a wall-clock deadline and cancellation.

Streaming is what makes a deadline real: between chunks the reader checks the clock and the cancel flag, and
closing the stream closes the HTTP connection, so the server stops generating instead of queueing the retry
behind a still-running answer. A silent server is bounded by the client's read timeout.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import openai

from assistant.llm.repetition import RepetitionGuard

__all__ = ["Cancelled", "DeadlineExceeded", "StreamResult", "Streamer"]


OBSERVED_PIECES = 32  # streamed pieces before the observed speed is trusted


class DeadlineExceeded(TimeoutError):
    """The call ran past its wall-clock deadline; the stream was closed."""


class Cancelled(RuntimeError):
    """The run was interrupted (Ctrl-C); the stream was closed."""


@dataclass
class StreamResult:
    text: str = ""
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    model: str | None = None
    latency_s: float = 0.0
    chunks: int = 0
    loop: str | None = None  # what repetition stopped the stream (finish_reason "loop")
    extra: dict[str, Any] = field(default_factory=dict)


class Streamer:
    """Runs streamed calls on one client; ``cancel()`` (from any thread) closes every open stream."""

    def __init__(self, client: openai.OpenAI) -> None:
        self.client = client
        self._lock = threading.Lock()
        self._open: set[Any] = set()
        self.cancelled = threading.Event()

    def cancel(self) -> None:
        self.cancelled.set()
        with self._lock:
            streams = list(self._open)
        for stream in streams:
            stream.close()

    def run(self, params: dict[str, Any], deadline_s: float, *, max_chars: int | None = None,
            guard: RepetitionGuard | None = None, first_token_s: float | None = None,
            hard_s: float | None = None, max_tokens: int | None = None) -> StreamResult:
        """One streamed call; past ``max_chars`` of answer, or once ``guard`` sees a repetition loop, the stream is
        closed (a runaway model is not read to its end, and closing the connection stops the server generating).

        With ``first_token_s`` the prompt may take that long to be read (a CPU server reads a 3,000-token prompt
        for minutes), and ``deadline_s`` counts from the first token of the answer; ``hard_s`` bounds the whole
        call regardless (the section's deadline)."""
        if self.cancelled.is_set():
            raise Cancelled("起草已被中断")
        start = time.perf_counter()
        stream = self.client.chat.completions.create(**params, stream=True)
        with self._lock:
            self._open.add(stream)
        result = StreamResult()
        parts: list[str] = []
        size = 0
        limits = _Limits(start, deadline_s, first_token_s, hard_s, max_tokens if first_token_s is not None else None)
        try:
            for chunk in stream:
                limits.check(self)
                result.chunks += 1
                result.model = chunk.model or result.model
                if chunk.usage is not None:
                    result.prompt_tokens = chunk.usage.prompt_tokens
                    result.completion_tokens = chunk.usage.completion_tokens
                for choice in chunk.choices:
                    if choice.delta is not None and choice.delta.content:
                        limits.answering()
                        parts.append(choice.delta.content)
                        size += len(choice.delta.content)
                        if guard is not None and result.loop is None:
                            result.loop = guard.feed(choice.delta.content)
                    if choice.finish_reason:
                        result.finish_reason = choice.finish_reason
                if max_chars is not None and size > max_chars:
                    result.finish_reason = "too_long"
                    break
                if result.loop is not None:
                    result.finish_reason = "loop"
                    break
        except Exception:
            # A stream closed by cancel() fails in whatever way the transport reports; name the real cause.
            limits.check(self)
            raise
        finally:
            with self._lock:
                self._open.discard(stream)
            stream.close()
            result.latency_s = round(time.perf_counter() - start, 3)
            result.text = "".join(parts)
        return result



@dataclass
class _Limits:
    start: float
    deadline_s: float
    first_token_s: float | None = None
    hard_s: float | None = None
    max_tokens: int | None = None
    first_at: float | None = None
    pieces: int = 0

    def answering(self) -> None:
        self.pieces += 1
        if self.first_at is None:
            self.first_at = time.perf_counter()

    def answer_limit(self, now: float) -> float:
        """The answer's deadline: the configured speed's, or — when the server streams steadily but slower than
        configured — what its observed speed needs to reach ``max_tokens`` (at most 4x): a slow server finishing
        a bounded answer is no runaway (loops are stopped by the guard, length by ``max_tokens``)."""
        if self.max_tokens is None or self.first_at is None or self.pieces < OBSERVED_PIECES:
            return self.deadline_s
        rate = self.pieces / max(now - self.first_at, 1e-6)  # a streamed piece is about one token
        return min(max(self.deadline_s, 30.0 + 1.1 * self.max_tokens / rate), 4 * self.deadline_s)

    def check(self, streamer: Streamer) -> None:
        if streamer.cancelled.is_set():
            raise Cancelled("起草已被中断")
        now = time.perf_counter()
        if self.hard_s is not None and now - self.start > self.hard_s:
            raise DeadlineExceeded(f"章节的起草时间已用完（本次调用 {now - self.start:.0f} 秒），已关闭连接")
        if self.first_token_s is None:
            if now - self.start > self.deadline_s:
                raise DeadlineExceeded(f"模型调用超过 {self.deadline_s:.0f} 秒仍未结束，已关闭连接")
        elif self.first_at is None:
            if now - self.start > self.first_token_s:
                raise DeadlineExceeded(f"模型 {self.first_token_s:.0f} 秒内没有开始回答（读提示词过慢），已关闭连接")
        elif now - self.first_at > (limit := self.answer_limit(now)):
            raise DeadlineExceeded(f"模型开始回答后 {limit:.0f} 秒仍未结束，已关闭连接")
