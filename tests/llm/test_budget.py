"""Token and time budgets of one model call (pure)."""

from __future__ import annotations

from assistant.llm.budget import (
    call_deadline_s,
    context_window,
    max_tokens_for,
    retry_max_tokens,
    section_deadline_s,
)
from assistant.settings import get_settings


def test_context_window_server_then_setting_then_ollama_then_model_table_then_a_small_default() -> None:
    assert context_window(get_settings(model="qwen2.5-7b-instruct", context_window=8192), told=4096) == 4096
    assert context_window(get_settings(model="qwen2.5-7b-instruct", context_window=8192)) == 8192
    assert context_window(get_settings(model="qwen2.5:0.5b", openai_base_url="http://127.0.0.1:11434/v1")) == 4096
    assert context_window(get_settings(model="Qwen/Qwen2.5-0.5B-Instruct")) == 32768
    assert context_window(get_settings(model="gpt-4o-mini")) == 128_000
    assert context_window(get_settings(model="some-local-gguf")) == 4096


def test_max_tokens_has_headroom_is_bounded_by_the_sources_and_a_retry_never_asks_for_more() -> None:
    assert max_tokens_for(1800) == 2956 and max_tokens_for(10) == 271
    assert max_tokens_for(1800, sources=2) == 1500 and max_tokens_for(1800, sources=20) == 2956
    assert retry_max_tokens(1000) == 1000  # a length cut: the same bound, the prompt asks for less
    assert retry_max_tokens(3000, loop=True) == 2000 and retry_max_tokens(300, loop=True) == 256


def test_deadlines_follow_max_tokens_and_the_configured_speed() -> None:
    slow = get_settings(tokens_per_s=10)
    assert call_deadline_s(slow, 3000, 4000) == 30 + 40 + 300
    assert call_deadline_s(get_settings(call_deadline_s=5), 3000, 4000) == 5
    # a 2,400-token section at 20 tokens/s fits (the 60 s request timeout did not)
    assert section_deadline_s(get_settings(tokens_per_s=20), 2400) > 2 * max_tokens_for(2400) / 20
