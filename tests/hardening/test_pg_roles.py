"""PostgreSQL: the app connects as a role that owns no table (migration 0006_roles), on the real server.

An administrator (here ``postgres``, a superuser) upgrades a fresh schema; the app, connected as ``ra_app``, then
imports a report, saves an edit, signs in and signs off like always, but cannot alter, drop, truncate or un-trigger
anything, and the append-only triggers still refuse it. Connected as ``ra_app`` to a schema behind this program,
``init_db`` stops with one message naming the upgrade command.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from review_factories import PASSWORD, make_report, seed_users, sign_off_report, write_out_dir
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from assistant.cli import main
from assistant.errors import ReviewError
from assistant.review import ReviewService, add_user, authenticate, init_db
from assistant.review.database import head_revision, upgrade_db
from assistant.review.roles import become_owner, create_roles_sql

ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/{db}?options=-csearch_path%3D{schema}"
APP = "postgresql+psycopg://ra_app@127.0.0.1:5432/{db}?options=-csearch_path%3D{schema}"


def _admin():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", autocommit=True, connect_timeout=3)


@pytest.fixture
def schema(pg_run_prefix: str) -> str:
    name = f"{pg_run_prefix}_{uuid.uuid4().hex[:6]}"
    with _admin() as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    return name


@pytest.fixture
def upgraded(schema: str) -> Iterator[tuple[str, str]]:
    """(admin URL, app URL) of a schema the administrator brought to head."""
    admin = ADMIN.format(db="test", schema=schema)
    assert upgrade_db(admin) == (None, head_revision())
    yield admin, APP.format(db="test", schema=schema)


def _refusal(app_url: str, statement: str) -> DBAPIError:
    engine = create_engine(app_url)
    try:
        with pytest.raises(DBAPIError) as caught, engine.begin() as conn:
            conn.execute(text(statement))
        return caught.value
    finally:
        engine.dispose()


def test_the_app_role_runs_the_app_and_owns_nothing(upgraded: tuple[str, str], tmp_path: Path) -> None:
    _admin_url, app_url = upgraded
    service = ReviewService.open(app_url)  # init_db as ra_app: at head, nothing to do
    try:
        with service.engine.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar() == "ra_app"
            owned = conn.execute(text("SELECT count(*) FROM pg_class WHERE relowner = 'ra_app'::regrole")).scalar()
            assert owned == 0
        users = seed_users(service)
        report_id = service.import_report(write_out_dir(tmp_path / "out", make_report(2)), users["analyst"])
        section = service.sections(report_id)[0]
        version = service.save_edit(section.pk, section.current_version, "改写后的段落 [1]。", users["editor"])
        assert version.number == section.current_version + 1
        assert authenticate(service.engine, "editor", PASSWORD) is not None
        for s in service.sections(report_id):  # four eyes: the admin approves the editor's own version
            service.approve(s.pk, s.current_version, users["admin" if s.pk == section.pk else "editor"])
        sign_off_report(service, users["compliance"], report_id)
        assert service.export_gate(report_id).allowed
    finally:
        service.engine.dispose()


REFUSED_DDL = [
    "ALTER TABLE audit_log ADD COLUMN note text",
    "DROP TRIGGER audit_log_no_update_delete ON audit_log",
    "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete",
    "ALTER TABLE section_versions DISABLE TRIGGER ALL",
    "TRUNCATE audit_log",
    "DROP TABLE audit_log",
    "CREATE TABLE shadow (x int)",
    "CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger AS $$ BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql",
    "UPDATE alembic_version SET version_num = '0001_initial'",
]


def test_the_app_role_cannot_alter_drop_truncate_or_lift_a_trigger(upgraded: tuple[str, str]) -> None:
    _admin_url, app_url = upgraded
    for statement in REFUSED_DDL:
        error = _refusal(app_url, statement)
        assert getattr(error.orig, "sqlstate", None) == "42501", (statement, error.orig)  # insufficient_privilege
        assert "must be owner" in str(error.orig) or "permission denied" in str(error.orig), statement


def test_the_append_only_triggers_still_refuse_the_app_role(upgraded: tuple[str, str], tmp_path: Path) -> None:
    _admin_url, app_url = upgraded
    service = ReviewService.open(app_url)
    try:
        users = seed_users(service)
        report_id = service.import_report(write_out_dir(tmp_path / "out", make_report(2)), users["analyst"])
        for s in service.sections(report_id):
            service.approve(s.pk, s.current_version, users["editor"])
        sign_off_report(service, users["compliance"], report_id)
    finally:
        service.engine.dispose()
    for statement, says in [("UPDATE section_versions SET markdown = '篡改的已签字正文'", "append-only"),
                            ("DELETE FROM audit_log WHERE id = (SELECT min(id) FROM audit_log)", "append-only"),
                            ("DELETE FROM signoffs", "append-only")]:
        error = _refusal(app_url, statement)
        assert says in str(error.orig), (statement, error.orig)


def test_init_db_as_the_app_role_on_a_schema_behind_stops_with_one_message(upgraded: tuple[str, str]) -> None:
    admin_url, app_url = upgraded
    engine = create_engine(admin_url)
    with engine.begin() as conn:  # as if this program were one migration newer than the database
        conn.execute(text("UPDATE alembic_version SET version_num = '0005_hardening'"))
    with pytest.raises(ReviewError) as caught:
        init_db(app_url)
    message = str(caught.value)
    assert "0005_hardening" in message and head_revision() in message
    assert "python -m assistant db upgrade" in message and "ra_app" in message
    assert "Traceback" not in message and "psycopg.errors" not in message and "\n" not in message
    assert upgrade_db(admin_url) == ("0005_hardening", head_revision())  # 0006 runs again, idempotent
    init_db(app_url).dispose()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT current_user")).scalar() == "postgres"  # SET LOCAL ROLE did not leak
    engine.dispose()


def test_init_db_as_the_app_role_on_an_empty_schema_creates_nothing(schema: str, upgraded: tuple[str, str]) -> None:
    with _admin() as conn:  # `upgraded` made sure the roles exist; this schema was never migrated
        conn.execute(f'CREATE SCHEMA "{schema}_empty"')
        conn.execute(f'GRANT USAGE ON SCHEMA "{schema}_empty" TO ra_app')
    with pytest.raises(ReviewError, match=r"尚未建立结构.*db upgrade"):
        init_db(APP.format(db="test", schema=f"{schema}_empty"))
    with _admin() as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = %s", (f"{schema}_empty",)).fetchone()
    assert tables == (0,)


def test_what_a_later_migration_creates_is_the_owners_and_granted_to_the_app(upgraded: tuple[str, str]) -> None:
    admin_url, app_url = upgraded
    engine = create_engine(admin_url)
    with engine.begin() as conn:  # what the Alembic environment does before each later step
        assert become_owner(conn, "ra_owner")
        conn.execute(text("CREATE TABLE later_notes (id serial PRIMARY KEY, note text)"))
    with engine.connect() as conn:
        owner = conn.execute(text("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'later_notes'::regclass"))
        assert owner.scalar() == "ra_owner"
    engine.dispose()
    app = create_engine(app_url)
    with app.begin() as conn:
        conn.execute(text("INSERT INTO later_notes (note) VALUES ('by the app')"))
    app.dispose()
    assert getattr(_refusal(app_url, "DROP TABLE later_notes").orig, "sqlstate", None) == "42501"


def test_db_cli_upgrades_with_the_admin_url_and_reports_status(schema: str,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    admin_url = ADMIN.format(db="test", schema=schema)
    assert main(["db", "upgrade", "--db", admin_url]) == 0
    out = capsys.readouterr().out
    assert head_revision() in out and "ra_app" in out and "ra_owner" in out
    assert main(["db", "status", "--db", APP.format(db="test", schema=schema)]) == 0
    assert "连接角色：ra_app" in capsys.readouterr().out
    assert main(["db", "upgrade", "--db", admin_url]) == 0
    assert "已是最新结构" in capsys.readouterr().out


def test_role_creation_is_race_safe() -> None:
    """Roles are cluster-wide: two databases migrated at once both find the role absent. The second CREATE ROLE
    waits for the first transaction, then fails on the unique name, which the migration's DO block absorbs."""
    import psycopg

    tag = uuid.uuid4().hex[:8]
    owner, app = f"i16_owner_{tag}", f"i16_app_{tag}"
    sql = create_roles_sql(owner, app)
    first = psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test")
    second = psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test")
    outcome: dict[str, object] = {}

    def run_second() -> None:
        try:
            second.execute(sql)
            second.commit()
            outcome["ok"] = True
        except psycopg.Error as exc:  # reported by the assertion below
            outcome["error"] = exc

    try:
        first.execute(sql)  # both roles inserted, not committed
        thread = threading.Thread(target=run_second)
        thread.start()
        with _admin() as conn:  # the second is blocked on the first's uncommitted role, not done already
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and conn.execute(
                    "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
                    (second.info.backend_pid,)).fetchone() != ("Lock",):
                time.sleep(0.05)
            assert thread.is_alive()
        first.commit()
        thread.join(timeout=10)
        assert outcome == {"ok": True}
        with _admin() as conn:
            roles = conn.execute("SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname IN (%s, %s) ORDER BY 1",
                                 (owner, app)).fetchall()
        assert roles == [(app, True), (owner, False)]
    finally:
        first.close()
        second.close()
        with _admin() as conn:
            conn.execute(f"DROP ROLE IF EXISTS {app}")
            conn.execute(f"DROP ROLE IF EXISTS {owner}")


