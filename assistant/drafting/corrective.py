"""One corrective retry for an answer that fails the answer check (model engines only).

A small model's "无", an echoed schema or a literal ``[n]`` is often fixed by telling it once what was wrong: the
failed answer goes back as the assistant's turn, followed by ``prompts/sections/answer_retry.v1.md`` naming the
check's reasons. The better of the two answers is kept; both calls are in ``calls.jsonl`` (the engine logs each).
"""

from __future__ import annotations

from dataclasses import replace

from assistant.engine.output import strip_think
from assistant.engine.request import Generation, GenerationRequest
from assistant.models import Finding
from assistant.prompts import load_prompt

__all__ = ["RETRY_PROMPT", "combined", "retry_findings", "retry_reason", "retry_request"]

RETRY_PROMPT = "sections/answer_retry.v1.md"
MAX_REASONS = 3


def retry_reason(findings: list[Finding]) -> str:
    """What the check found, as the model is told it (the failing rules' own wording)."""
    return "；".join(f.detail for f in findings[:MAX_REASONS])


def retry_request(request: GenerationRequest, answer: str, findings: list[Finding]) -> GenerationRequest:
    """The same request with the failed answer and the corrective message appended."""
    message = load_prompt(RETRY_PROMPT).render({"reason": retry_reason(findings)})
    return replace(request, messages=[*request.messages, ("assistant", strip_think(answer)), ("user", message)],
                   answer_retry=request.answer_retry + 1)


def combined(kept: Generation, first: Generation, second: Generation) -> Generation:
    """``kept`` (one of the two) with the tokens, cost, time and attempts of both calls: both were paid for."""
    return replace(kept, prompt_tokens=first.prompt_tokens + second.prompt_tokens,
                   completion_tokens=first.completion_tokens + second.completion_tokens,
                   cost_usd=round(first.cost_usd + second.cost_usd, 6),
                   latency_s=round(first.latency_s + second.latency_s, 3), attempts=first.attempts + second.attempts,
                   parameters={**kept.parameters, "answer_retries": 1})


def retry_findings(section: str, findings: list[Finding], *, kept_retry: bool) -> Finding:
    """The note an editor sees: the first answer failed the check, and which answer was kept."""
    outcome = "采用了重答的结果" if kept_retry else "重答仍未通过，保留问题较少的回答"
    return Finding(section=section, kind="answer_check_retried", severity="info",
                   detail=f"模型第一次的回答未通过答案检查（{retry_reason(findings)}），已指出问题请模型重答一次，{outcome}")
