"""The package's exception hierarchy. Library code raises these; only the CLI and UI turn them into messages."""

from __future__ import annotations

__all__ = [
    "AssistantError",
    "CheckError",
    "ConcurrentEditError",
    "ConfigError",
    "CorpusError",
    "DatabaseFullError",
    "DiskFullError",
    "DraftingError",
    "ExportError",
    "InputError",
    "ModelError",
    "PackError",
    "PermissionDenied",
    "PromptError",
    "ReviewError",
    "StoreError",
]


class AssistantError(Exception):
    """Base of every error the assistant raises on purpose."""


class ConfigError(AssistantError):
    """Settings or a config file are invalid."""


class InputError(AssistantError):
    """Bad input data. Carries the file, the row (1-based, as a person counts lines) and the field."""

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None,
                 field: str | None = None) -> None:
        self.file = file
        self.row = row
        self.field = field
        self.reason = message
        where = []
        if file:
            where.append(f"文件 {file}")
        if row is not None:
            where.append(f"第 {row} 行")
        if field:
            where.append(f"字段 {field}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class PackError(InputError):
    """The market data pack is missing a file, a column, or holds a bad value."""


class CorpusError(InputError):
    """A news corpus item is malformed."""


class ExportError(InputError):
    """A report cannot be exported or loaded back (unknown table/chart reference, missing chart file, bad report.json)."""


class StoreError(AssistantError):
    """The vector store cannot be opened or written."""


class PromptError(AssistantError):
    """A prompt template is missing, or a variable it needs was not given."""


class ModelError(AssistantError):
    """A model call failed after its retries."""


class DraftingError(AssistantError):
    """A section could not be drafted (missing table, bad placeholder, model failure)."""


class CheckError(AssistantError):
    """A compliance check could not run on its input."""


class ReviewError(AssistantError):
    """A review-store operation is not allowed in the current state."""


class ConcurrentEditError(ReviewError):
    """Someone else saved the section since this editor opened it. Carries the other editor's version."""

    def __init__(self, message: str, *, current_version: int | None = None,
                 current_markdown: str | None = None, current_author: str | None = None) -> None:
        self.current_version = current_version
        self.current_markdown = current_markdown
        self.current_author = current_author
        super().__init__(message)


class PermissionDenied(ReviewError):
    """The user's role does not allow this action."""


class DiskFullError(AssistantError):
    """A write found no space (ENOSPC/EDQUOT, or the database's "disk is full"); names what could not be written.
    Writes are atomic (temp file, then rename), so what was saved before stays whole."""

    def __init__(self, path: str, detail: str = "") -> None:
        self.path = path
        super().__init__(f"磁盘空间不足，无法写入 {path}{f'（{detail}）' if detail else ''}；"
                         "已保存的内容未受影响，请清理空间后重试")


class DatabaseFullError(DiskFullError, ReviewError):
    """The review database could not write for lack of space: a ``ReviewError`` too, so every page that shows a
    refused save shows this one."""
