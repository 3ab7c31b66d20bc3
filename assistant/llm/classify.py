"""Category assignment by a chat model, for corpus items that come without one.

The model is asked for a category id as a word and only a contract category is accepted (a digit, an empty or
chatty reply, an injected instruction -> the transparent rules decide). Where the rules are confident the model is
not asked at all. The rest are asked in batches (``prepare``, called by ``read_corpus`` before items are
classified one by one): one call lists up to ``BATCH`` items by id and answers a category per id, validated with
pydantic; an id the answer misses is left to the rules. Answers are cached by item content in the store
directory, so a re-run asks nothing new. Every call is logged like a drafting call and carries ``max_tokens`` and
a deadline.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, ValidationError, field_validator

from assistant.corpus.rules import load_rules
from assistant.engine.output import JsonOutputError, extract_json, strip_think
from assistant.llm.budget import helper_deadline_s
from assistant.llm.calllog import CallLog
from assistant.llm.factory import make_chat_model
from assistant.llm.oneshot import ask_logged
from assistant.models import CATEGORIES
from assistant.prompts import load_prompt
from assistant.settings import Settings

__all__ = ["BATCH", "CATEGORY_HINTS", "PROMPT", "AnswerCache", "BatchAnswer", "LLMClassifier", "classifier_for",
           "make_llm_classifier", "parse_batch", "parse_category", "rules_verdict"]

PROMPT = "corpus/classify.v1.md"
BATCH_PROMPT = "corpus/classify_batch.v1.md"
BATCH = 8  # items per call: one prompt of ~8 x 300 tokens, answered in ~100 tokens
BATCH_BODY_CHARS = 300
TOKENS_PER_ITEM = 16
BODY_CHARS = 600  # the lead of an item decides its category; the rest only costs tokens
MAX_TOKENS = 16  # a category id is one word; a longer answer is not one
CONFIDENT_SCORE = 6  # two title hits (3 each) or six body hits
CACHE_NAME = "classify_cache.sqlite"

CATEGORY_HINTS: dict[str, str] = {
    "data_policy": "数据要素相关政策、方案与会议",
    "data_exchange": "数据交易所的新闻",
    "llm_domestic": "国内大模型发布与进展",
    "llm_foreign": "国外大模型发布与进展",
    "compute": "AI 芯片、服务器与算力",
    "tech_frontier": "前沿技术与论文",
    "policy": "人工智能产业政策、法规与产学研合作",
    "product": "AI 产品发布",
    "funding": "投融资事件",
    "other": "以上都不是",
}

_WORD = re.compile(r"[a-z_]+")


def parse_category(answer: str) -> str:
    """The first contract category named in the answer, else "" (digits and prose are not an answer)."""
    for word in _WORD.findall(strip_think(answer).lower()):
        if word in CATEGORIES:
            return word
    return ""


def rules_verdict(title: str, body: str) -> tuple[str, bool]:
    """The rules' category and whether they are confident (clear score, at least twice the runner-up)."""
    rules = load_rules()
    t, b = title.lower(), body.lower()
    scores = sorted(((sum(3 * t.count(k) + b.count(k) for k in kws), c) for c, kws in rules.categories.items()),
                    reverse=True)
    (best, category), second = scores[0], (scores[1][0] if len(scores) > 1 else 0)
    if best < rules.min_score:
        return "other", False
    return category, best >= CONFIDENT_SCORE and best >= 2 * second


