"""psycopg2 made cooperative under eventlet.

A nameko service runs its workers as green threads on one OS thread. psycopg2 is a C extension:
unless it is given a wait callback, each query blocks that thread, and every other worker of the
process (RPC calls, event handlers, the metrics endpoint, heartbeats) waits for the database too.
psycogreen's callback runs each query in psycopg2's asynchronous mode and yields to the eventlet
hub while the server works, so a process has as many queries in flight as it has workers.

``services.serve`` makes it green right after eventlet patches the standard library (and the
tests' conftest does, so that the services they start in-process run as deployed). Code that
must know, such as the line lock (services.common.storage.locks: it waits inside PostgreSQL when
it may, and polls when a wait would block the whole process), asks ``is_green()``.
"""

from __future__ import annotations


def make_green() -> bool:
    """Give psycopg2 eventlet's wait callback; False when psycopg2 is not installed (SQLite only)."""
    try:
        from psycogreen.eventlet import patch_psycopg
    except ImportError:  # no psycopg2 (or no psycogreen): nothing to make green
        return False
    patch_psycopg()
    return True


def is_green() -> bool:
    """Whether psycopg2's queries yield to eventlet in this process."""
    try:
        from psycopg2 import extensions
    except ImportError:
        return False
    return extensions.get_wait_callback() is not None
