"""Trust: the audit chain is keyed (HMAC-SHA256 under a key kept outside the database).

- ``audit_log.key_id``: the fingerprint of the key that sealed a row (``assistant.review.auditkey.key_id``);
  rows sealed before this revision keep NULL and are verified with the old unkeyed formula, but only before the
  first keyed row (``assistant.review.audit.verify_chain``).

Revision ID: 0007_trust
Revises: 0006_roles
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_trust"
down_revision = "0006_roles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN: a batch copy of the table would drop its append-only triggers on SQLite
    op.add_column("audit_log", sa.Column("key_id", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("key_id")
