"""Structured errors: every one names the offending field(s) and what is allowed."""
from __future__ import annotations

from typing import Any, Iterable, Mapping


class SuiteError(Exception):
    """Base class: carries a list of {field, message} items, never a bare string only."""

    code = "error"

    def __init__(self, errors: Iterable[Mapping[str, str]] | str, *, field: str | None = None):
        if isinstance(errors, str):
            errors = [{"field": field or "", "message": errors}]
        self.errors: list[dict[str, str]] = [dict(e) for e in errors]
        super().__init__("; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"]
                                   for e in self.errors))

    def to_dict(self) -> dict[str, Any]:
        return {"error": self.code, "errors": self.errors}


class InvalidFacts(SuiteError):
    code = "invalid_facts"


class ConfigError(SuiteError):
    code = "invalid_config"


class UnknownPlugin(ConfigError):
    code = "unknown_plugin"


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
