"""INSERT ... ON CONFLICT DO NOTHING for the two databases the services run on."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert_ignore(session, model, values: dict):
    """An INSERT of ``values`` that does nothing when the row's key already exists."""
    dialect = session.get_bind().dialect.name
    insert = _INSERTS.get(dialect)
    if insert is None:  # pragma: no cover - the services support SQLite and PostgreSQL
        raise NotImplementedError(f"insert_ignore on {dialect}")
    return insert(model).values(**values).on_conflict_do_nothing()
