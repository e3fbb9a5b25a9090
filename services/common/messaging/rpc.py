"""RPC helpers: the ``api`` entrypoint (services.common.messaging.entrypoints) and argument validation."""

import functools

from marshmallow import ValidationError

from kamkit.errors import InvalidFacts, flatten
from services.common.messaging.entrypoints import api  # noqa: F401  (re-exported: every service's RPC decorator)


@functools.cache
def _instance(schema_cls):
    """One instance per schema: building one deep-copies its fields; ``load`` keeps no state."""
    return schema_cls()


def validated(schema_cls, **arguments):
    """Load an RPC method's arguments with its marshmallow schema; InvalidFacts names each bad one."""
    try:
        return _instance(schema_cls).load(arguments)
    except ValidationError as exc:
        raise InvalidFacts(flatten(exc.messages)) from None
