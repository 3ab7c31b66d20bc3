"""Structured output for JSON sections: the schema sent to the server, the check of the answer against the
section's model (``engine.answers``, shared with drafting) and what each endpoint turned out to support.

Modes, best first: ``json_schema`` (the server constrains decoding to the schema), ``json_object`` (valid JSON,
shape from the prompt), ``prompt`` (plain text; the prompt alone asks for JSON). A 400 naming ``response_format``
(or any 400/422 on the first structured call) steps the endpoint down one mode, remembered for the process.
"""

from __future__ import annotations

import threading
from typing import Any, Literal

from pydantic import ValidationError

from assistant.engine.answers import answer_model
from assistant.engine.output import JsonOutputError, extract_json
from assistant.engine.spec import SectionSpec

__all__ = ["Capabilities", "InvalidStructure", "Mode", "capabilities", "response_format", "validate_answer"]

Mode = Literal["json_schema", "json_object", "prompt"]
MODES: tuple[Mode, ...] = ("json_schema", "json_object", "prompt")


class InvalidStructure(ValueError):
    """The answer is not JSON of the section's shape; ``detail`` is fed back to the model on the retry."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def response_format(spec: SectionSpec, mode: Mode) -> dict[str, Any] | None:
    model = answer_model(spec)
    if model is None or mode == "prompt":
        return None
    if mode == "json_object":
        return {"type": "json_object"}
    return {"type": "json_schema", "json_schema": {"name": f"{spec.id}_answer", "schema": model.model_json_schema()}}


def _answer_json(text: str) -> dict[str, Any]:
    try:
        return extract_json(text)
    except JsonOutputError as exc:
        if exc.problem == "missing":
            raise InvalidStructure("输出中没有 JSON 对象") from exc
        raise InvalidStructure(f"JSON 无法解析：{exc.msg}（第 {exc.pos} 个字符）") from exc


def validate_answer(spec: SectionSpec, text: str) -> str:
    """The answer re-serialised after validation (numeric-string sources become numbers), or InvalidStructure."""
    model = answer_model(spec)
    if model is None:
        return text
    data = _answer_json(text)
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        problems = "；".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
        raise InvalidStructure(f"JSON 不符合格式：{problems}") from exc
    return parsed.model_dump_json()


class Capabilities:
    """Per endpoint (base URL + model): the structured-output mode that works, and whether usage can be streamed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._mode: dict[str, Mode] = {}
        self._no_stream_usage: set[str] = set()

    def mode(self, endpoint: str, preferred: str) -> Mode:
        with self._lock:
            if preferred != "auto":
                return preferred  # type: ignore[return-value]
            return self._mode.get(endpoint, "json_schema")

    def step_down(self, endpoint: str, failed: Mode) -> Mode | None:
        with self._lock:
            index = MODES.index(failed)
            if index + 1 >= len(MODES):
                return None
            self._mode[endpoint] = MODES[index + 1]
            return MODES[index + 1]

    def stream_usage(self, endpoint: str) -> bool:
        with self._lock:
            return endpoint not in self._no_stream_usage

    def without_stream_usage(self, endpoint: str) -> None:
        with self._lock:
            self._no_stream_usage.add(endpoint)


_CAPABILITIES = Capabilities()


def capabilities() -> Capabilities:
    return _CAPABILITIES
