"""Reading facts, carried-state and parameter documents (JSON or YAML) for the CLI."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from shared.errors import InvalidFacts


class _TextDatesLoader(yaml.SafeLoader):
    """YAML without implicit timestamps: dates stay text so the facts schema validates them and
    names the field (safe_load would crash on 2026-02-30 before validation)."""


_TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_document(path: str) -> Any:
    """Parse a JSON or YAML file. JSON numbers with a fraction become Decimal, never float."""
    p = Path(path)
    if not p.is_file():
        raise InvalidFacts(f"file not found: {path}", field="facts")
    text = p.read_text(encoding="utf-8")
    try:
        if p.suffix.lower() == ".json":
            return json.loads(text, parse_float=Decimal)
        return yaml.load(text, Loader=_TextDatesLoader)  # noqa: S506 (a SafeLoader)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise InvalidFacts(f"{path}: not valid {'JSON' if p.suffix.lower() == '.json' else 'YAML'}: {exc}",
                           field="facts") from None


def parse_assignments(pairs: list[str]) -> dict[str, Any]:
    """--param name=value (value read as YAML, so 5, 0.08 and [..] work) -> overrides dict."""
    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise InvalidFacts(f"--param expects name=value, got {pair!r}", field="param")
        parsed = yaml.safe_load(value)
        out[name.strip()] = str(parsed) if isinstance(parsed, float) else parsed
    return out
