"""Job inputs (validated at submission) and the read-only view of a job the CLI and UI show."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["STATE_LABELS", "DraftInputs", "JobView", "RecheckInputs", "RegenerateInputs", "SectionProgress",
           "aware"]

STATE_LABELS = {"queued": "排队中", "running": "运行中", "done": "已完成", "failed": "失败", "cancelled": "已取消"}
KIND_LABELS = {"draft": "起草报告", "regenerate": "重新生成章节", "recheck": "重跑合规检查"}


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
    status: str = "queued"  # queued | running | ok | failed
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
    def finished(self) -> bool:
        return self.state in ("done", "failed", "cancelled")
