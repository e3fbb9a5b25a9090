"""Organisation configuration: which plugin each business line uses, with parameter overrides.

    business_lines:
      telecom-city:
        plugin: telecom
        parameters:
          entry_deadline_days: 5

Validated with marshmallow; an unknown plugin or parameter is an error that names it and
lists what exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from .errors import ConfigError, flatten
from .loader import load_plugin
from .plugin import RulePlugin


class _LineSchema(Schema):
    class Meta:
        unknown = RAISE

    plugin = fields.String(required=True, validate=validate.Length(min=1))
    parameters = fields.Dict(keys=fields.String(), load_default=dict)


class _ConfigSchema(Schema):
    class Meta:
        unknown = RAISE

    business_lines = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1)), values=fields.Nested(_LineSchema), required=True
    )


@dataclass(frozen=True)
class BusinessLine:
    key: str
    plugin_key: str
    parameters: Mapping[str, Any]

    def plugin(self) -> RulePlugin:
        try:
            return load_plugin(self.plugin_key, self.parameters)
        except ConfigError as exc:  # re-anchor field names under this business line
            raise type(exc)(
                [{**e, "field": f"business_lines.{self.key}.{e['field']}"} for e in exc.errors]
            ) from None


@dataclass(frozen=True)
class OrgConfig:
    lines: Mapping[str, BusinessLine]

    def plugin_for(self, business_line: str) -> RulePlugin:
        if business_line not in self.lines:
            raise ConfigError(
                f"unknown business line {business_line!r}; configured: "
                f"{', '.join(sorted(self.lines)) or 'none'}",
                field="business_line",
            )
        return self.lines[business_line].plugin()


def parse_config(document: Any) -> OrgConfig:
    try:
        data = _ConfigSchema().load(document if isinstance(document, Mapping) else {"_": document})
    except ValidationError as exc:
        raise ConfigError(flatten(exc.messages)) from None
    config = OrgConfig(
        {
            key: BusinessLine(key, spec["plugin"], spec["parameters"])
            for key, spec in data["business_lines"].items()
        }
    )
    for line in config.lines.values():
        line.plugin()  # fail now, naming the line, on an unknown plugin or parameter
    return config


def load_config(path: str | Path) -> OrgConfig:
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    return parse_config(document)
