"""Alembic environment: always driven programmatically by ``assistant.review.database.init_db``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from assistant.review.db import Base


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    from sqlalchemy import create_engine

    url = context.config.get_main_option("sqlalchemy.url") or ""
    with create_engine(url).connect() as conn:
        _run(conn)
else:
    _run(connection)
