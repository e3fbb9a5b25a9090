"""Many rows into one table inside the caller's transaction, through the driver's own bulk path.

SQLAlchemy's executemany compiles and type-processes every row (~4 µs a row); a close writing a
million lines, or a batch of 100,000 records, spends more there than in the database. Rows here
are tuples of plain values, JSON columns already as text, handed to sqlite3's executemany or
psycopg2's execute_values; a column whose type the dialect converts on the way in (dates and
times on SQLite, stored as SQLAlchemy's own text form) goes through that type's converter, so the
rows read back exactly as rows SQLAlchemy wrote. The caller's session has already written in this
transaction, so SQLite's writer gate (services.common.storage.db.WriterGate) is held.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import JSON


def insert_rows(session, table, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    connection = session.connection()
    convert = [(i, _converter(table.c[name].type, connection.dialect)) for i, name in enumerate(columns)]
    convert = [(i, f) for i, f in convert if f is not None]
    if convert:
        rows = (_converted(row, convert) for row in rows)
    cursor = connection.connection.cursor()  # the transaction's own DBAPI connection
    names = ", ".join(columns)
    try:
        if connection.dialect.name == "postgresql":
            from psycopg2.extras import execute_values

            execute_values(
                cursor, f"INSERT INTO {table.name} ({names}) VALUES %s", list(rows), page_size=1000
            )
        else:
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)
    finally:
        cursor.close()


def _converter(type_, dialect):
    if isinstance(type_, JSON):  # the caller passes JSON text
        return None
    return type_.dialect_impl(dialect).bind_processor(dialect)


def _converted(row: tuple, convert) -> tuple:
    row = list(row)
    for i, function in convert:
        if row[i] is not None:
            row[i] = function(row[i])
    return tuple(row)
