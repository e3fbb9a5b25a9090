"""HTTP answers of the gateway: JSON bodies, the status code each refusal is, and reading a request's
query and body into RPC arguments. Pure apart from werkzeug's Request/Response objects.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, fields
from werkzeug.wrappers import Response

from kamkit.errors import InvalidFacts, SuiteError

from .schemas import declared

# a refusal's code (kamkit.errors) -> its status
STATUS = {
    "invalid_facts": 400,
    "invalid_config": 400,
    "unknown_plugin": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "unavailable": 503,
    "internal": 500,
}
MAX_BODY = 16 * 1024 * 1024  # bytes: a record batch of 5,000 fits many times over
_INT = re.compile(r"^[+-]?\d{1,18}$")


def json_response(payload: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(
        json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
        status=status,
        headers=dict(headers or {}),
        content_type="application/json; charset=utf-8",
    )


def error_response(error: SuiteError, headers: Mapping[str, str] | None = None) -> Response:
    status = STATUS.get(getattr(error, "code", ""), 500)
    extra = dict(headers or {})
    if status == 401:
        extra["WWW-Authenticate"] = 'Bearer realm="kam"'
    if status == 503:
        extra["Retry-After"] = "5"  # seconds: a restarting service or broker is back within seconds
    return json_response(error.to_dict(), status, extra)


def query_values(schema: type[Schema] | None, args) -> dict[str, Any]:
    """The query string as the RPC's arguments: each parameter once, by its declared name; whole
    numbers as numbers (the service checks ranges and types, and names the field)."""
    declared = schema._declared_fields if schema is not None else {}
    errors, values = [], {}
    for name in args.keys():
        given = args.getlist(name)
        if name not in declared:
            errors.append(
                {
                    "field": name,
                    "message": "unknown query parameter"
                    + (f"; known: {', '.join(sorted(declared))}" if declared else ""),
                }
            )
        elif len(given) > 1:
            errors.append({"field": name, "message": "give it once"})
        else:
            value = given[0]
            if isinstance(declared[name], fields.Integer) and _INT.match(value):
                value = int(value)
            values[name] = value
    if errors:
        raise InvalidFacts(errors)
    return values


def body_value(request, schema: type[Schema] | None) -> Any:
    """The request's JSON body (an object), or None when the operation takes none. A field the
    body's schema does not declare is refused here, by name, before any call is made."""
    if schema is None:
        return None
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise InvalidFacts(f"the body is larger than {MAX_BODY} bytes; send records in batches", field="body")
    raw = request.get_data(cache=False)
    if not raw.strip():
        raise InvalidFacts("a JSON object is required", field="body")
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidFacts(f"not JSON: {exc}", field="body") from None
    if not isinstance(value, dict):
        raise InvalidFacts(f"must be a JSON object, got {type(value).__name__}", field="body")
    if schema.Meta.unknown != "include":
        unknown = sorted(set(value) - declared(schema))
        if unknown:
            raise InvalidFacts([{"field": name, "message": "unknown field"} for name in unknown])
    return value
