"""What an endpoint (base URL + model) refuses, recognised from its error and remembered in the run and across runs.

Servers refuse a parameter they do not support in many ways. Each body below was taken from the server's source or
from an issue quoting it, and is replayed by ``tests/fakes/openai_server.py``:

- llama-cpp-python 0.3.x (FastAPI; measured on 0.3.36 with ``tests``' recipe): HTTP 500, ``{"error": {"message":
  "1 validation error:\\n  {'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), 'msg': \\"Input
  should be 'text' or 'json_object'\\" ...}``, type ``internal_server_error``.
- llama.cpp server before json_schema support (and ik_llama.cpp; ikawrakow/ik_llama.cpp#778): HTTP 500,
  ``{"error": {"code": 500, "message": "response_format type must be one of \\"text\\" or \\"json_object\\", but got:
  json_schema", "type": "server_error"}}``.
- vLLM before json_schema (its ``validation_exception_handler`` returns ``ErrorResponse(message=str(exc),
  type="BadRequestError", code=400)``): HTTP 400 with the pydantic error list naming ``'response_format', 'type'``.
- Ollama (OpenAI layer ``NewError``: 500 -> ``api_error``; runner ``invalid JSON schema in format``, seen in
  datalab-to/marker#984): HTTP 500 ``{"error": {"message": "invalid JSON schema in format", "type": "api_error"}}``.
- LM Studio (lmstudio-ai/lmstudio-bug-tracker#189, #169): HTTP 400 ``{"error": "'response_format.type' must be
  'json_schema'"}`` (newer: ``... must be 'json_schema' or 'text'``) for ``json_object``.
- OpenAI reasoning models: 400 ``Unsupported parameter: 'max_tokens' is not supported with this model. Use
  'max_completion_tokens' instead.``

A refusal is an error whose status is one of ``REFUSAL_STATUSES`` and whose body names a parameter the request
carried: that capability is stepped down at once (no retry is spent repeating the same request). Context-length
errors name no parameter and are left to the caller.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

__all__ = ["MODES", "REFUSAL_STATUSES", "Capabilities", "EndpointCaps", "Mode", "capabilities", "error_text",
           "refused_parameter"]

Mode = Literal["json_schema", "json_object", "prompt"]
MODES: tuple[Mode, ...] = ("json_schema", "json_object", "prompt")
TokenParam = Literal["max_tokens", "max_completion_tokens"]

REFUSAL_STATUSES = frozenset({400, 404, 415, 422, 500, 501})
# What a body says when it refuses each parameter we may send. ``format`` alone (Ollama) counts only for
# response_format, and only when the request carried one.
_NAMES: dict[str, re.Pattern[str]] = {
    "response_format": re.compile(r"response_format|json_schema|json[ _]schema|json_object|grammar|\bformat\b",
                                  re.IGNORECASE),
    "stream_options": re.compile(r"stream_options|include_usage", re.IGNORECASE),
    "max_completion_tokens": re.compile(r"max_completion_tokens", re.IGNORECASE),
    "tools": re.compile(r"\btools?\b|tool_choice", re.IGNORECASE),
}
# Remembered refusals expire: a server upgraded since may support the parameter now.
MAX_AGE = dt.timedelta(days=30)


def error_text(exc: BaseException) -> str:
    """Everything an error says: the SDK's message and the raw body (some servers put the detail only there)."""
    parts = [str(exc)]
    body = getattr(exc, "body", None)
    if body is not None:
        parts.append(body if isinstance(body, str) else json.dumps(body, ensure_ascii=False, default=str))
    return "\n".join(parts)


