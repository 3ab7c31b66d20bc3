"""Compliance: findings per report, sign-offs, and a trigger that voids a sign-off when a section changes.

The trigger lives in the database rather than in the service so that every path that adds a section version
(edit, regenerate, a future import tool, a hand-run SQL fix) voids the sign-off; it also writes the
``signoff_invalidated`` audit entry so the trail shows why the export gate closed again.

Revision ID: 0002_compliance
Revises: 0001_initial
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_compliance"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)

_PG_TRIGGERS = [
    """CREATE FUNCTION void_signoff_on_new_version() RETURNS trigger AS $$
    DECLARE rid integer;
    BEGIN
      SELECT s.report_id INTO rid FROM sections s JOIN reports r ON r.id = s.report_id
        WHERE s.id = NEW.section_pk AND r.signed_off_by IS NOT NULL;
      IF rid IS NOT NULL THEN
        UPDATE reports SET signed_off_by = NULL, signed_off_at = NULL, signoff_comment = NULL WHERE id = rid;
        INSERT INTO audit_log (user_id, actor, action, object_type, object_id, before_version, after_version,
                               detail, created_at)
        VALUES (NEW.author_id, 'system', 'signoff_invalidated', 'report', rid::text, NEW.number - 1, NEW.number,
                json_build_object('section_pk', NEW.section_pk, 'version', NEW.number), now());
      END IF;
      RETURN NEW;
    END;
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER section_version_voids_signoff AFTER INSERT ON section_versions
    FOR EACH ROW EXECUTE FUNCTION void_signoff_on_new_version()""",
]
_SQLITE_TRIGGERS = [
    """CREATE TRIGGER section_version_voids_signoff AFTER INSERT ON section_versions
    WHEN (SELECT r.signed_off_by FROM sections s JOIN reports r ON r.id = s.report_id
          WHERE s.id = NEW.section_pk) IS NOT NULL
    BEGIN
      INSERT INTO audit_log (user_id, actor, action, object_type, object_id, before_version, after_version,
                             detail, created_at)
      SELECT NEW.author_id, 'system', 'signoff_invalidated', 'report', CAST(s.report_id AS TEXT),
             NEW.number - 1, NEW.number, json_object('section_pk', NEW.section_pk, 'version', NEW.number),
             datetime('now')
      FROM sections s WHERE s.id = NEW.section_pk;
      UPDATE reports SET signed_off_by = NULL, signed_off_at = NULL, signoff_comment = NULL
      WHERE id = (SELECT report_id FROM sections WHERE id = NEW.section_pk);
    END""",
]


def upgrade() -> None:
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("section_id", sa.String(80), nullable=False),
        sa.Column("version", sa.Integer, nullable=True),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("severity", sa.String(20), nullable=False),
        sa.Column("sentence", sa.Text, nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("marker", sa.Integer, nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("resolved_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("resolved_at", _TZ, nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.CheckConstraint("status IN ('open','resolved')", name="ck_findings_status"),
        sa.CheckConstraint("severity IN ('blocking','warning','info')", name="ck_findings_severity"),
        # A resolution without its reason and resolver is exactly what an audit must never find.
        sa.CheckConstraint("status = 'open' OR (resolved_by IS NOT NULL AND reason IS NOT NULL AND reason <> '')",
                           name="ck_findings_resolution"),
    )
    op.create_table(
        "signoffs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("versions", sa.JSON, nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
    )
    dialect = op.get_bind().dialect.name
    triggers = _PG_TRIGGERS if dialect == "postgresql" else _SQLITE_TRIGGERS if dialect == "sqlite" else []
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        op.execute("DROP TRIGGER IF EXISTS section_version_voids_signoff"
                   + (" ON section_versions" if dialect == "postgresql" else ""))
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS void_signoff_on_new_version()")
    op.drop_table("signoffs")
    op.drop_table("findings")
