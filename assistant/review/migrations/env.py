"""Alembic environment: always driven programmatically by ``assistant.review.database.init_db``.

On PostgreSQL, once ``0006_roles`` has handed the schema to the owner role, migrations run as that role
(``SET LOCAL ROLE``, before the first step and after each one): what a later migration creates is then owned by
the owner and granted to the app role by the default privileges. The administrator running them must be a
superuser or a member of the owner role (0006 makes the user who ran it a member). A step that needs the
administrator's own rights (``CREATE EXTENSION``) can ``RESET ROLE`` first.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from alembic import context
from alembic.runtime.migration import MigrationContext, MigrationInfo
from sqlalchemy import Connection

from assistant.review.db import Base
from assistant.review.roles import become_owner, role_names


def _owner_after_step(ctx: MigrationContext, step: MigrationInfo, heads: Collection[Any],
                      run_args: Mapping[str, Any]) -> None:
    if ctx.connection is not None:
        become_owner(ctx.connection, role_names()[0])


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                      on_version_apply=_owner_after_step if connection.dialect.name == "postgresql" else None)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            become_owner(connection, role_names()[0])
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    from sqlalchemy import create_engine

    url = context.config.get_main_option("sqlalchemy.url") or ""
    with create_engine(url).connect() as conn:
        _run(conn)
else:
    _run(connection)
