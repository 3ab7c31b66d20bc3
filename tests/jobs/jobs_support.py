"""Helpers the jobs tests import by name (a module of its own: ``from conftest import`` resolves to whichever
``conftest`` pytest loaded first when several test folders run together)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from assistant.review import UserView
from assistant.review.db import User
from assistant.review.users import user_view

__all__ = ["ROOT", "WorkerFactory", "make_users", "wait_for"]

ROOT = Path(__file__).resolve().parents[2]
WorkerFactory = Callable[..., subprocess.Popen[bytes]]


def make_users(engine: Engine, password_hash: str) -> dict[str, UserView]:
    """Three analysts, an editor and an admin; one argon2 hash shared (hashing is slow by design)."""
    with Session(engine) as session, session.begin():
        rows = [User(name=name, role=role, password_hash=password_hash, active=True)
                for name, role in (("ana", "analyst"), ("bo", "analyst"), ("cy", "analyst"), ("ed", "editor"),
                                   ("ad", "admin"))]
        session.add_all(rows)
        session.flush()
        return {row.name: user_view(row) for row in rows}


def wait_for(predicate: Callable[[], bool], timeout: float, what: str, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
