"""The two safety lists every stage shares: text that reads as instructions to a model, and forbidden wording.

Both live in ``prompts/compliance/`` as files a compliance officer edits; ingestion, drafting and the compliance
checks read the same files, so what drafting filters out is exactly what the checks would block.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

from assistant import PROJECT_DIR
from assistant.errors import ConfigError

__all__ = [
    "INSTRUCTION_PATTERNS_FILE",
    "WORDING_FILE",
    "ForbiddenRule",
    "find_forbidden",
    "forbidden_rules",
    "instruction_like",
    "instruction_patterns",
    "load_forbidden_rules",
    "load_instruction_patterns",
]

COMPLIANCE_DIR = PROJECT_DIR / "prompts" / "compliance"
INSTRUCTION_PATTERNS_FILE = COMPLIANCE_DIR / "instruction_patterns.txt"
WORDING_FILE = COMPLIANCE_DIR / "wording.yaml"


class ForbiddenRule(BaseModel):
    """A forbidden phrase; ``except`` lists longer expressions that contain it but are acceptable (无风险利率)."""

    phrase: str
    except_: list[str] = Field(default_factory=list, alias="except")

    def hits(self, text: str) -> int:
        """Occurrences of the phrase not inside an allowed longer expression (无风险 inside 无风险利率)."""
        spans = [(m.start(), m.end()) for a in self.except_ for m in re.finditer(re.escape(a), text, re.IGNORECASE)]
        return sum(
            not any(s <= m.start() and m.end() <= e for s, e in spans)
            for m in re.finditer(re.escape(self.phrase), text, re.IGNORECASE)
        )


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
    """True when the text addresses a model (忽略之前的所有指令, ignore previous instructions, …)."""
    return any(p.search(text) for p in (instruction_patterns() if patterns is None else patterns))


def find_forbidden(text: str, rules: tuple[ForbiddenRule, ...] | None = None) -> str | None:
    """The first forbidden phrase the text contains (outside its allowed longer expressions), else None."""
    for rule in forbidden_rules() if rules is None else rules:
        if rule.hits(text):
            return rule.phrase
    return None
