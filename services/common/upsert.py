"""INSERT ... ON CONFLICT DO NOTHING for the two databases the services run on."""
from __future__ import annotations


def insert_ignore(session, model, values: dict):
    """An INSERT of ``values`` that does nothing when the row's key already exists."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the services support SQLite and PostgreSQL
        raise NotImplementedError(f"insert_ignore on {dialect}")
    return insert(model).values(**values).on_conflict_do_nothing()
