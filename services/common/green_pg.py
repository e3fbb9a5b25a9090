"""psycopg2 that waits for PostgreSQL as a green thread.

psycopg2 blocks in C while a query runs, and eventlet's monkey-patching does not reach C: every
query of one worker froze all the others, so ten concurrent callers queued behind each other's
round trips. psycopg2's documented hook (``extensions.set_wait_callback``) lets its connections
run asynchronously and hand each wait to a callback; this one parks the green thread on the
socket with eventlet's trampoline until PostgreSQL answers.
"""
from __future__ import annotations


def wait_green(connection, timeout=None):
    from eventlet.hubs import trampoline
    from psycopg2 import OperationalError, extensions

    while True:
        state = connection.poll()
        if state == extensions.POLL_OK:
            return
        if state == extensions.POLL_READ:
            trampoline(connection.fileno(), read=True)
        elif state == extensions.POLL_WRITE:
            trampoline(connection.fileno(), write=True)
        else:
            raise OperationalError(f"unexpected psycopg2 poll state {state!r}")


def make_psycopg2_green() -> None:
    """Install the callback for every psycopg2 connection of this process (idempotent)."""
    from psycopg2 import extensions

    if extensions.get_wait_callback() is not wait_green:
        extensions.set_wait_callback(wait_green)
