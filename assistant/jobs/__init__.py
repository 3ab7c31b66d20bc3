"""Jobs: drafting, regeneration and re-running checks as queued work (huey) recorded in the review database.

``JobService`` submits, lists, cancels and retries; ``Worker`` (``python -m assistant worker``) runs them.
"""

from __future__ import annotations

from assistant.jobs.errors import JobError, JobInterrupted, QueueFullError
from assistant.jobs.ledger import JobLedger
from assistant.jobs.queue import JobQueue, queue_location
from assistant.jobs.service import JobService, sample_inputs
from assistant.jobs.views import STATE_LABELS, JobView, SectionProgress

__all__ = [
           "STATE_LABELS",
           "JobError",
           "JobInterrupted",
           "JobLedger",
           "JobQueue",
           "JobService",
           "JobView",
           "QueueFullError",
           "SectionProgress",
           "queue_location",
           "sample_inputs",
]
