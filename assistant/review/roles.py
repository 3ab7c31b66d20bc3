"""PostgreSQL roles: an owner role that holds the schema, an app role that only reads and writes rows.

The app (UI, CLI, workers) connects as the app role (default ``ra_app``, LOGIN). It owns no table, so it cannot
``ALTER``, ``DROP``, ``TRUNCATE`` or disable a trigger: the append-only triggers of the audit log, versions, reviews
and sign-offs bind it like any other client. The tables, sequences and trigger functions belong to the owner role
(default ``ra_owner``, NOLOGIN); an administrator who is a member of it (or a superuser) runs the migrations.

Migration ``0006_roles`` creates both roles (race-safe: roles are cluster-wide, and many databases may be migrated
at once) and hands the schema over. Every later migration runs as the owner role (``become_owner`` is called by the
Alembic environment), so what it creates is owned by the owner and gets the app role's grants through the default
privileges set here. SQL is built from role names checked against ``settings.ROLE_NAME_PATTERN``.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, text

from assistant.errors import ConfigError
from assistant.settings import ROLE_NAME_PATTERN, Settings

__all__ = ["become_owner", "can_run_ddl", "create_roles_sql", "grant_sql", "revoke_sql", "role_names"]

_ROLE_RE = re.compile(ROLE_NAME_PATTERN)
# Objects an extension installed in the schema (e.g. in ``public``) stay the extension's.
_EXTENSION_MEMBER = ("SELECT FROM pg_catalog.pg_depend e WHERE e.classid = 'pg_class'::regclass "
                     "AND e.objid = c.oid AND e.deptype = 'e'")
_EXTENSION_FUNCTION = ("SELECT FROM pg_catalog.pg_depend e WHERE e.classid = 'pg_proc'::regclass "
                       "AND e.objid = p.oid AND e.deptype = 'e'")


def role_names(settings: Settings | None = None) -> tuple[str, str]:
    """``(owner, app)`` from the settings (``RA_DB_OWNER_ROLE`` / ``RA_DB_APP_ROLE``), checked."""
    settings = settings or Settings()
    owner, app = settings.db_owner_role, settings.db_app_role
    for name in (owner, app):
        if not _ROLE_RE.match(name):  # the settings pattern already refuses it; this guards direct callers
            raise ConfigError(f"数据库角色名 {name!r} 无效：只能含小写字母、数字、下划线，且不以数字开头")
    if owner == app:
        raise ConfigError(f"表的所有者角色与应用连接角色不能相同（都是 {owner}）")
    return owner, app


def create_roles_sql(owner: str, app: str) -> str:
    """Create both roles unless present, and make the migrating user a member of the owner role.

    Two databases migrated at once both see "absent"; the second CREATE then waits for the first transaction and
    fails with a unique violation (or duplicate_object), which is caught: the role exists, which is all we need.
    """
    return f"""DO $roles$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{owner}') THEN
    BEGIN
      CREATE ROLE {owner} NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{app}') THEN
    BEGIN
      CREATE ROLE {app} LOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END IF;
  IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = '{app}') THEN
    RAISE EXCEPTION 'role {app} is a superuser: the app role must own and bypass nothing';
  END IF;
  -- a non-superuser administrator must be able to SET ROLE {owner} for later migrations (a superuser can anyway)
  IF NOT pg_catalog.pg_has_role(session_user, '{owner}', 'MEMBER') THEN
    BEGIN
      EXECUTE format('GRANT {owner} TO %I', session_user);
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END IF;
END
$roles$"""


def _hand_over_sql(to: str) -> str:
    """PL/pgSQL loops giving the current schema's tables, free sequences and trigger functions to ``to`` (an SQL
    expression naming a role: a quoted literal, or ``session_user``); extension members are left alone. Needs the
    ``s`` (schema) and ``r`` (record) variables of the surrounding block."""
    return f"""  FOR r IN SELECT c.oid::regclass AS rel FROM pg_catalog.pg_class c
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = s AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
             AND NOT EXISTS ({_EXTENSION_MEMBER}) LOOP
    EXECUTE format('ALTER TABLE %s OWNER TO %I', r.rel, {to});
  END LOOP;
  -- sequences not tied to a column (those followed their table above)
  FOR r IN SELECT c.oid::regclass AS rel FROM pg_catalog.pg_class c
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = s AND c.relkind = 'S'
             AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_class'::regclass
                             AND d.objid = c.oid AND d.deptype IN ('a', 'i')) LOOP
    EXECUTE format('ALTER SEQUENCE %s OWNER TO %I', r.rel, {to});
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS fn FROM pg_catalog.pg_proc p
           JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = s AND p.prorettype = 'trigger'::regtype
             AND NOT EXISTS ({_EXTENSION_FUNCTION}) LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO %I', r.fn, {to});
  END LOOP;"""


def grant_sql(owner: str, app: str) -> str:
    """Hand the current schema to ``owner``; give ``app`` only what the program does with rows.

    Tables (and the sequences behind their serial columns, which follow them) and functions (the trigger
    functions) change owner; extension members are left alone. ``app`` gets USAGE on the schema, SELECT/INSERT/UPDATE/DELETE on tables (no
    TRUNCATE, REFERENCES or TRIGGER), only SELECT on ``alembic_version``, USAGE/SELECT on sequences, EXECUTE on the
    functions; CREATE on the schema is taken from PUBLIC and ``app``. Default privileges give tables, sequences and
    functions the owner creates later the same grants.
    """
    return f"""DO $grants$
