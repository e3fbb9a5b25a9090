"""Structured errors: every one names the offending field(s) and what is allowed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# An answer never echoes more than this much of a caller's input (a 20 MB string stays in the
# log, not on the bus), nor more than this many items.
MESSAGE_MAX = 300
ERRORS_MAX = 50


def clip(text: Any, limit: int = MESSAGE_MAX) -> str:
    text = str(text)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


class SuiteError(Exception):
    """Base class: carries a list of {field, message} items, never a bare string only."""

    code = "error"

    def __init__(self, errors: Iterable[Mapping[str, str]] | str, *, field: str | None = None):
        if isinstance(errors, str):
            errors = [{"field": field or "", "message": errors}]
        items = [dict(e) for e in errors]
        self.errors: list[dict[str, str]] = [
            {**e, "field": clip(e.get("field", ""), 120), "message": clip(e.get("message", ""))}
            for e in items[:ERRORS_MAX]
        ]
        if len(items) > ERRORS_MAX:
            self.errors.append({"field": "", "message": f"... and {len(items) - ERRORS_MAX} more"})
        # args carry the structured errors so nameko rebuilds this exception, fields intact,
        # on the RPC caller's side (see _remote below); str() stays the readable sentence.
        super().__init__(self.errors)

    def __str__(self) -> str:
        return "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in self.errors)

    def to_dict(self) -> dict[str, Any]:
        return {"error": self.code, "errors": self.errors}


class InvalidFacts(SuiteError):
    code = "invalid_facts"


class ConfigError(SuiteError):
    code = "invalid_config"


class UnknownPlugin(ConfigError):
    code = "unknown_plugin"


class NotFound(SuiteError):
    code = "not_found"


class Conflict(SuiteError):
    """The request contradicts stored state: a duplicate id, a reused idempotency key with a
    different payload, a closed period changed without reopening."""

    code = "conflict"


class Unauthorized(SuiteError):
    """The call carries no credential, or one that is unknown, expired or revoked; nothing was done."""

    code = "unauthorized"


class Forbidden(SuiteError):
    """The caller is known but holds no role that covers this action on this business line;
    nothing was done."""

    code = "forbidden"


class Unavailable(SuiteError):
    """A dependency (the service's database, the broker) is down for now: retry later with the
    same idempotency key; nothing was written."""

    code = "unavailable"


class Internal(SuiteError):
    """An unexpected fault. The answer carries only a correlation id; the log has the detail."""

    code = "internal"

    def __init__(
        self,
        errors: Iterable[Mapping[str, str]] | str = "internal error",
        *,
        field: str | None = None,
        correlation_id: str = "",
    ):
        if isinstance(errors, str) and correlation_id:
            errors = [
                {
                    "field": field or "",
                    "message": f"{errors}; correlation id {correlation_id}",
                    "correlation_id": correlation_id,
                }
            ]
        super().__init__(errors, field=field)

    @property
    def correlation_id(self) -> str:
        return next((e.get("correlation_id", "") for e in self.errors if e.get("correlation_id")), "")


def flatten(messages: Any, prefix: str = "") -> list[dict[str, str]]:
    """marshmallow's nested {field: {0: {sub: [msg]}}} -> [{field: 'a.0.sub', message}]."""
    out: list[dict[str, str]] = []
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            name = prefix if key == "_schema" else (f"{prefix}.{key}" if prefix else str(key))
            out.extend(flatten(value, name))
    elif isinstance(messages, (list, tuple)):
        for item in messages:
            out.extend(flatten(item, prefix))
    else:
        out.append({"field": prefix, "message": str(messages)})
    return out
