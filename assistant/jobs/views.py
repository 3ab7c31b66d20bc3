"""Job inputs (validated at submission) and the read-only view of a job the CLI and UI show."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["SECTION_LABELS", "SECTION_MARKS", "STATE_LABELS", "DraftInputs", "JobView", "RecheckInputs",
           "RegenerateInputs", "SectionProgress", "aware", "final_sections"]

STATE_LABELS = {"queued": "排队中", "running": "运行中", "done": "已完成", "failed": "失败", "cancelled": "已取消"}
KIND_LABELS = {"draft": "起草报告", "regenerate": "重新生成章节", "recheck": "重跑合规检查"}
# A section's state in a job: queued/running while the job runs; ok/failed when drafted; when the job ends without
# finishing it, "interrupted" (it was being drafted) or "skipped" (never started).
SECTION_LABELS = {"queued": "等待", "running": "起草中", "ok": "完成", "failed": "失败", "interrupted": "未完成",
                  "skipped": "未开始"}
SECTION_MARKS = {"queued": "·", "running": "…", "ok": "✓", "failed": "✗", "interrupted": "×", "skipped": "-"}


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands timestamps back without a zone; every timestamp the jobs write is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


class DraftInputs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pack: str
    corpus: str
    sections: list[str] | None = None
    engine: Literal["offline", "openai"] | None = None
    store_dir: str | None = None  # a shared, already ingested store; default: the job's own folder


class RegenerateInputs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    section_pk: int
    instruction: str
    base_version: int | None = None  # the version the editor looked at; None: the current one when the job runs


class RecheckInputs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    report_id: int
    corpus: str | None = None


class SectionProgress(BaseModel):
    id: str
    title: str = ""
    status: str = "queued"  # a key of SECTION_LABELS
    message: str = ""
    attempt: int | None = None  # which attempt drafted it: a retry keeps the earlier attempt's sections


class JobView(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    kind: str
    owner: str
    owner_id: int
    state: str
    inputs: dict[str, Any]
    stage: str = ""
    message: str = ""
    sections: list[SectionProgress] = Field(default_factory=list)
    result: dict[str, Any] | None = None
    out_dir: str | None = None
    report_id: int | None = None
    error: str | None = None
    attempts: int = 0
    abandoned: int = 0
    worker: str | None = None
    cancel_requested: bool = False
    created_at: dt.datetime
    started_at: dt.datetime | None = None
    heartbeat_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def sections_done(self) -> int:
        return sum(1 for s in self.sections if s.status in ("ok", "failed"))

    @property
    def progress_label(self) -> str:
        """What the job did, in words that stay true after it ended: a cancelled or failed job says how many
        sections were drafted and that nothing was imported, not "12/12 章" beside 已取消."""
        if not self.sections:
            return self.state_label
        total, ok = len(self.sections), sum(1 for s in self.sections if s.status == "ok")
        failed = sum(1 for s in self.sections if s.status == "failed")
        tail = f"，{failed} 章失败" if failed else ""
        if self.state in ("cancelled", "failed"):
            return f"已起草 {ok}/{total} 章{tail}，未导入"
        if self.state == "done":
            return f"{ok}/{total} 章{tail}"
        return f"{ok + failed}/{total} 章{tail}"

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed", "cancelled")


def final_sections(sections: list[dict[str, Any]], state: str,
                   drafted: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The per-section record a finished job keeps: ``drafted`` (section id -> ok/failed, from the report the job
    produced) wins over progress events, which a worker killed mid-section or a resume from stages leaves stale."""
    out = []
    for entry in sections:
        sid = str(entry.get("id", ""))
        status = str(entry.get("status", "queued"))
        if drafted is not None and sid in drafted:
            status = drafted[sid]
        elif state != "done" or drafted is not None:
            status = {"running": "interrupted", "queued": "skipped"}.get(status, status)
        out.append({**entry, "status": status})
    return out
