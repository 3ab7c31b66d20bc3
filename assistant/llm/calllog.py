"""``calls.jsonl``: one JSON line per model call attempt (prompt, completion, tokens, latency, cost, error)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

from pydantic import BaseModel, Field

__all__ = ["CallLog", "CallRecord"]


class CallRecord(BaseModel):
    section: str
    model: str
    attempt: int = 1  # within one request: transport retries, the length retry and the JSON repair
    answer_retry: int = 0  # 1 for the corrective re-ask after a failed answer check (attempts restart there)
    prompt: list[dict[str, str]] = Field(default_factory=list)
    completion: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    cost_usd: float = 0.0
    error: str | None = None
    finish_reason: str | None = None
    max_tokens: int | None = None
    response_format: str | None = None  # json_schema | json_object | prompt (digest sections), None for Markdown
    # "measured": the server reported usage; "estimated": our own count (no usage in the stream)
    tokens: str | None = None
    deadline_s: float | None = None  # the wall clock this call was given (call and section deadlines)
    refused: str | None = None  # the parameter the server refused in this call's error (stepped down at once)
    stopped: str | None = None  # the repetition loop that stopped the stream early
    at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC))


class CallLog:
    """Append-only and thread-safe: sections are drafted concurrently."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.records: list[CallRecord] = []

    def write(self, record: CallRecord) -> None:
        line = json.dumps(record.model_dump(mode="json"), ensure_ascii=False)
        with self._lock:
            self.records.append(record)
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as fh:
                    fh.write(line + "\n")

    @staticmethod
    def read(path: Path) -> list[CallRecord]:
        if not path.is_file():
            return []
        lines = path.read_text(encoding="utf-8").splitlines()
        return [CallRecord.model_validate_json(line) for line in lines if line.strip()]
