"""Token and time budgets for one model call, sized for slow local servers as well as fast APIs.

A section's ``budget_tokens`` is what its prompt asks for; ``max_tokens`` adds headroom (Chinese text and JSON
keys cost more tokens than writers expect) so a well-behaved answer is never cut, while a runaway one stops long
before it fills the context; an answer about a few sources is bounded by what it can say about them. A retry
after a cut never asks for more. Deadlines follow from ``max_tokens`` and a conservative generation speed.
"""

from __future__ import annotations

import re

from assistant.settings import Settings

__all__ = ["KNOWN_CONTEXT_WINDOWS", "answer_deadline_s", "call_deadline_s", "context_window",
           "first_token_deadline_s", "helper_deadline_s", "max_tokens_for", "retry_max_tokens", "section_deadline_s"]

HEADROOM = 1.5
HEADROOM_TOKENS = 256
MIN_MAX_TOKENS = 256
PROMPT_TOKENS_PER_S = 100.0  # prompt processing on a CPU-only local server is ~100-500 tokens/s
DEADLINE_SLACK_S = 30.0

# Context windows of common models (prefix match on the lower-cased model name); the setting wins.
KNOWN_CONTEXT_WINDOWS: tuple[tuple[str, int], ...] = (
    ("gpt-4o", 128_000), ("gpt-4.1", 1_000_000), ("gpt-4-turbo", 128_000), ("gpt-3.5", 16_385),
    ("o1", 200_000), ("o3", 200_000), ("o4", 200_000), ("deepseek", 64_000), ("qwen2.5", 32_768),
    ("qwen3", 32_768), ("qwen", 8_192), ("glm-4", 128_000), ("moonshot-v1-8k", 8_192),
    ("moonshot-v1-32k", 32_768), ("moonshot-v1-128k", 128_000), ("llama3", 8_192), ("llama-3", 8_192),
    ("mistral", 32_768), ("gemma", 8_192), ("phi", 4_096),
)
# Unknown model behind an unknown server: assume Ollama's historical default rather than an API's generous one.
DEFAULT_CONTEXT_WINDOW = 4_096
OLLAMA_PORT = ":11434"
OLLAMA_DEFAULT_CONTEXT = 4_096


def context_window(settings: Settings, *, told: int | None = None) -> int:
    """What the server ``told`` (``llm.server``), else the configured ``context_window``, else the known default for
    the model name, else a small safe value."""
    if told:
        return told
    if settings.context_window:
        return settings.context_window
    if OLLAMA_PORT in (settings.openai_base_url or ""):
        # Ollama serves every model with its own num_ctx (default 4096) and silently truncates beyond it,
        # whatever the model could do: the model's nominal context would be a lie here.
        return OLLAMA_DEFAULT_CONTEXT
    name = re.sub(r"^.*/", "", settings.model.lower())
    for prefix, size in KNOWN_CONTEXT_WINDOWS:
        if name.startswith(prefix):
            return size
    return DEFAULT_CONTEXT_WINDOW


# What one source can usefully take in an answer (a digest row, a write-up topic of two to four paragraphs).
TOKENS_PER_SOURCE = 600
ANSWER_FRAME_TOKENS = 300


def max_tokens_for(budget_tokens: int, sources: int | None = None) -> int:
    """The section's budget with headroom, never more than ``sources`` can fill (None: not bounded by sources)."""
    bound = max(MIN_MAX_TOKENS, int(budget_tokens * HEADROOM) + HEADROOM_TOKENS)
    if sources:
        bound = min(bound, max(MIN_MAX_TOKENS, ANSWER_FRAME_TOKENS + TOKENS_PER_SOURCE * sources))
    return bound


def retry_max_tokens(previous: int, *, loop: bool = False) -> int:
    """The bound of the one retry after a cut: never more than before. A length cut keeps the bound and the
    prompt asks for a shorter answer; a loop gets two thirds of it (a looping model fills whatever it is given)."""
    return max(MIN_MAX_TOKENS, previous * 2 // 3) if loop else previous


def call_deadline_s(settings: Settings, max_tokens: int, prompt_tokens: int) -> float:
    """Wall-clock limit of one call: generating ``max_tokens`` at ``tokens_per_s`` plus prompt processing."""
    if settings.call_deadline_s:
        return settings.call_deadline_s
    return DEADLINE_SLACK_S + prompt_tokens / PROMPT_TOKENS_PER_S + max_tokens / max(settings.tokens_per_s, 0.1)


# A CPU server loaded by other work reads prompts slowly (5 tokens/s measured with llama-cpp-python at one thread on
# 2 shared cores): the wait for the first token is bounded separately and generously, the answer by tokens_per_s.
MIN_PROMPT_TOKENS_PER_S = 2.0


def first_token_deadline_s(prompt_tokens: int) -> float:
    """How long the server may read the prompt before the answer's first token."""
    return DEADLINE_SLACK_S + prompt_tokens / MIN_PROMPT_TOKENS_PER_S


def answer_deadline_s(settings: Settings, max_tokens: int) -> float:
    """How long the answer may stream after its first token."""
    return DEADLINE_SLACK_S + max_tokens / max(settings.tokens_per_s, 0.1)


def helper_deadline_s(settings: Settings, max_tokens: int, prompt_tokens: int) -> float:
    """A non-streamed helper call (classifier, translator): reading the prompt and the answer, in one bound."""
    if settings.call_deadline_s:
        return settings.call_deadline_s
    return first_token_deadline_s(prompt_tokens) + answer_deadline_s(settings, max_tokens)


def section_deadline_s(settings: Settings, budget_tokens: int, prompt_tokens: int = 4_000) -> float:
    """Every attempt a section may make (retries, one retry after a cut, one repair) in sequence; the engine
    bounds all of a section's calls together by it."""
    first = call_deadline_s(settings, max_tokens_for(budget_tokens), prompt_tokens)
    return first * (max(settings.max_retries, 0) + 3)
