"""Structured output for JSON sections: the schema sent to the server, the check of the answer against the
section's model (``engine.answers``, shared with drafting) and what each endpoint turned out to support.

Modes, best first: ``json_schema`` (the server constrains decoding to the schema), ``json_object`` (valid JSON,
shape from the prompt), ``prompt`` (plain text; the prompt alone asks for JSON). A refusal naming
``response_format`` steps the endpoint down one mode (``llm.capabilities``), remembered in the run and across runs.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from assistant.engine.answer import echo_fragments, entry_problems
from assistant.engine.answers import AdviceAnswer, CoreViewsAnswer, answer_model
from assistant.engine.output import JsonOutputError, extract_json
from assistant.engine.request import GenerationRequest
from assistant.engine.spec import SectionSpec
from assistant.llm.capabilities import MODES, Capabilities, Mode, capabilities

__all__ = ["MODES", "Capabilities", "InvalidStructure", "Mode", "capabilities", "response_format", "validate_answer"]



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


def validate_answer(spec: SectionSpec, text: str, request: GenerationRequest | None = None) -> str:
    """The answer re-serialised after validation (numeric-string sources become numbers), or InvalidStructure.
    With the ``request``, core views and advice must also give each thesis/direction an entry of its own."""
    model = answer_model(spec)
    if model is None:
        return text
    data = _answer_json(text)
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        problems = "；".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
        raise InvalidStructure(f"JSON 不符合格式：{problems}") from exc
    if request is not None and (wrong := _entry_problems(parsed, request)):
        raise InvalidStructure("内容不合格：" + "；".join(wrong[:4]))
    return parsed.model_dump_json()


def _entry_problems(parsed: BaseModel, request: GenerationRequest) -> list[str]:
    copied = sorted(echo_fragments([t for role, t in request.messages if role != "assistant"]))
    if isinstance(parsed, CoreViewsAnswer) and request.theses:
        stocks = [s for t in request.theses for s in t.stocks]
        briefs = [(t.headline, () if t.market else t.sources, [*copied, *stocks]) for t in request.theses]
        return entry_problems([e.facts for e in parsed.theses], briefs, "观点")
    if isinstance(parsed, AdviceAnswer) and request.advice:
        stocks = [s for a in request.advice for s in a.stocks]
        briefs = [(a.theme, a.sources, [*copied, *stocks]) for a in request.advice]
        return entry_problems([e.catalysts for e in parsed.advice], briefs, "投资方向")
    return []