DECLARE
  s text := current_schema();
  r record;
BEGIN
  IF s IS NULL THEN
    RAISE EXCEPTION 'no current schema: check search_path';
  END IF;
  EXECUTE format('GRANT USAGE, CREATE ON SCHEMA %I TO {owner}', s);
  EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM PUBLIC', s);
  EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM {app}', s);
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO {app}', s);
{_hand_over_sql(f"'{owner}'")}
  EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM PUBLIC', s);
  EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM {app}', s);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO {app}', s);
  EXECUTE format('REVOKE INSERT, UPDATE, DELETE ON TABLE %I.alembic_version FROM {app}', s);
  EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO {app}', s);
  EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA %I TO {app}', s);
  EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA %I '
                 'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}', s);
  EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA %I '
                 'GRANT USAGE, SELECT ON SEQUENCES TO {app}', s);
  EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA %I GRANT EXECUTE ON FUNCTIONS TO {app}', s);
END
$grants$"""


def revoke_sql(owner: str, app: str) -> str:
    """Undo ``grant_sql``: the schema's objects back to the migrating user, the app role's rights taken away.

    The roles stay: they are cluster-wide and may serve other databases.
    """
    return f"""DO $revoke$
DECLARE
  s text := current_schema();
  r record;
BEGIN
  EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA %I '
                 'REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM {app}', s);
  EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA %I '
                 'REVOKE USAGE, SELECT ON SEQUENCES FROM {app}', s);
  EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA %I REVOKE EXECUTE ON FUNCTIONS FROM {app}', s);
  EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM {app}', s);
  EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM {app}', s);
  EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA %I FROM {app}', s);
{_hand_over_sql('session_user')}
  EXECUTE format('REVOKE ALL ON SCHEMA %I FROM {app}', s);
  EXECUTE format('REVOKE ALL ON SCHEMA %I FROM {owner}', s);
END
$revoke$"""


def become_owner(connection: Connection, owner: str) -> bool:
    """Run the rest of this transaction as ``owner`` once the schema is the owner's (after ``0006_roles``).

    Called by the Alembic environment before the first and after every migration step, so a later migration's
    tables are the owner's and get the app role's grants from the default privileges. ``SET LOCAL``: the role
    ends with the transaction, a pooled connection is never left switched. No-op when the schema is not handed
    over yet, when already the owner, or when the session user may not take the role (a superuser always may).
    """
    if connection.dialect.name != "postgresql":
        return False
    owned = connection.execute(text(
        "SELECT pg_catalog.pg_get_userbyid(c.relowner) = :owner AND current_user <> :owner "
        "FROM pg_catalog.pg_class c WHERE c.oid = to_regclass('alembic_version')"), {"owner": owner}).scalar()
    if not owned:
        return False
    member = connection.execute(text("SELECT pg_catalog.pg_has_role(session_user, :owner, 'MEMBER')"),
                                {"owner": owner}).scalar()
    if not member:
        return False
    connection.execute(text(f"SET LOCAL ROLE {owner}"))
    return True


def can_run_ddl(connection: Connection, app: str) -> tuple[bool, str]:
    """Whether the connected role may upgrade the schema, and its name (for the message when it may not).

    The app role never may (even where PUBLIC still has CREATE on ``public``, as before PostgreSQL 15: it must not
    end up owning the tables it is meant to be kept from altering). Others may if superuser or allowed to create
    in the current schema.
    """
    row = connection.execute(text(
        "SELECT current_user, r.rolsuper, "
        "COALESCE(has_schema_privilege(current_schema(), 'CREATE'), false) "
        "FROM pg_catalog.pg_roles r WHERE r.rolname = current_user")).one()
    user, superuser, create = str(row[0]), bool(row[1]), bool(row[2])
    return (superuser or (create and user != app)), user
