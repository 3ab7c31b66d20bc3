"""Initial review-store schema, with append-only triggers on audit_log.

Revision ID: 0001_initial
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)

_PG_TRIGGERS = [
    """CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP; END;
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()""",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()""",
]
_SQLITE_TRIGGERS = [
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END""",
]


def _users_and_reports() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(80), nullable=False, unique=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.CheckConstraint("role IN ('analyst','editor','compliance','admin')", name="ck_users_role"),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("engine", sa.String(40), nullable=False),
        sa.Column("out_dir", sa.Text, nullable=False),
        sa.Column("snapshot", sa.JSON, nullable=False),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("signed_off_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("signed_off_at", _TZ, nullable=True),
        sa.Column("signoff_comment", sa.Text, nullable=True),
    )


def _sections() -> None:
    op.create_table(
        "sections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("section_id", sa.String(80), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("order", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("current_version", sa.Integer, nullable=False),
        sa.Column("lock_version", sa.Integer, nullable=False),
        sa.Column("holder_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("held_since", _TZ, nullable=True),
        sa.UniqueConstraint("report_id", "section_id"),
        sa.CheckConstraint("status IN ('draft','approved','rejected','changes_requested')",
                           name="ck_sections_status"),
    )
    op.create_table(
        "section_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("section_pk", sa.Integer, sa.ForeignKey("sections.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("markdown", sa.Text, nullable=False),
        sa.Column("citations", sa.JSON, nullable=False),
        sa.Column("author_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("instruction", sa.Text, nullable=True),
        sa.Column("provenance", sa.JSON, nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.UniqueConstraint("section_pk", "number"),
        sa.CheckConstraint("origin IN ('drafted','edited','regenerated')", name="ck_versions_origin"),
    )


def _reviews_sources_audit() -> None:
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("section_pk", sa.Integer, sa.ForeignKey("sections.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("version_number", sa.Integer, nullable=False),
        sa.Column("reviewer_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.CheckConstraint("decision IN ('approve','reject','request_changes')", name="ck_reviews_decision"),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("marker", sa.Integer, nullable=False),
        sa.Column("doc_id", sa.String(200), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("date", sa.Date, nullable=True),
        sa.Column("publisher", sa.String(200), nullable=False),
        sa.Column("url", sa.Text, nullable=True),
        sa.Column("passage", sa.Text, nullable=False),
        sa.Column("background", sa.Boolean, nullable=False),
        sa.UniqueConstraint("report_id", "marker"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("object_type", sa.String(40), nullable=False),
        sa.Column("object_id", sa.String(120), nullable=False),
        sa.Column("before_version", sa.Integer, nullable=True),
        sa.Column("after_version", sa.Integer, nullable=True),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
    )


def upgrade() -> None:
    _users_and_reports()
    _sections()
    _reviews_sources_audit()
    dialect = op.get_bind().dialect.name
    triggers = _PG_TRIGGERS if dialect == "postgresql" else _SQLITE_TRIGGERS if dialect == "sqlite" else []
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in ("audit_log", "sources", "reviews", "section_versions", "sections", "reports", "users"):
        op.drop_table(table)
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
