"""Cleaning a model's raw text before any parsing (shared by drafting and the model path).

``extract_json`` only locates and decodes the JSON object in an answer; its shape is the caller's business
(the pydantic models of ``engine.answers``, read by ``llm.structured`` and ``drafting``). Each caller words its own error from ``JsonOutputError``
because the two paths feed different readers: the model on a retry, or the editor in a finding.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

__all__ = ["JsonOutputError", "JsonProblem", "extract_json", "strip_think"]

_THINK = re.compile(r"<think>.*?(?:</think>|\Z)", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.MULTILINE)

JsonProblem = Literal["missing", "syntax"]


class JsonOutputError(ValueError):
    """No JSON object could be read from the answer. ``problem`` says why; for ``syntax``, ``msg``/``pos`` are
    the decoder's own (position counted in the located object)."""

    def __init__(self, problem: JsonProblem, msg: str = "", pos: int = 0) -> None:
        super().__init__(f"{problem}: {msg} at {pos}" if problem == "syntax" else problem)
        self.problem: JsonProblem = problem
        self.msg = msg
        self.pos = pos


def strip_think(text: str) -> str:
    """Remove reasoning blocks (an unclosed ``<think>`` swallows the rest: it never reached an answer)."""
    return _THINK.sub("", text).strip()


def extract_json(text: str) -> dict[str, Any]:
    """The JSON object in a model's answer: code fences dropped, then the outermost ``{...}`` decoded.

    Models wrap the object in prose or fences often enough that insisting on a bare object would fail good
    answers; anything after locating the braces is strict JSON.
    """
    body = _FENCE.sub("", text).strip()
    start, end = body.find("{"), body.rfind("}")
    if start == -1 or end <= start:
        raise JsonOutputError("missing")
    try:
        data = json.loads(body[start:end + 1])
    except json.JSONDecodeError as exc:
        raise JsonOutputError("syntax", exc.msg, exc.pos) from exc
    if not isinstance(data, dict):  # unreachable: the decoded text starts with "{" and json allows no trailer
        raise JsonOutputError("syntax", "Expecting an object", 0)
    return data
