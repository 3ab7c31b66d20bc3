"""Title and summary, in the report's language, of corpus items written in another language (ingest time).

The model's answer must be a JSON object with a Chinese title and summary; anything else (an error, chatter, an
answer without Chinese) leaves the item untranslated and flagged. Every call is logged like a drafting call.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

import openai
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage

from assistant.corpus.clean import FieldRefused, clean_line
from assistant.corpus.language import LANGUAGE_NAMES, Translator
from assistant.engine.output import strip_think
from assistant.llm.calllog import CallLog, CallRecord
from assistant.llm.factory import estimate_cost, make_chat_model
from assistant.prompts import load_prompt
from assistant.settings import Settings

__all__ = ["PROMPT", "ItemTranslation", "make_llm_translator", "parse_translation", "translator_for"]

PROMPT = "corpus/translate.v1.md"
BODY_CHARS = 3000
_HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class ItemTranslation:
    title: str
    summary: str


def parse_translation(answer: str) -> ItemTranslation | None:
    """The model's {"title", "summary"} as plain text, or None when it is not that (or not Chinese)."""
    text = strip_think(answer)
    start, end = text.find("{"), text.rfind("}")
    if start == -1 or end <= start:
        return None
    try:
        data = json.loads(text[start:end + 1])
    except (json.JSONDecodeError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    warnings: list[str] = []
    try:
        title = clean_line(str(data.get("title") or ""), "title", warnings)
        summary = clean_line(str(data.get("summary") or ""), "summary", warnings)[:400]
    except FieldRefused:
        return None
    if not title or not summary or not _HAN.search(title + summary):
        return None
    return ItemTranslation(title=title, summary=summary)


def make_llm_translator(settings: Settings, log: CallLog, *, model: BaseChatModel | None = None) -> Translator:
    chat = model if model is not None else make_chat_model(settings)
    prompt = load_prompt(PROMPT)

    def translate(title: str, body: str, language: str) -> ItemTranslation | None:
        text = prompt.render({"language": LANGUAGE_NAMES.get(language, "外文"), "title": title,
                              "body": body[:BODY_CHARS]})
        record = CallRecord(section="ingest:translate", model=settings.model,
                            prompt=[{"role": "user", "content": text}])
        start = time.perf_counter()
        try:
            reply = chat.invoke([HumanMessage(content=text)])
        except (openai.OpenAIError, TimeoutError, ConnectionError) as exc:
            record.error = f"{type(exc).__name__}: {exc}"
            return None
        else:
            record.completion = str(reply.content)
            usage = getattr(reply, "usage_metadata", None) or {}
            record.prompt_tokens = int(usage.get("input_tokens", 0))
            record.completion_tokens = int(usage.get("output_tokens", 0))
            record.cost_usd = estimate_cost(settings, record.prompt_tokens, record.completion_tokens)
            return parse_translation(record.completion)
        finally:
            record.latency_s = round(time.perf_counter() - start, 3)
            log.write(record)

    return translate


def translator_for(settings: Settings, log_path: Path) -> Translator | None:
    """The model translator when the openai engine is in use (a key is configured), else None (flag only)."""
    if settings.resolved_engine != "openai":
        return None
    return make_llm_translator(settings, CallLog(log_path))
