"""The services' wire contract: what travels between them over RabbitMQ.

``wire.events`` holds every event's type and schema, ``wire.records`` the record kinds intake
accepts and how each is validated and keyed. The limits a record's fields are held to (ids, text,
amounts, dates, pages) are ``kamkit.limits``: a facts file is checked against the same ones, so
they live with the facts, and the wire imports them. A rule plugin never imports this package (it
needs only ``kamkit``); the services, the gateway, the CLI's service commands and the demo do.

Importing it registers the suite's errors with nameko (when nameko is installed), so a caller of
any RPC receives ``InvalidFacts``, ``NotFound``, … as themselves, fields intact, not as a
generic ``RemoteError``.
"""

from __future__ import annotations

from kamkit import errors as _errors

try:
    from nameko.exceptions import deserialize_to_instance
except ImportError:  # the CLI's rule commands work without nameko installed
    deserialize_to_instance = None


def _register_remote_errors() -> None:
    if deserialize_to_instance is None:
        return
    for cls in (
        _errors.SuiteError,
        _errors.InvalidFacts,
        _errors.ConfigError,
        _errors.UnknownPlugin,
        _errors.NotFound,
        _errors.Conflict,
        _errors.Unauthorized,
        _errors.Forbidden,
        _errors.Unavailable,
        _errors.Internal,
    ):
        deserialize_to_instance(cls)


_register_remote_errors()