class AnswerCache:
    """Model answers keyed by (model, prompt version, item text): SQLite beside the vector store."""

    def __init__(self, path: Path | None) -> None:
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=60, check_same_thread=False)
            self._db.execute("CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, answer TEXT NOT NULL)")

    @staticmethod
    def key(*parts: str) -> str:
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()

    def get(self, key: str) -> str | None:
        if self._db is None:
            return None
        with self._lock:
            row = self._db.execute("SELECT answer FROM answers WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def put(self, key: str, answer: str) -> None:
        if self._db is None:
            return
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO answers (key, answer) VALUES (?, ?)", (key, answer))


class _Assigned(BaseModel):
    id: int
    category: str

    @field_validator("category", mode="before")
    @classmethod
    def _word(cls, value: object) -> str:
        return parse_category(str(value)) if value is not None else ""


class BatchAnswer(BaseModel):
    """``{"items": [{"id": 1, "category": "compute"}, ...]}``; ``{"1": "compute"}`` is read the same."""

    items: list[_Assigned]


def parse_batch(answer: str) -> dict[int, str]:
    """Contract categories by item id; anything unreadable is no answer (the rules decide those items)."""
    try:
        data = extract_json(strip_think(answer))
    except JsonOutputError:
        return {}
    if "items" not in data:
        data = {"items": [{"id": k, "category": v} for k, v in data.items() if str(k).strip().isdigit()]}
    good: dict[int, str] = {}
    for raw in data.get("items") or []:
        try:
            row = _Assigned.model_validate(raw)
        except ValidationError:
            continue
        if row.category:
            good.setdefault(row.id, row.category)
    return good


class LLMClassifier:
    """``classifier(title, body) -> category | ""``, with ``prepare(pairs)`` asking for many items at once."""

    def __init__(self, settings: Settings, log: CallLog, *, model: BaseChatModel | None = None,
                 cache: AnswerCache | None = None) -> None:
        self.settings, self.log = settings, log
        self.model = model
        self.prompt, self.batch_prompt = load_prompt(PROMPT), load_prompt(BATCH_PROMPT)
        self.listing = "\n".join(f"- {c}: {CATEGORY_HINTS[c]}" for c in CATEGORIES)
        self.answers = cache or AnswerCache(None)
        self.calls = 0
        self.asked: set[str] = set()  # asked in a batch this run: not asked again one by one

    def _chat(self, max_tokens: int, prompt_tokens: int) -> BaseChatModel:
        if self.model is not None:
            return self.model
        return make_chat_model(self.settings, max_tokens=max_tokens,
                               deadline_s=helper_deadline_s(self.settings, max_tokens, prompt_tokens))

    def _key(self, title: str, body: str) -> str:
        text = self.prompt.render({"categories": self.listing, "title": title, "body": body[:BODY_CHARS]})
        return AnswerCache.key(self.settings.model, self.prompt.sha256, text)

    def _ask(self, text: str, max_tokens: int) -> str | None:
        self.calls += 1
        return ask_logged(self._chat(max_tokens, len(text) // 2), text, section="ingest:classify",
                          settings=self.settings, log=self.log, max_tokens=max_tokens)

    def prepare(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Ask, in batches, for every item the rules are not confident about and the cache does not know."""
        todo: dict[str, tuple[str, str]] = {}
        for title, body in pairs:
            key = self._key(title, body)
            if key not in todo and not rules_verdict(title, body)[1] and self.answers.get(key) is None:
                todo[key] = (title, body)
        keys = list(todo)
        for start in range(0, len(keys), BATCH):
            chunk = keys[start:start + BATCH]
            listed = "\n".join(f'<news id="{i}">\n标题：{todo[k][0]}\n正文：{todo[k][1][:BATCH_BODY_CHARS]}\n</news>'
                                for i, k in enumerate(chunk, start=1))
            text = self.batch_prompt.render({"categories": self.listing, "items": listed})
            answer = self._ask(text, TOKENS_PER_ITEM * len(chunk) + 32)
            self.asked.update(chunk)
            for i, category in (parse_batch(answer) if answer else {}).items():
                if 1 <= i <= len(chunk):
                    self.answers.put(chunk[i - 1], category)

    def __call__(self, title: str, body: str) -> str:
        if rules_verdict(title, body)[1]:
            return ""  # the rules are sure: no model call ("" hands the item to the rules, method "rules")
        key = self._key(title, body)
        answer = self.answers.get(key)
        if answer is None and key in self.asked:
            return ""  # its batch gave no usable answer: the rules decide, no second call
        if answer is None:
            text = self.prompt.render({"categories": self.listing, "title": title, "body": body[:BODY_CHARS]})
            reply = self._ask(text, MAX_TOKENS)
            answer = "" if reply is None else parse_category(reply)
            if answer:  # an error or a non-answer is asked again next time
                self.answers.put(key, answer)
        return answer


def make_llm_classifier(settings: Settings, log: CallLog, *, model: BaseChatModel | None = None,
                        cache: AnswerCache | None = None) -> LLMClassifier:
    return LLMClassifier(settings, log, model=model, cache=cache)


def classifier_for(settings: Settings, log_path: Path) -> LLMClassifier | None:
    """The model classifier when the openai engine is in use (a key is configured), else None (rules only)."""
    if settings.resolved_engine != "openai":
        return None
    return make_llm_classifier(settings, CallLog(log_path), cache=AnswerCache(settings.store_dir / CACHE_NAME))