def test_the_job_queue_works_as_the_app_role(upgraded: tuple[str, str]) -> None:
    """The queue's huey_* tables come from 0006: the app role sends and takes messages without creating any."""
    from assistant.jobs.queue import JobQueue

    _admin_url, app_url = upgraded
    taken: list[str] = []
    queue = JobQueue(app_url, runner=taken.append)
    try:
        queue.send("job-1")
        assert queue.pending() == 1
        task = queue.huey.dequeue()
        assert task is not None
        queue.huey.execute(task)
        assert taken == ["job-1"] and queue.pending() == 0
    finally:
        queue.close()


def test_a_non_superuser_administrator_can_run_the_migrations(pg_run_prefix: str) -> None:
    """The production case: the administrator is not a superuser, only CREATEROLE and the schema's owner. 0006
    makes it a member of ra_owner, so it can hand the tables over and run later migrations as the owner."""
    tag = uuid.uuid4().hex[:8]
    admin_role, schema = f"i16_admin_{tag}", f"{pg_run_prefix}_adm_{tag}"
    with _admin() as conn:
        conn.execute(f"CREATE ROLE {admin_role} LOGIN CREATEROLE")
        conn.execute(f'CREATE SCHEMA "{schema}" AUTHORIZATION {admin_role}')
    admin_url = f"postgresql+psycopg://{admin_role}@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
    try:
        assert upgrade_db(admin_url) == (None, head_revision())
        engine = create_engine(admin_url)
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '0005_hardening'"))
        engine.dispose()
        assert upgrade_db(admin_url) == ("0005_hardening", head_revision())  # re-run as the owner role
        app = init_db(APP.format(db="test", schema=schema))
        add_user(app, "editor", "editor", PASSWORD)
        assert authenticate(app, "editor", PASSWORD) is not None
        app.dispose()
        with _admin() as conn:
            owners = conn.execute("SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class c JOIN pg_namespace n "
                                  "ON n.oid = c.relnamespace WHERE n.nspname = %s AND relkind = 'r'",
                                  (schema,)).fetchall()
        assert owners == [("ra_owner",)]
    finally:
        with _admin() as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            conn.execute(f"REVOKE ra_owner FROM {admin_role}")
            conn.execute(f"DROP ROLE IF EXISTS {admin_role}")


