"""Roles: on PostgreSQL the schema belongs to an owner role and the app connects as a role that owns nothing.

- Creates ``ra_owner`` (NOLOGIN) and ``ra_app`` (LOGIN) unless present (names: ``RA_DB_OWNER_ROLE`` /
  ``RA_DB_APP_ROLE``), race-safe, and makes the migrating administrator a member of the owner role.
- Creates the job queue's tables (huey's ``PostgresHuey`` DDL, frozen here) so they too are the owner's: the app
  role cannot create tables, and huey would otherwise create them on first use.
- Hands every table, sequence and trigger function of the current schema to the owner; the app role gets DML on
  tables (read-only ``alembic_version``), sequences and EXECUTE; default privileges cover what later migrations
  create (they run as the owner: see ``assistant.review.roles.become_owner``). See ``assistant.review.roles``.
- SQLite: nothing (one local file, no roles).

Revision ID: 0006_roles
Revises: 0005_hardening
"""

from __future__ import annotations

from alembic import op

from assistant.review.roles import create_roles_sql, grant_sql, revoke_sql, role_names

revision = "0006_roles"
down_revision = "0005_hardening"
branch_labels = None
depends_on = None

# huey 3.5 PostgresStorage DDL for table_prefix "huey" (assistant.jobs.queue uses the default prefix).
_HUEY_DDL = [
    "CREATE TABLE IF NOT EXISTS huey_kv (queue text NOT NULL, key text NOT NULL, value bytea NOT NULL, "
    "PRIMARY KEY (queue, key))",
    "CREATE TABLE IF NOT EXISTS huey_schedule (id bigserial PRIMARY KEY, queue text NOT NULL, data bytea NOT NULL, "
    "timestamp double precision NOT NULL)",
    "CREATE INDEX IF NOT EXISTS huey_schedule_queue_timestamp ON huey_schedule (queue, timestamp)",
    "CREATE TABLE IF NOT EXISTS huey_task (id bigserial PRIMARY KEY, queue text NOT NULL, data bytea NOT NULL, "
    "priority double precision NOT NULL DEFAULT 0.0)",
    "CREATE INDEX IF NOT EXISTS huey_task_queue_priority_id ON huey_task (queue, priority DESC, id)",
    "CREATE TABLE IF NOT EXISTS huey_counter (queue text NOT NULL, key text NOT NULL, "
    "value bigint NOT NULL DEFAULT 0, PRIMARY KEY (queue, key))",
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    owner, app = role_names()
    op.execute(create_roles_sql(owner, app))
    for statement in _HUEY_DDL:
        op.execute(statement)
    op.execute(grant_sql(owner, app))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    owner, app = role_names()
    op.execute("RESET ROLE")  # the environment may have switched to the owner; ownership goes back to the admin
    op.execute(revoke_sql(owner, app))
