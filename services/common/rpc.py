"""RPC helpers: the ``api`` entrypoint (services.common.entrypoints) and argument validation."""
from marshmallow import ValidationError

from shared.errors import InvalidFacts, flatten

from .entrypoints import api  # noqa: F401  (re-exported: every service's RPC decorator)


def validated(schema_cls, **arguments):
    """Load an RPC method's arguments with its marshmallow schema; InvalidFacts names each bad one."""
    try:
        return schema_cls().load(arguments)
    except ValidationError as exc:
        raise InvalidFacts(flatten(exc.messages)) from None
