"""Each service's Alembic revisions (services/<name>/migrations) against its models, on SQLite and
a real PostgreSQL: what a service makes of a new database, of one made before migrations, and
of two instances starting on the same database at once."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from services.common.storage import migrations

SERVICES = ("intake", "escalation", "assessment", "compensation", "notify")


def _head(service: str) -> str:
    heads = ScriptDirectory.from_config(migrations.config(service)).get_heads()
    assert len(heads) == 1, f"{service} has revisions that branch: {heads}"
    return heads[0]


@pytest.fixture(params=["sqlite", "postgresql"])
def new_url(request, tmp_path, pg_url_factory):
    def make(name):
        return f"sqlite:///{tmp_path / name}.db" if request.param == "sqlite" else pg_url_factory(name)

    return make


@pytest.mark.parametrize("service", SERVICES)
def test_revisions_build_exactly_the_models_tables(service, new_url):
    models = importlib.import_module(f"services.{service}.models")
    engine = sa.create_engine(new_url(service))
    try:
        migrations.prepare(engine, models.Base.metadata)
        migrations.prepare(engine, models.Base.metadata)  # a restart: nothing to do, nothing fails
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, models.Base.metadata) == []
            assert migrations.current(connection) == _head(service)
        # the audit trail is append-only in the database itself (revision 0001's triggers)
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO audit_log (at, principal, service, action, outcome, correlation_id) "
                    "VALUES ('2026-11-27 01:00:00', 'root', :service, 'close_month', 'done', 'c1')"
                ),
                {"service": service},
            )
        for statement in ("UPDATE audit_log SET principal = 'someone else'", "DELETE FROM audit_log"):
            with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as connection:
                connection.execute(sa.text(statement))
    finally:
        engine.dispose()


def test_a_database_made_before_migrations_is_marked_and_upgraded_with_its_rows(tmp_path, caplog):
    from services.compensation.models import Base

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        # exactly what the suite made before it had migrations: revision 0001's tables, unversioned
        with engine.begin() as connection:
            command.upgrade(migrations.config("compensation", connection), migrations.BASELINE)
            connection.exec_driver_sql("DROP TABLE alembic_version")
            connection.exec_driver_sql(
                "INSERT INTO sheets (business_line, period, version, status, plugin, totals, closed_at) "
                "VALUES ('sw', '2026-Q1', 1, 'closed', 'software', '{}', '2026-04-01 00:00:00')"
            )
            connection.exec_driver_sql(
                "INSERT INTO sheet_lines (sheet_id, seq, person, role, figure, unit, kind, clause, line) "
                "VALUES (1, 0, 'a1', 'account_manager', '5', 'CNY', 'bonus', '002/KAP §三', "
                '\'{"figure": "5.00"}\')'
            )
        migrations.prepare(engine, Base.metadata)
        with engine.connect() as connection:
            assert migrations.current(connection) == _head("compensation")
            assert connection.exec_driver_sql("SELECT period, version FROM sheets").fetchall() == [
                ("2026-Q1", 1)
            ]
        # 0002: a row written before holds one line, and is read (and paged) as it was
        from sqlalchemy.orm import Session

        from services.common.periods import ledger
        from services.compensation.models import Sheet, SheetLine

        with Session(engine) as session:
            sheet = session.get(Sheet, 1)
            assert ledger.Ledger(Sheet, SheetLine).sheet_dict(session, sheet, page=1, page_size=10)[
                "lines"
            ] == [{"figure": "5.00"}]
            assert ledger.Ledger(Sheet, SheetLine).summary_dict(session, sheet)["line_count"] == 1
        assert "made before migrations" in caplog.text
    finally:
        engine.dispose()


PREPARE = """
import sys, sqlalchemy as sa
from services.common.storage import migrations
from services.intake.models import Base
migrations.prepare(sa.create_engine(sys.argv[1]), Base.metadata)
"""


def test_instances_starting_together_migrate_once(pg_url_factory):
    url = pg_url_factory("together")
    starts = [
        subprocess.Popen([sys.executable, "-c", PREPARE, url], stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    errors = [p.communicate(timeout=120)[1] for p in starts]
    assert [p.returncode for p in starts] == [0, 0, 0], errors
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").fetchall() == [
                (_head("intake"),)
            ]
    finally:
        engine.dispose()
