"""Many rows into one table inside the caller's transaction, through the driver's own bulk path.

SQLAlchemy's executemany compiles and type-processes every row (~4 µs a row); a close writing a
million lines, or a batch of 100,000 records, spends more there than in the database. Rows here
are tuples already in the column's stored form (JSON columns as text), handed to sqlite3's
executemany or psycopg2's execute_values. The caller's session has already written in this
transaction, so SQLite's writer gate (services.common.db.WriterGate) is held.
"""
from __future__ import annotations

from typing import Iterable, Sequence


def insert_rows(session, table, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    connection = session.connection()
    cursor = connection.connection.cursor()  # the transaction's own DBAPI connection
    names = ", ".join(columns)
    try:
        if connection.dialect.name == "postgresql":
            from psycopg2.extras import execute_values
            execute_values(cursor, f"INSERT INTO {table.name} ({names}) VALUES %s", list(rows), page_size=1000)
        else:
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)
    finally:
        cursor.close()
