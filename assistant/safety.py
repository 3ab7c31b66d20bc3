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
    "strip_control",
]

COMPLIANCE_DIR = PROJECT_DIR / "prompts" / "compliance"
INSTRUCTION_PATTERNS_FILE = COMPLIANCE_DIR / "instruction_patterns.txt"
WORDING_FILE = COMPLIANCE_DIR / "wording.yaml"
CONFUSABLES_FILE = COMPLIANCE_DIR / "confusables.txt"

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Spaces (and other whitespace) between two CJK characters carry no meaning in Chinese: "保 证 收 益".
_CJK_GAP = re.compile(f"(?<=[{_CJK}])\\s+(?=[{_CJK}])")
_SPACES = re.compile(r"\s+")
# What PostgreSQL text (NUL), XML 1.0 / python-docx (C0 but tab/newline, U+FFFE/FFFF) or UTF-8 (lone surrogates)
# refuse, plus the C1 block: a vertical tab pasted from Word is the usual one.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


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
    CJK characters removed and other runs of whitespace collapsed to one space.
    """
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = text.translate(_confusables())
    text = str(_converter().convert(text))  # type: ignore[attr-defined]
    text = _CJK_GAP.sub("", text)
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
