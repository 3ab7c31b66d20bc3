"""The two safety lists every stage shares: text that reads as instructions to a model, and forbidden wording.

Both live in ``prompts/compliance/`` as files a compliance officer edits; ingestion, drafting and the compliance
checks read the same files, so what drafting filters out is exactly what the checks would block.

Every match runs on :func:`normalise_for_matching` of the text, never on the raw text: ``稳\u200b赚``, ``穩賺``,
``保 证 收 益``, full-width or Cyrillic look-alike letters all reduce to the form the lists are written in.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

from assistant import PROJECT_DIR
from assistant.errors import ConfigError

__all__ = [
    "CONFUSABLES_FILE",
    "INSTRUCTION_PATTERNS_FILE",
    "WORDING_FILE",
    "ForbiddenRule",
    "find_forbidden",
    "forbidden_rules",
    "instruction_like",
    "instruction_patterns",
    "load_forbidden_rules",
    "load_instruction_patterns",
    "normalise_for_matching",
    "one_line",
    "spaced_pattern",
    "strip_control",
    "strip_format",
    "visible_controls",
]

COMPLIANCE_DIR = PROJECT_DIR / "prompts" / "compliance"
INSTRUCTION_PATTERNS_FILE = COMPLIANCE_DIR / "instruction_patterns.txt"
WORDING_FILE = COMPLIANCE_DIR / "wording.yaml"
CONFUSABLES_FILE = COMPLIANCE_DIR / "confusables.txt"

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Spaces (and other whitespace) between two CJK characters carry no meaning in Chinese: "保 证 收 益".
_CJK_GAP = re.compile(f"(?<=[{_CJK}])\\s+(?=[{_CJK}])")
# Separators put between Chinese characters to break a phrase up for a matcher (稳-赚-不-赔, 保.证/收*益).
_CJK_SEPARATED = re.compile(f"(?<=[{_CJK}])[\\s\\-_.·•*|/\\\\~+=^'\"`]+(?=[{_CJK}])")
_SPACES = re.compile(r"\s+")
# What PostgreSQL text (NUL), XML 1.0 / python-docx (C0 but tab/newline, U+FFFE/FFFF) or UTF-8 (lone surrogates)
# refuse, plus the C1 block: a vertical tab pasted from Word is the usual one.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


# Unicode format characters (category Cf): bidi overrides and isolates (U+202A-202E, U+2066-2069) reorder what a
# reader sees ("荐推烈强" shows as 强烈推荐), zero-width ones hide words from matching. None belongs in a report.
_FORMAT = re.compile("[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u08e2\u180e\u200b-\u200f\u202a-\u202e"
                     "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
                     "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]")


def strip_format(text: str) -> tuple[str, int]:
    """``text`` without Unicode format characters (Cf: bidi controls, zero-width spaces/joiners, soft hyphens)
    and how many went."""
    cleaned, count = _FORMAT.subn("", text)
    return cleaned, count


_TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]|" + _FORMAT.pattern[:-1].removeprefix("[")
                              .join(("[", "]")))


def visible_controls(text: str) -> str:
    """Text safe to print on a terminal: control characters (ESC starts a terminal escape sequence; CR rewrites
    the line) and format characters (bidi overrides) shown as ``\\x1b``/``\\u202e``; tab and newline kept."""
    return _TERMINAL_UNSAFE.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def strip_control(text: str) -> tuple[str, int]:
    """``text`` without control characters (tab and newline kept; CR/CRLF become newline) and how many went."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    cleaned, count = _CONTROL.subn("", text)
    return cleaned, count


# Everything a reader may take for a line break: CommonMark's CR/LF, and what ``str.splitlines``, editors and
# browsers also break on (VT, FF, the file/group/record separators, NEL, U+2028 LINE and U+2029 PARAGRAPH SEPARATOR).
_LINE_BREAK = re.compile("[ \t]*(?:[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029][ \t]*)+")


def one_line(text: str) -> str:
    """``text`` with every run of line breaks (and the spaces around it) made one space.

    A title, a source, a pack's institution or a section heading is one line wherever it lands: a break inside it
    would let ``标题\n# 伪造标题`` open a heading, a list item or a new table row in report.md.
    """
    return _LINE_BREAK.sub(" ", text)


@lru_cache(maxsize=1)
def _converter() -> object:
    import opencc  # OpenCC's wheel bundles its dictionaries: nothing is downloaded

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _confusables() -> dict[int, str]:
    """Look-alike letters folded to Latin, one ``<char> <latin>`` pair a line in prompts/compliance/."""
    try:
        lines = CONFUSABLES_FILE.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"易混淆字符表 {CONFUSABLES_FILE} 无法读取: {exc}") from exc
    table: dict[int, str] = {}
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        parts = text.split()
        if len(parts) != 2 or len(parts[0]) != 1:
            raise ConfigError(f"易混淆字符表 {CONFUSABLES_FILE} 第 {number} 行应为“字符 拉丁字母”: {line!r}")
        table[ord(parts[0])] = parts[1]
    return table


