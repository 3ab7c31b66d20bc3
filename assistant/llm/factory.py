"""The chat-model factory: every knob from settings, so any OpenAI-compatible endpoint works by configuration."""

from __future__ import annotations

from langchain_openai import ChatOpenAI

from assistant.errors import ConfigError
from assistant.settings import Settings

__all__ = ["estimate_cost", "make_chat_model"]


def make_chat_model(settings: Settings, *, max_tokens: int | None = None,
                    deadline_s: float | None = None) -> ChatOpenAI:
    """ChatOpenAI for DeepSeek/Qwen/vLLM/Ollama/OpenAI alike (used by the ingest helpers; drafting streams through
    the SDK in ``engine``). The SDK's own retries are off so that every attempt is logged.

    The bound is sent under the name the endpoint reads: langchain sends ``max_completion_tokens``, which
    llama-cpp-python and older vLLM/llama.cpp ignore (an unbounded answer), so local endpoints get ``max_tokens``
    unless they refused it (``llm.capabilities``). A helper's answer is not streamed: the read timeout is the
    whole call's deadline (``deadline_s``)."""
    if settings.openai_api_key is None:
        raise ConfigError("openai 引擎需要 API key（环境变量 RA_OPENAI_API_KEY 或配置文件 openai_api_key）")
    from assistant.llm.capabilities import capabilities

    endpoint = f"{settings.openai_base_url or 'https://api.openai.com/v1'}|{settings.model}"
    plain = settings.openai_base_url is not None and \
        capabilities(settings.capability_cache_path).token_param(endpoint) == "max_tokens"
    return ChatOpenAI(
        model=settings.model,
        temperature=settings.temperature,
        base_url=settings.openai_base_url,
        api_key=settings.openai_api_key,
        timeout=deadline_s or settings.request_timeout_s,
        max_retries=0,
        max_completion_tokens=None if plain else max_tokens,
        extra_body={"max_tokens": max_tokens} if plain and max_tokens else None,
    )


def estimate_cost(settings: Settings, prompt_tokens: int, completion_tokens: int) -> float:
    return round(prompt_tokens / 1000 * settings.price_prompt_per_1k
                 + completion_tokens / 1000 * settings.price_completion_per_1k, 8)
