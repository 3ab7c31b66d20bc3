"""Title and summary, in the report's language, of corpus items written in another language (ingest time).

The model's answer must be a JSON object with a Chinese title and summary; anything else (an error, chatter, an
answer without Chinese) leaves the item untranslated and flagged. Every call is logged like a drafting call.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from langchain_core.language_models import BaseChatModel

from assistant.corpus.clean import FieldRefused, clean_line
from assistant.corpus.language import LANGUAGE_NAMES, Translator
from assistant.engine.output import strip_think
from assistant.llm.budget import helper_deadline_s
from assistant.llm.calllog import CallLog
from assistant.llm.factory import make_chat_model
from assistant.llm.oneshot import ask_logged
from assistant.prompts import load_prompt
from assistant.settings import Settings

__all__ = ["PROMPT", "ItemTranslation", "make_llm_translator", "parse_translation", "translator_for"]

PROMPT = "corpus/translate.v1.md"
BODY_CHARS = 3000
MAX_TOKENS = 700  # a title and a summary of at most 400 characters, as JSON
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
    # bounded and with a deadline like every helper call (a non-streamed answer: the read timeout is the deadline)
    chat = model if model is not None else make_chat_model(
        settings, max_tokens=MAX_TOKENS, deadline_s=helper_deadline_s(settings, MAX_TOKENS, BODY_CHARS // 2 + 300))
    prompt = load_prompt(PROMPT)

    def translate(title: str, body: str, language: str) -> ItemTranslation | None:
        text = prompt.render({"language": LANGUAGE_NAMES.get(language, "外文"), "title": title,
                              "body": body[:BODY_CHARS]})
        answer = ask_logged(chat, text, section="ingest:translate", settings=settings, log=log,
                            max_tokens=MAX_TOKENS)
        return None if answer is None else parse_translation(answer)

    return translate


def translator_for(settings: Settings, log_path: Path) -> Translator | None:
    """The model translator when the openai engine is in use (a key is configured), else None (flag only)."""
    if settings.resolved_engine != "openai":
        return None
    return make_llm_translator(settings, CallLog(log_path))