def test_the_app_role_changes_review_state_only_through_the_services_functions(
        upgraded: tuple[str, str], tmp_path: Path) -> None:
    """The red team approved by UPDATE and deleted open findings as ra_app; both are refused now, and the
    owner's functions refuse what the service would never do (approving without a review of that version)."""
    _admin_url, app_url = upgraded
    service = ReviewService.open(app_url)
    try:
        users = seed_users(service)
        report_id = service.import_report(write_out_dir(tmp_path / "out", make_report(2)), users["analyst"])
        section = service.sections(report_id)[0]
    finally:
        service.engine.dispose()
    for statement in ["UPDATE sections SET status = 'approved'", "UPDATE sections SET current_version = 1",
                      "DELETE FROM findings WHERE status = 'open'", "UPDATE findings SET status = 'resolved'"]:
        error = _refusal(app_url, statement)
        assert getattr(error.orig, "sqlstate", None) == "42501", (statement, error.orig)
    error = _refusal(app_url, f"SELECT ra_set_section_state({section.pk}, {section.lock_version}, 'approved', 1)")
    assert "needs a approve review" in str(error.orig)
    error = _refusal(app_url, f"SELECT ra_resolve_finding(1, {users['editor'].id}, 'x')")
    assert "compliance" in str(error.orig)
