"""A worker process: huey's consumer takes job messages off the queue; a maintenance thread keeps the rows honest.

One worker runs one job at a time (start N processes, on any machines, for N at once). The maintenance thread
requeues jobs whose worker died (lease expired) and re-sends messages for queued jobs that have none in flight.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable

from assistant.jobs.ledger import JobLedger
from assistant.jobs.queue import JobQueue
from assistant.jobs.runner import execute
from assistant.settings import Settings

__all__ = ["Worker", "worker_id"]

logger = logging.getLogger(__name__)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    def __init__(self, url: str, settings: Settings, *, on_job: Callable[[str, str | None], None] | None = None) -> None:
        self.ident = worker_id()
        self.queue = JobQueue(url, runner=self._run, settings=settings)
        self.ledger = JobLedger.open(url, settings=settings, queue=self.queue)
        self.ledger.agree_transport()  # a worker listening where submitters do not send would never run a job
        self._on_job = on_job
        self._stop = threading.Event()
        self.ran = 0

    def _run(self, job_id: str) -> None:
        state = execute(self.ledger, job_id, self.ident)
        if state is not None:
            self.ran += 1
        if self._on_job is not None:
            self._on_job(job_id, state)

    def maintain(self) -> None:
        self.ledger.present(self.ident)
        self.ledger.reap()
        self.ledger.dispatch_waiting()

    def _maintenance_loop(self) -> None:
        while not self._stop.wait(self.ledger.settings.jobs_heartbeat_s):
            try:
                self.maintain()
            except Exception:  # a database hiccup must not end maintenance; the next round retries
                logger.exception("jobs maintenance failed")

    def run(self, *, burst: bool = False) -> int:
        """Consume until stopped (SIGINT/SIGTERM), or with ``burst`` until nothing startable is left."""
        self.queue.ping()  # an unreachable transport is one message naming it, before any thread starts
        self.maintain()
        thread = threading.Thread(target=self._maintenance_loop, name="jobs-maintenance", daemon=True)
        thread.start()
        try:
            if burst:
                self._burst()
            else:
                consumer = self.queue.huey.create_consumer(workers=1, worker_type="thread", periodic=False,
                                                           initial_delay=0.1, backoff=1.15, max_delay=1.0)
                consumer.run()
        finally:
            self._stop.set()
            thread.join(timeout=5)
            try:
                self.ledger.absent(self.ident)
            except Exception:  # leaving: a row left behind ages out of the presence window anyway
                logger.exception("could not remove the worker's presence row")
        return self.ran

    def _burst(self) -> None:
        huey = self.queue.huey
        idle = 0
        while not self._stop.is_set():
            task = huey.dequeue()
            if task is not None:
                idle = 0
                huey.execute(task)
                continue
            if not self.ledger.claimable() and not self.ledger.counts().get("running"):
                return
            idle += 1
            if idle % 20 == 0:  # messages held by a worker that died: send them again
                self.ledger.dispatch_waiting()
            self._stop.wait(0.25)

    def stop(self) -> None:
        self._stop.set()
