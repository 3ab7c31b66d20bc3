"""Which worker processes are alive: each worker writes a row ``worker:<id>`` in ``app_settings`` every heartbeat.

Kept in the existing ``app_settings`` table (no migration): the rows are small, one per live worker, rewritten every
``jobs_heartbeat_s`` and deleted when the worker stops; a worker killed with SIGKILL leaves a row that simply ages
out of the presence window (and is pruned after a day). The 任务 page warns when jobs wait and no worker was seen
within ``jobs_lease_s``: the usual cause is the UI started without its embedded worker.
"""

from __future__ import annotations

import datetime as dt
import os
import socket

from pydantic import BaseModel
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from assistant.review.db import AppSetting, utcnow

__all__ = ["NO_WORKER", "PREFIX", "WorkerSeen", "forget", "record", "seen"]

PREFIX = "worker:"
NO_WORKER = "没有运行中的工作进程：任务会一直排队，请运行 python -m assistant worker"
_PRUNE_AFTER = dt.timedelta(days=1)


class WorkerSeen(BaseModel):
    ident: str
    host: str = ""
    pid: int = 0
    seen_at: dt.datetime


def _key(ident: str) -> str:
    return (PREFIX + ident)[:80]  # the column is 80 characters; the id ends in a random suffix, kept if it fits


def record(session: Session, ident: str) -> None:
    """Upsert this worker's row (one writer per key: the worker itself) and prune rows dead for a day."""
    now = utcnow()
    row = session.get(AppSetting, _key(ident))
    value = {"ident": ident, "host": socket.gethostname(), "pid": os.getpid()}
    if row is None:
        session.add(AppSetting(key=_key(ident), value=value, updated_at=now))
    else:
        row.value, row.updated_at = value, now
    session.execute(delete(AppSetting).where(AppSetting.key.like(PREFIX + "%"),
                                             AppSetting.updated_at < now - _PRUNE_AFTER))


def forget(session: Session, ident: str) -> None:
    session.execute(delete(AppSetting).where(AppSetting.key == _key(ident)))


def seen(session: Session, within_s: float) -> list[WorkerSeen]:
    """Workers heard from within the last ``within_s`` seconds, most recent first."""
    cutoff = utcnow() - dt.timedelta(seconds=within_s)
    rows = session.scalars(select(AppSetting).where(AppSetting.key.like(PREFIX + "%"),
                                                    AppSetting.updated_at >= cutoff)
                           .order_by(AppSetting.updated_at.desc()))
    out = []
    for row in rows:
        value = row.value if isinstance(row.value, dict) else {}
        stamp = row.updated_at if row.updated_at.tzinfo else row.updated_at.replace(tzinfo=dt.UTC)
        out.append(WorkerSeen(ident=str(value.get("ident", row.key[len(PREFIX):])), host=str(value.get("host", "")),
                              pid=int(value.get("pid", 0) or 0), seen_at=stamp))
    return out
