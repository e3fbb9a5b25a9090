"""Which failures are outages (worth retrying for minutes) and which are the message's own fault.

An event handler that fails on an outage — the service's database down or restarting, the broker
gone, a lost race on a unique key — is retried with growing delays until the outage is over. Any
other failure (a bug, a payload the code cannot handle) is a poison message: it is parked after a
few attempts so it never blocks or loops.
"""

from __future__ import annotations

import socket

import amqp.exceptions
import kombu.exceptions
from sqlalchemy import exc as sa

from kamkit.errors import SuiteError, Unavailable


class NotYet(SuiteError):
    """The event depends on another one that has not arrived yet (a follow-up overtaking its
    opportunity): retry it later."""

    code = "not_yet"


def _transient_types() -> tuple[type[BaseException], ...]:
    types: list[type[BaseException]] = [
        sa.OperationalError,
        sa.InterfaceError,
        sa.DisconnectionError,
        sa.TimeoutError,
        sa.IntegrityError,  # a concurrent writer won; the retry sees its row
        sa.InternalError,  # PostgreSQL: the transaction was aborted under us
        ConnectionError,
        socket.timeout,
        TimeoutError,
        Unavailable,
        NotYet,
    ]
    types += [
        amqp.exceptions.ConnectionError,
        amqp.exceptions.RecoverableConnectionError,
        amqp.exceptions.RecoverableChannelError,
        kombu.exceptions.OperationalError,
    ]
    return tuple(types)


TRANSIENT = _transient_types()


def is_transient(exc: BaseException) -> bool:
    return isinstance(exc, TRANSIENT)
