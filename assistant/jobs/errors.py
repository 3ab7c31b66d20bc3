"""Errors of the jobs layer; the CLI and UI turn them into messages."""

from __future__ import annotations

from assistant.errors import AssistantError

__all__ = ["JobError", "JobInterrupted", "QueueFullError", "QueueUnavailable"]


class JobError(AssistantError):
    """A job cannot be submitted, found, cancelled or retried."""


class QueueFullError(JobError):
    """Too many jobs are waiting; the submission is refused, nothing is queued."""


class QueueUnavailable(JobError):
    """The queue's transport (Redis, the queue database) refused or could not be reached; nothing was queued."""


class JobInterrupted(JobError):
    """Raised inside a running job: it was cancelled, timed out, or this worker lost its lease."""

    def __init__(self, message: str, *, state: str) -> None:
        super().__init__(message)
        self.state = state  # the state the job ends in: cancelled | failed | "" (lease lost: leave it alone)
