"""Category assignment and hygiene flags, driven by the rules in ``rules.yaml``.

The classifier is deliberately transparent (keyword counts an editor can read and change); an optional model
hook can take over when one is configured, and the method used is recorded on every item.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import ConfigError
from assistant.models import CATEGORIES, NewsItem
from assistant.safety import instruction_patterns, normalise_for_matching

__all__ = [
    "RULES_PATH",
    "CategoryClassifier",
    "Rules",
    "assign_category",
    "classify_by_rules",
    "instruction_like",
    "load_rules",
]

RULES_PATH = Path(__file__).with_name("rules.yaml")

# A model hook: (title, body) -> category name. Returning anything outside CATEGORIES falls back to the rules.
CategoryClassifier = Callable[[str, str], str]


@dataclass(frozen=True)
class Rules:
    categories: Mapping[str, tuple[str, ...]]
    min_score: int
    instruction_patterns: tuple[re.Pattern[str], ...]


def _parse_rules(data: Any, path: Path) -> Rules:
    if not isinstance(data, dict) or not isinstance(data.get("categories"), dict):
        raise ConfigError(f"规则文件 {path} 缺少 categories 表")
    unknown = set(data["categories"]) - set(CATEGORIES)
    if unknown:
        raise ConfigError(f"规则文件 {path} 含未知类别: {', '.join(sorted(unknown))}")
    cats = {c: tuple(str(k).lower() for k in kws or []) for c, kws in data["categories"].items()}
    if "instruction_patterns" not in data:
        # The shared list of prompts/compliance/ that drafting and the checks use too.
        patterns = instruction_patterns()
    else:
        try:
            patterns = tuple(re.compile(str(p), re.IGNORECASE) for p in data["instruction_patterns"] or [])
        except re.error as exc:
            raise ConfigError(f"规则文件 {path} 的 instruction_patterns 有无效正则: {exc}") from exc
    return Rules(categories=cats, min_score=int(data.get("min_score", 1)), instruction_patterns=patterns)


@functools.cache
def load_rules(path: Path = RULES_PATH) -> Rules:
    """Load and validate a rules file (cached per path)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"规则文件 {path} 无法读取: {exc}") from exc
    return _parse_rules(data, path)


def classify_by_rules(title: str, body: str, rules: Rules | None = None) -> str:
    """Highest keyword score wins (title hits weigh 3x); ``other`` when nothing scores ``min_score``."""
    rules = rules or load_rules()
    t, b = title.lower(), body.lower()
    best, best_score = "other", 0
    for category, keywords in rules.categories.items():
        score = sum(3 * t.count(k) + b.count(k) for k in keywords)
        if score > best_score:
            best, best_score = category, score
    return best if best_score >= rules.min_score else "other"


def instruction_like(text: str, rules: Rules | None = None) -> bool:
    """True when the text reads as instructions addressed to a model (prompt injection in news data)."""
    rules = rules or load_rules()
    plain = normalise_for_matching(text)  # zero-width, traditional, spaced or look-alike forms match too
    return any(p.search(plain) for p in rules.instruction_patterns)


def assign_category(item: NewsItem, classifier: CategoryClassifier | None = None) -> NewsItem:
    """Keep a given category; otherwise ask the model hook (if any), then the rules."""
    if item.category:
        return item.model_copy(update={"category_method": "given"})
    if classifier is not None:
        guess = classifier(item.title, item.body).strip()
        if guess in CATEGORIES:
            return item.model_copy(update={"category": guess, "category_method": "llm"})
    return item.model_copy(update={"category": classify_by_rules(item.title, item.body),
                                   "category_method": "rules"})