def refused_parameter(status: int | None, text: str, sent: Iterable[str]) -> str | None:
    """The parameter of ``sent`` that the error refuses, or None (a transient or unrelated error).

    ``max_tokens`` is only ever refused in favour of ``max_completion_tokens`` (OpenAI's reasoning models say so):
    a body merely mentioning max_tokens (a too-large value) is no refusal, and dropping the bound would be worse."""
    if status not in REFUSAL_STATUSES:
        return None
    sent = list(sent)
    for name in sent:
        if name == "max_tokens":
            if _NAMES["max_completion_tokens"].search(text) and re.search(r"max_tokens", text):
                return name
            continue
        pattern = _NAMES.get(name)
        if pattern is not None and pattern.search(text):
            return name
    return None


class EndpointCaps(BaseModel):
    """What one endpoint turned out to support (None: not learnt yet)."""

    response_format: Mode | None = None
    stream_usage: bool | None = None
    token_param: TokenParam | None = None
    context_window: int | None = None
    context_source: str | None = None  # where the context window was read (e.g. "llama.cpp /props")
    served_model: str | None = None
    updated: dt.datetime | None = None


class Capabilities:
    """Per endpoint: in memory for the run, and in a small JSON file beside the store across runs.

    The file is re-read before each write and replaced atomically, so two runs sharing a store lose nothing of
    each other's findings (the last writer of the same endpoint wins)."""

    def __init__(self, path: Path | None = None) -> None:
        self._lock = threading.Lock()
        self.path = path
        self._caps: dict[str, EndpointCaps] = self._read()

    def _read(self) -> dict[str, EndpointCaps]:
        if self.path is None or not self.path.is_file():
            return {}
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return {}  # a damaged cache is only a cache: start again
        out: dict[str, EndpointCaps] = {}
        now = dt.datetime.now(dt.UTC)
        for key, value in (raw if isinstance(raw, dict) else {}).items():
            with contextlib.suppress(ValidationError):
                caps = EndpointCaps.model_validate(value)
                if caps.updated is None or now - caps.updated <= MAX_AGE:
                    out[str(key)] = caps
        return out

    def _write(self) -> None:
        if self.path is None:
            return
        merged = {**self._read(), **self._caps}
        data = {k: v.model_dump(mode="json", exclude_none=True) for k, v in sorted(merged.items())}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".caps-", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, ensure_ascii=False, indent=1)
            os.replace(tmp, self.path)
        except OSError:
            return  # a read-only store: the run still remembers, the next one asks again

    def get(self, endpoint: str) -> EndpointCaps:
        with self._lock:
            return self._caps.get(endpoint, EndpointCaps()).model_copy()

    def update(self, endpoint: str, **changes: Any) -> None:
        with self._lock:
            caps = self._caps.get(endpoint, EndpointCaps())
            self._caps[endpoint] = caps.model_copy(update={**changes, "updated": dt.datetime.now(dt.UTC)})
            self._write()

    # ---------------------------------------------------------------- structured output
    def mode(self, endpoint: str, preferred: str) -> Mode:
        if preferred != "auto":
            return preferred  # type: ignore[return-value]
        return self.get(endpoint).response_format or "json_schema"

    def step_down(self, endpoint: str, failed: Mode) -> Mode | None:
        index = MODES.index(failed)
        if index + 1 >= len(MODES):
            return None
        self.update(endpoint, response_format=MODES[index + 1])
        return MODES[index + 1]

    # ---------------------------------------------------------------- usage in streams, the token bound's name
    def stream_usage(self, endpoint: str) -> bool:
        return self.get(endpoint).stream_usage is not False

    def without_stream_usage(self, endpoint: str) -> None:
        self.update(endpoint, stream_usage=False)

    def token_param(self, endpoint: str) -> TokenParam:
        return self.get(endpoint).token_param or "max_tokens"


_DEFAULT: dict[str, Capabilities] = {}
_DEFAULT_LOCK = threading.Lock()


def capabilities(path: Path | None = None) -> Capabilities:
    """One shared instance per cache file (``None``: in memory only) for the whole process."""
    key = str(path) if path is not None else ""
    with _DEFAULT_LOCK:
        if key not in _DEFAULT:
            _DEFAULT[key] = Capabilities(path)
        return _DEFAULT[key]
