"""Jobs: drafting, regeneration and re-running checks as queued work with an owner, state and progress.

The row is the truth about a job; the queue (huey) only carries "look at job X" messages. A worker claims a job
by a compare-and-set on ``state``; ``heartbeat_at`` is its lease, so a killed worker's job is found and retried.
``report_id`` is unique: a job imports its report once, however often it is retried.

Revision ID: 0004_jobs
Revises: 0002_compliance
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_jobs"
down_revision = "0003_workspace"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("inputs", sa.JSON, nullable=False),
        sa.Column("progress", sa.JSON, nullable=False),
        sa.Column("result", sa.JSON, nullable=True),
        sa.Column("out_dir", sa.Text, nullable=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="SET NULL"), nullable=True,
                  unique=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("abandoned", sa.Integer, nullable=False),
        sa.Column("worker", sa.String(160), nullable=True),
        sa.Column("cancel_requested", sa.Boolean, nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("dispatched_at", _TZ, nullable=True),
        sa.Column("started_at", _TZ, nullable=True),
        sa.Column("heartbeat_at", _TZ, nullable=True),
        sa.Column("finished_at", _TZ, nullable=True),
        sa.CheckConstraint("kind IN ('draft','regenerate','recheck')", name="ck_jobs_kind"),
        sa.CheckConstraint("state IN ('queued','running','done','failed','cancelled')", name="ck_jobs_state"),
    )
    op.create_index("ix_jobs_state_created", "jobs", ["state", "created_at"])
    op.create_index("ix_jobs_owner_state", "jobs", ["owner_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_jobs_owner_state", table_name="jobs")
    op.drop_index("ix_jobs_state_created", table_name="jobs")
    op.drop_table("jobs")
