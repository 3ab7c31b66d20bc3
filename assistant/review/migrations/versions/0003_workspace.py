"""Review workspace: regenerate suggestions, unsaved edits per user, sign-in sessions and attempts, settings.

Revision ID: 0003_workspace
Revises: 0002_compliance
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_workspace"
down_revision = "0002_compliance"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    # A replaced import is archived, not deleted: its versions and audit trail stay (append-only history).
    op.add_column("reports", sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "suggestions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("section_pk", sa.Integer, sa.ForeignKey("sections.id", ondelete="CASCADE"), index=True,
                  nullable=False),
        sa.Column("base_version", sa.Integer, nullable=False),
        sa.Column("markdown", sa.Text, nullable=False),
        sa.Column("instruction", sa.Text, nullable=False, server_default=""),
        sa.Column("engine", sa.String(40), nullable=False, server_default=""),
        sa.Column("job_id", sa.String(80), nullable=True),
        sa.Column("provenance", sa.JSON, nullable=True),
        sa.Column("author_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("status", sa.String(20), nullable=False, server_default="open"),
        sa.Column("decided_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("decided_at", _TZ, nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("version_number", sa.Integer, nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
    )
    op.create_table(
        "edit_drafts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("section_pk", sa.Integer, sa.ForeignKey("sections.id", ondelete="CASCADE"), nullable=False),
        sa.Column("base_version", sa.Integer, nullable=False),
        sa.Column("markdown", sa.Text, nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.UniqueConstraint("user_id", "section_pk"),
    )
    op.create_table(
        "auth_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), index=True,
                  nullable=False),
        sa.Column("address", sa.String(64), nullable=False, server_default=""),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("expires_at", _TZ, nullable=False),
        sa.Column("revoked_at", _TZ, nullable=True),
    )
    op.create_table(
        "sign_in_attempts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(120), nullable=False, index=True),
        sa.Column("address", sa.String(64), nullable=False, server_default="", index=True),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("created_at", _TZ, nullable=False, index=True),
    )
    op.create_table(
        "app_settings",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("value", sa.JSON, nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
    )


def downgrade() -> None:
    for table in ("app_settings", "sign_in_attempts", "auth_sessions", "edit_drafts", "suggestions"):
        op.drop_table(table)
    # native DROP COLUMN (SQLite >= 3.35, PostgreSQL): a batch rebuild of reports would break 0002's triggers
    op.execute("ALTER TABLE reports DROP COLUMN replaced_at")
