"""Hardening: content-bound sign-offs, append-only versions/reviews/sign-offs/findings, a hash-chained audit log.

- ``signoffs.text_hashes``: {section_id: sha256 of the signed version's text}; the export re-verifies it.
- ``audit_log.prev_hash`` / ``row_hash``: the chain ``assistant.review.audit`` writes and ``verify`` checks. Rows
  already in the log are sealed here once, in id order (the append-only trigger is lifted for that step only).
- Triggers refuse UPDATE and DELETE on ``section_versions``, ``reviews`` and ``signoffs``; on ``findings`` they
  refuse deleting a resolved finding and changing anything but an open finding's resolution (the re-check
  replaces open findings, the compliance officer resolves them; nothing else may touch one).

Revision ID: 0005_hardening
Revises: 0002_compliance (re-chained after 0003/0004 at merge)
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005_hardening"
down_revision = "0004_jobs"
branch_labels = None
depends_on = None

_APPEND_ONLY = ("section_versions", "reviews", "signoffs")
_FINDING_CONTENT = ("report_id", "section_id", "version", "kind", "severity", "sentence", "evidence", "detail",
                    "marker", "created_at")


def _pg_statements() -> list[str]:
    out = ["""CREATE FUNCTION refuse_change() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP; END;
    $$ LANGUAGE plpgsql"""]
    for table in _APPEND_ONLY:
        out.append(f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION refuse_change()""")
        out.append(f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()""")
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in _FINDING_CONTENT)
    out.append(f"""CREATE FUNCTION findings_guard() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        IF OLD.status = 'resolved' THEN RAISE EXCEPTION 'findings: a resolved finding cannot be deleted'; END IF;
        RETURN OLD;
      END IF;
      IF OLD.status = 'resolved' OR {changed.replace("NEW.detail IS DISTINCT FROM OLD.detail",
                                                     "NEW.detail::text IS DISTINCT FROM OLD.detail::text")} THEN
        RAISE EXCEPTION 'findings: only an open finding''s resolution may change';
      END IF;
      RETURN NEW;
    END;
    $$ LANGUAGE plpgsql""")
    out.append("""CREATE TRIGGER findings_guard BEFORE UPDATE OR DELETE ON findings
    FOR EACH ROW EXECUTE FUNCTION findings_guard()""")
    return out


def _sqlite_statements() -> list[str]:
    out = []
    for table in _APPEND_ONLY:
        for op_name in ("UPDATE", "DELETE"):
            out.append(f"""CREATE TRIGGER {table}_no_{op_name.lower()} BEFORE {op_name} ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op_name} refused'); END""")
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _FINDING_CONTENT)
    out.append(f"""CREATE TRIGGER findings_no_content_update BEFORE UPDATE ON findings
    WHEN OLD.status = 'resolved' OR {changed}
    BEGIN SELECT RAISE(ABORT, 'findings: only an open finding''s resolution may change'); END""")
    out.append("""CREATE TRIGGER findings_no_resolved_delete BEFORE DELETE ON findings WHEN OLD.status = 'resolved'
    BEGIN SELECT RAISE(ABORT, 'findings: a resolved finding cannot be deleted'); END""")
    return out


def _utc_text(value: Any) -> str:
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return str(value.isoformat(timespec="seconds"))


def _seal_existing(bind: sa.engine.Connection) -> None:
    """Chain the rows already logged (same formula as assistant.review.audit.chain_hash, frozen here)."""
    rows = bind.execute(sa.text(
        "SELECT id, user_id, actor, action, object_type, object_id, before_version, after_version, detail, "
        "created_at FROM audit_log ORDER BY id")).all()
    prev = "0" * 64
    for row in rows:
        detail = row.detail if isinstance(row.detail, dict) else json.loads(row.detail or "{}")
        content = json.dumps([row.user_id, row.actor, row.action, row.object_type, row.object_id,
                              row.before_version, row.after_version, detail, _utc_text(row.created_at)],
                             ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
        digest = hashlib.sha256((prev + content).encode("utf-8")).hexdigest()
        bind.execute(sa.text("UPDATE audit_log SET prev_hash = :p, row_hash = :h WHERE id = :i"),
                     {"p": prev, "h": digest, "i": row.id})
        prev = digest


def upgrade() -> None:
    op.add_column("signoffs", sa.Column("text_hashes", sa.JSON, nullable=True))
    op.add_column("audit_log", sa.Column("prev_hash", sa.String(64), nullable=True))
    op.add_column("audit_log", sa.Column("row_hash", sa.String(64), nullable=True))
    bind = op.get_bind()
    dialect = bind.dialect.name
    if dialect == "postgresql":
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete")
        _seal_existing(bind)
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete")
        statements = _pg_statements()
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        _seal_existing(bind)
        op.execute("""CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END""")
        statements = _sqlite_statements()
    else:
        statements = []
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for table in _APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP TRIGGER IF EXISTS findings_guard ON findings")
        op.execute("DROP FUNCTION IF EXISTS findings_guard()")
        op.execute("DROP FUNCTION IF EXISTS refuse_change()")
    elif dialect == "sqlite":
        for table in _APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        op.execute("DROP TRIGGER IF EXISTS findings_no_content_update")
        op.execute("DROP TRIGGER IF EXISTS findings_no_resolved_delete")
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch copy of audit_log would break the 0002 trigger.
    for table, column in (("audit_log", "row_hash"), ("audit_log", "prev_hash"), ("signoffs", "text_hashes")):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
