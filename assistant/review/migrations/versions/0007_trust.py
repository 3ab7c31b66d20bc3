"""Trust: a keyed audit chain, and on PostgreSQL review state changed only through the service's functions.

- ``audit_log.key_id``: the fingerprint of the key that sealed a row (``assistant.review.auditkey.key_id``);
  rows sealed before this revision keep NULL and are verified with the old unkeyed formula, but only before the
  first keyed row (``assistant.review.audit.verify_chain``).
- PostgreSQL: the app role loses UPDATE on ``sections`` except the edit-hold columns, and UPDATE/DELETE on
  ``findings``. State changes go through SECURITY DEFINER functions owned by the owner role
  (``assistant.review.statefns``), which enforce the rules a bare UPDATE would skip: a section is approved,
  rejected or sent back only with the matching review row of that very version, a new version exists before a
  section points at it, a finding is resolved only by an active compliance user with a reason. SQLite: nothing
  (one local file, no roles).

Revision ID: 0007_trust
Revises: 0006_roles
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from assistant.review.roles import role_names

revision = "0007_trust"
down_revision = "0006_roles"
branch_labels = None
depends_on = None

_FUNCTIONS = """
CREATE OR REPLACE FUNCTION ra_set_section_state(p_section integer, p_lock integer, p_status text, p_version integer)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $fn$
DECLARE
  cur sections%ROWTYPE;
  wanted text;
  new_lock integer;
BEGIN
  SELECT * INTO cur FROM sections WHERE id = p_section;
  IF NOT FOUND THEN RAISE EXCEPTION 'ra_set_section_state: no section %', p_section; END IF;
  IF NOT EXISTS (SELECT 1 FROM section_versions WHERE section_pk = p_section AND number = p_version) THEN
    RAISE EXCEPTION 'ra_set_section_state: section % has no version %', p_section, p_version;
  END IF;
  IF p_status = 'draft' THEN
    IF p_version <= cur.current_version THEN
      RAISE EXCEPTION 'ra_set_section_state: a draft status comes only with a new version';
    END IF;
  ELSE
    wanted := CASE p_status WHEN 'approved' THEN 'approve' WHEN 'rejected' THEN 'reject'
                            WHEN 'changes_requested' THEN 'request_changes' END;
    IF wanted IS NULL THEN RAISE EXCEPTION 'ra_set_section_state: unknown status %', p_status; END IF;
    IF p_version <> cur.current_version OR NOT EXISTS (
        SELECT 1 FROM reviews WHERE section_pk = p_section AND version_number = p_version AND decision = wanted) THEN
      RAISE EXCEPTION 'ra_set_section_state: % needs a % review of the current version', p_status, wanted;
    END IF;
  END IF;
  UPDATE sections SET status = p_status, current_version = p_version, lock_version = lock_version + 1
   WHERE id = p_section AND lock_version = p_lock RETURNING lock_version INTO new_lock;
  RETURN new_lock;  -- NULL: someone changed the section since the caller read it
END
$fn$;

CREATE OR REPLACE FUNCTION ra_resolve_finding(p_finding integer, p_user integer, p_reason text)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $fn$
DECLARE
  n integer;
BEGIN
  IF coalesce(btrim(p_reason), '') = '' THEN RAISE EXCEPTION 'ra_resolve_finding: a reason is required'; END IF;
  IF NOT EXISTS (SELECT 1 FROM users WHERE id = p_user AND active AND role = 'compliance') THEN
    RAISE EXCEPTION 'ra_resolve_finding: only an active compliance user resolves findings';
  END IF;
  UPDATE findings SET status = 'resolved', resolved_by = p_user, reason = btrim(p_reason), resolved_at = now()
   WHERE id = p_finding AND status = 'open';
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$fn$;

CREATE OR REPLACE FUNCTION ra_close_findings_as_fixed(p_ids integer[], p_user integer, p_reason text)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $fn$
DECLARE
  n integer;
BEGIN
  IF coalesce(btrim(p_reason), '') = '' THEN RAISE EXCEPTION 'ra_close_findings_as_fixed: a reason is required'; END IF;
  IF NOT EXISTS (SELECT 1 FROM users WHERE id = p_user AND active AND role IN ('compliance', 'admin')) THEN
    RAISE EXCEPTION 'ra_close_findings_as_fixed: only an active compliance user or admin re-runs the checks';
  END IF;
  UPDATE findings SET status = 'resolved', resolved_by = p_user, reason = btrim(p_reason), resolved_at = now()
   WHERE id = ANY(p_ids) AND status = 'open';
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$fn$;

CREATE OR REPLACE FUNCTION ra_clear_open_findings(p_report integer)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $fn$
DECLARE
  n integer;
BEGIN
  DELETE FROM findings WHERE report_id = p_report AND status = 'open';
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$fn$;
"""
_NAMES = ("ra_set_section_state(integer, integer, text, integer)", "ra_resolve_finding(integer, integer, text)",
          "ra_close_findings_as_fixed(integer[], integer, text)", "ra_clear_open_findings(integer)")


def _schema() -> str:
    name = op.get_bind().execute(sa.text("SELECT current_schema()")).scalar()
    if not name:
        raise RuntimeError("no current schema: check search_path")
    return '"' + str(name).replace('"', '""') + '"'


def upgrade() -> None:
    # a plain ADD COLUMN (a batch copy of the table would drop its append-only triggers on SQLite); idempotent,
    # because a database stamped behind its real state is upgraded again (tests/hardening/test_pg_roles.py)
    if "key_id" not in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("audit_log")}:
        op.add_column("audit_log", sa.Column("key_id", sa.String(16), nullable=True))
    if op.get_bind().dialect.name != "postgresql":
        return
    _owner, app = role_names()
    op.execute(_FUNCTIONS.format(schema=_schema()))
    for fn in _NAMES:
        op.execute(f"REVOKE ALL ON FUNCTION {fn} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {fn} TO {app}")
    op.execute(f"REVOKE UPDATE ON sections FROM {app}")
    op.execute(f"GRANT UPDATE (holder_id, held_since, lock_version) ON sections TO {app}")
    op.execute(f"REVOKE UPDATE, DELETE ON findings FROM {app}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _owner, app = role_names()
        op.execute(f"GRANT UPDATE ON sections TO {app}")
        op.execute(f"GRANT UPDATE, DELETE ON findings TO {app}")
        for fn in _NAMES:
            op.execute(f"DROP FUNCTION IF EXISTS {fn}")
    # plain DROP COLUMN (SQLite >= 3.35): a batch copy would break the triggers that name audit_log
    op.drop_column("audit_log", "key_id")