def normalise_for_matching(text: str) -> str:
    """The one form every safety list is matched against.

    NFKC (full-width letters and digits to ASCII, compatibility ideographs to the unified ones); Unicode format
    characters removed (zero-width spaces and joiners, bidi overrides, soft hyphens); look-alike Cyrillic and
    Greek letters folded to Latin; traditional characters mapped to simplified with OpenCC; whitespace between
    CJK characters removed (and the separators people put there: 稳-赚-不-赔) and other runs of whitespace
    collapsed to one space. Spaced-out or leetspeak English is matched by ``spaced:`` patterns instead.
    """
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = text.translate(_confusables())
    text = str(_converter().convert(text))  # type: ignore[attr-defined]
    text = _CJK_SEPARATED.sub("", text)
    return _SPACES.sub(" ", text).strip()


class ForbiddenRule(BaseModel):
    """A forbidden phrase; ``except`` lists longer expressions that contain it but are acceptable (无风险利率)."""

    phrase: str
    except_: list[str] = Field(default_factory=list, alias="except")

    def hits(self, text: str) -> int:
        """Occurrences of the phrase not inside an allowed longer expression (无风险 inside 无风险利率).

        Counted on the normalised text, with the phrase and its exceptions normalised the same way.
        """
        return self.hits_in_plain(normalise_for_matching(text))

    def hits_in_plain(self, text: str) -> int:
        """``hits`` on text already normalised (one normalisation of a sentence serves every rule)."""
        phrase = _normal_phrase(self.phrase)
        allowed = [_normal_phrase(a) for a in self.except_]
        spans = [(m.start(), m.end()) for a in allowed for m in re.finditer(re.escape(a), text, re.IGNORECASE)]
        return sum(
            not any(s <= m.start() and m.end() <= e for s, e in spans)
            for m in re.finditer(re.escape(phrase), text, re.IGNORECASE)
        )


@lru_cache(maxsize=4096)
def _normal_phrase(phrase: str) -> str:
    return normalise_for_matching(phrase)


# Digits and signs written for letters ("1gn0re prev10us"), and what may separate the letters of a spaced-out word.
_LEET = {"a": "a4@", "b": "b8", "e": "e3", "g": "g9", "i": "i1!|l", "l": "l1|i", "o": "o0", "s": "s5$", "t": "t7+",
         "z": "z2"}
_LETTER_GAP = r"[\s\-_.·•*|/\\~+=^'\"`,:]{0,3}"
_WORD_GAP = r"[\W_]{0,6}"
SPACED_PREFIX = "spaced:"


def spaced_pattern(phrase: str) -> str:
    """A regex for ``phrase`` (words separated by spaces) that also matches it spaced out letter by letter, with
    separators (``i-g-n-o-r-e``), without spaces (``ignoreprevious``) or in leetspeak (``1gn0re prev10us``)."""
    words = []
    for word in phrase.lower().split():
        letters = [f"[{re.escape(_LEET.get(ch, ch))}]" if ch.isalpha() else re.escape(ch) for ch in word]
        words.append(_LETTER_GAP.join(letters))
    return r"(?<![a-z])" + _WORD_GAP.join(words) + r"(?![a-z])"


def load_instruction_patterns(path: Path = INSTRUCTION_PATTERNS_FILE) -> tuple[re.Pattern[str], ...]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"指令模式文件 {path} 无法读取: {exc}") from exc
    patterns = []
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if text.startswith(SPACED_PREFIX):  # a plain phrase, matched however it is spaced or spelt
            text = spaced_pattern(text[len(SPACED_PREFIX):])
        try:
            patterns.append(re.compile(text, re.IGNORECASE))
        except re.error as exc:
            raise ConfigError(f"指令模式文件 {path} 第 {number} 行不是有效正则: {exc}") from exc
    return tuple(patterns)


def load_forbidden_rules(path: Path = WORDING_FILE) -> tuple[ForbiddenRule, ...]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return tuple(ForbiddenRule.model_validate(r) for r in data.get("forbidden") or [])
    except (OSError, yaml.YAMLError, ValidationError, AttributeError) as exc:
        raise ConfigError(f"措辞规则文件 {path} 无法读取: {exc}") from exc


@lru_cache(maxsize=1)
def instruction_patterns() -> tuple[re.Pattern[str], ...]:
    return load_instruction_patterns()


@lru_cache(maxsize=1)
def forbidden_rules() -> tuple[ForbiddenRule, ...]:
    return load_forbidden_rules()


def instruction_like(text: str, patterns: tuple[re.Pattern[str], ...] | None = None) -> bool:
    """True when the text addresses a model (忽略之前的所有指令, ignore previous instructions, …), obfuscated or not."""
    plain = normalise_for_matching(text)
    return any(p.search(plain) for p in (instruction_patterns() if patterns is None else patterns))


def find_forbidden(text: str, rules: tuple[ForbiddenRule, ...] | None = None) -> str | None:
    """The first forbidden phrase the text contains (outside its allowed longer expressions), else None."""
    plain = normalise_for_matching(text)
    for rule in forbidden_rules() if rules is None else rules:
        if rule.hits_in_plain(plain):
            return rule.phrase
    return None
