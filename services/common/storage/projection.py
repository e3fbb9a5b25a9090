"""Helpers for services that keep a projection of intake's records.

A projection applies ``record_changed`` events (one record) and ``records_changed`` events (a
batch's records) in any order and any number of times: a row keeps the record's version and an
older or equal version is ignored, so redelivery and reordering leave the same state.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import date
from functools import lru_cache
from typing import Any

import eventlet
from sqlalchemy import JSON, Column, Integer, String

from kamkit.loader import load_plugin
from kamkit.plugin import RulePlugin
from kamkit.rulesets import in_force
from wire.events import changes_of


def lines_table(Base):
    """A projection's business lines: each line's plugin with its parameter overrides."""

    class Line(Base):
        """A business line and the plugin (with parameter overrides) its rules come from."""

        __tablename__ = "lines"
        business_line = Column(String(100), primary_key=True)
        plugin = Column(String(100), nullable=False)
        parameters = Column(JSON, nullable=False, default=dict)
        version = Column(Integer, nullable=False, default=0)
        # the sets in force from a month on (kamkit.rulesets), after the one above
        rules = Column(JSON, nullable=True)

    return Line


def plugin_in_force(row, day=None) -> RulePlugin:
    """A projected line's plugin as in force on ``day`` (today: None): its first set, or a set of
    rules in force from a month on (docs/rules.md §9.1)."""
    month = (day or date.today()).strftime("%Y-%m")
    doc = {"plugin": row.plugin, "parameters": row.parameters, "rules": row.rules or []}
    rules = in_force(doc, month)
    return plugin_of(rules.plugin, rules.parameters)


def is_newer(row, version: int) -> bool:
    return row is None or (row.version or 0) < version


@lru_cache(maxsize=64)
def _plugin(key: str, parameters_json: str) -> RulePlugin:
    return load_plugin(key, json.loads(parameters_json))


def plugin_of(plugin_key: str, parameters: Mapping[str, Any] | None) -> RulePlugin:
    """The configured plugin of a business line (instances are cached: plugins are pure)."""
    return _plugin(plugin_key, json.dumps(parameters or {}, sort_keys=True, default=str))


def each_change(payload: Mapping[str, Any], every: int = 100) -> Iterator[Mapping[str, Any]]:
    """The records of an intake event one by one (wire.events.changes_of), letting the hub run
    every ``every`` records so a thousand-record event does not hold up heartbeats."""
    for i, change in enumerate(changes_of(payload), 1):
        yield change
        if i % every == 0:
            eventlet.sleep(0)
