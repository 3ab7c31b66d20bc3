"""Language of an item (lingua, whose models ship inside its wheel: nothing downloads) and the foreign-item flag.

Han characters decide Chinese before any model runs: a Chinese story full of English product names ("Meta 发布
Llama 3.1 405B") is Chinese, which a character-statistics model alone gets wrong. Lingua separates the rest.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Protocol

__all__ = ["FOREIGN_FLAG", "LANGUAGE_NAMES", "REPORT_LANGUAGE", "Translation", "Translator", "detect_language",
           "foreign_mark"]

REPORT_LANGUAGE = "zh"
FOREIGN_FLAG = "foreign_language"
LANGUAGE_NAMES = {"en": "英文", "ja": "日文", "ko": "韩文", "fr": "法文", "de": "德文", "es": "西班牙文",
                  "ru": "俄文", "it": "意大利文", "pt": "葡萄牙文", "zh": "中文"}

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_LETTER = re.compile(r"[^\W\d_]")
_SAMPLE_CHARS = 600


class Translation(Protocol):
    @property
    def title(self) -> str: ...

    @property
    def summary(self) -> str: ...


class Translator(Protocol):
    """Title and summary in the report's language for a foreign item, or None when the model gave nothing usable."""

    def __call__(self, title: str, body: str, language: str) -> Translation | None: ...


@lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    languages = [Language.ENGLISH, Language.FRENCH, Language.GERMAN, Language.SPANISH, Language.RUSSIAN,
                 Language.ITALIAN, Language.PORTUGUESE, Language.JAPANESE, Language.KOREAN, Language.CHINESE]
    return LanguageDetectorBuilder.from_languages(*languages).with_minimum_relative_distance(0.1).build()


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language (``zh``, ``en``, …), ``und`` when it cannot be told."""
    sample = text[:_SAMPLE_CHARS]
    letters = len(_LETTER.findall(sample))
    if letters == 0:
        return "und"
    if len(_KANA.findall(sample)) >= max(3, letters * 0.05):
        return "ja"
    if len(_HANGUL.findall(sample)) >= max(3, letters * 0.1):
        return "ko"
    if len(_HAN.findall(sample)) >= letters * 0.2:
        return "zh"
    found = _detector().detect_language_of(sample)
    return found.iso_code_639_1.name.lower() if found is not None else "und"


def foreign_mark(text: str, report_language: str = REPORT_LANGUAGE) -> str:
    """``（英文）`` when the text is in another language than the report's, else ""."""
    language = detect_language(text)
    if language in {report_language, "und"}:
        return ""
    return f"（{LANGUAGE_NAMES.get(language, '外文')}）"
