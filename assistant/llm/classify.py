"""Category assignment by a chat model, for corpus items that come without one.

The model is asked for a category id as a word and only a contract category is accepted (a digit, an empty or
chatty reply, an injected instruction -> the transparent rules decide). When the rules are confident and
disagree, the rules win. Answers are cached by item content in the store directory, so a re-run asks nothing
new. Every call is logged like a drafting call.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
from pathlib import Path

from langchain_core.language_models import BaseChatModel

from assistant.corpus.rules import CategoryClassifier, load_rules
from assistant.engine.output import strip_think
from assistant.llm.calllog import CallLog
from assistant.llm.factory import make_chat_model
from assistant.llm.oneshot import ask_logged
from assistant.models import CATEGORIES
from assistant.prompts import load_prompt
from assistant.settings import Settings

__all__ = ["CATEGORY_HINTS", "PROMPT", "AnswerCache", "classifier_for", "make_llm_classifier", "parse_category",
           "rules_verdict"]

PROMPT = "corpus/classify.v1.md"
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


def make_llm_classifier(settings: Settings, log: CallLog, *, model: BaseChatModel | None = None,
                        cache: AnswerCache | None = None) -> CategoryClassifier:
    chat = model if model is not None else make_chat_model(settings, max_tokens=MAX_TOKENS)
    prompt = load_prompt(PROMPT)
    listing = "\n".join(f"- {c}: {CATEGORY_HINTS[c]}" for c in CATEGORIES)
    answers = cache or AnswerCache(None)

    def ask(text: str) -> str:
        answer = ask_logged(chat, text, section="ingest:classify", settings=settings, log=log,
                            max_tokens=MAX_TOKENS)
        return "" if answer is None else parse_category(answer)

    def classify(title: str, body: str) -> str:
        text = prompt.render({"categories": listing, "title": title, "body": body[:BODY_CHARS]})
        key = AnswerCache.key(settings.model, prompt.sha256, text)
        answer = answers.get(key)
        if answer is None:
            answer = ask(text)
            if answer:  # an error or a non-answer is asked again next time
                answers.put(key, answer)
        ruled, confident = rules_verdict(title, body)
        if answer and confident and answer != ruled:
            return ""  # "" hands the item to the rules, recorded as category_method "rules"
        return answer

    return classify


def classifier_for(settings: Settings, log_path: Path) -> CategoryClassifier | None:
    """The model classifier when the openai engine is in use (a key is configured), else None (rules only)."""
    if settings.resolved_engine != "openai":
        return None
    return make_llm_classifier(settings, CallLog(log_path), cache=AnswerCache(settings.store_dir / CACHE_NAME))
