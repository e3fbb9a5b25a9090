"""The RPC decorator every service uses: suite errors are the caller's mistake, not a crash.

nameko logs unexpected exceptions with a traceback; declaring SuiteError as expected keeps the
log for real faults while the caller still receives the structured error (shared.errors).
"""
from nameko.rpc import rpc

from shared.errors import SuiteError

api = rpc(expected_exceptions=SuiteError)


def validated(schema_cls, **arguments):
    """Load an RPC method's arguments with its marshmallow schema; InvalidFacts names each bad one."""
    from marshmallow import ValidationError

    from shared.errors import InvalidFacts, flatten

    try:
        return schema_cls().load(arguments)
    except ValidationError as exc:
        raise InvalidFacts(flatten(exc.messages)) from None
