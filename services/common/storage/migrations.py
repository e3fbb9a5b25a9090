"""Each service's schema under Alembic: ``services/<name>/migrations/versions`` holds the
revisions of that service's own database, oldest first.

A service brings its database to the newest revision when it starts (``upgrade``), so a new
version of the suite is deployed by starting it: there is no separate step an operator could
forget. Two instances starting together take turns (PostgreSQL: an advisory lock; SQLite: the
file's write lock). A database made before the suite had migrations (its tables created
directly, and no ``alembic_version`` table) holds exactly revision 0001's schema: it is marked
as at 0001 and upgraded from there.

A developer changing a model writes the next revision (the root alembic.ini names every service):

    .venv/bin/alembic -n compensation -x url=sqlite:////tmp/c.db upgrade head
    .venv/bin/alembic -n compensation -x url=sqlite:////tmp/c.db revision --autogenerate -m "..."

and tests/services/common/test_migrations.py checks that every service's revisions build exactly
its models' tables.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

ROOT = Path(__file__).resolve().parents[3]  # holds services/<name>/migrations, also when installed
BASELINE = "0001"
log = logging.getLogger("kam.migrations")


def config(service: str, connection=None) -> Config:
    """The Alembic configuration of a service's migrations; ``connection``: run on it."""
    cfg = Config()  # no file: the root alembic.ini is for the command line, not installed
    cfg.set_main_option("script_location", str(ROOT / "services" / service / "migrations"))
    cfg.attributes["connection"] = connection
    return cfg


def current(connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


@functools.cache
def head(service: str) -> str | None:
    """The newest revision of the service's migrations (what a migrated database is at)."""
    return ScriptDirectory.from_config(config(service)).get_current_head()


def prepare(engine, metadata) -> None:
    """What a service does with its database on start: the newest schema, made once however many
    instances start together. ``metadata`` names its service (services.common.storage.db.new_base);
    without, its tables are created as they are (test and bench services)."""
    service = metadata.info.get("migrations")
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # the others wait here and find it done (two creating tables at once failed on
            # PostgreSQL's catalogue)
            connection.execute(text("SELECT pg_advisory_xact_lock(hashtextextended('kam:create_tables', 0))"))
        else:  # SQLite: the file's write lock taken now, and the schema's DDL in the transaction
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        if service is not None:
            upgrade(connection, service)
        else:
            metadata.create_all(connection)


def upgrade(connection, service: str) -> None:
    """Bring the service's database on ``connection`` to the newest revision (in the caller's
    transaction)."""
    cfg = config(service, connection)
    if current(connection) is None and _has_tables(connection, service):
        log.warning("%s: database made before migrations; marked as at revision %s", service, BASELINE)
        command.stamp(cfg, BASELINE)
    command.upgrade(cfg, "head")


def _has_tables(connection, service: str) -> bool:
    """Whether the database already holds this service's tables (made by create_all before)."""
    return "outbox" in inspect(connection).get_table_names()


def run_env(context, metadata) -> None:
    """The body of every service's migrations/env.py: online only, on the connection the service
    (or a test) passed, or on ``-x url=...`` from the alembic command line."""
    cfg = context.config
    connection = cfg.attributes.get("connection")
    if connection is not None:
        _run(context, connection, metadata)
        return
    url = context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        raise SystemExit("give the database: alembic -n <service> -x url=<database URL> ...")
    engine = create_engine(url)
    with engine.begin() as connection:
        _run(context, connection, metadata)
    engine.dispose()


def _run(context, connection, metadata) -> None:
    # SQLite alters a table by copying it (batch mode); compare_type: a changed column type is a
    # change a revision must carry
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():  # the caller's, when it has one open
        context.run_migrations()
