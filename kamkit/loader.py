"""Find rule plugins through the ``kam.rules`` entry-point group and instantiate them.

Any installed distribution can add a plugin: declare
``[project.entry-points."kam.rules"] my-line = "my_pkg:MyPlugin"`` and install it.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import entry_points
from typing import Any

from .errors import UnknownPlugin
from .plugin import RulePlugin

GROUP = "kam.rules"


def available() -> dict[str, Any]:
    """key -> entry point, for every installed plugin."""
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def plugin_class(key: str) -> type[RulePlugin]:
    eps = available()
    if key not in eps:
        raise UnknownPlugin(
            f"unknown plugin {key!r}; installed: {', '.join(sorted(eps)) or 'none'}", field="plugin"
        )
    cls = eps[key].load()
    if not (isinstance(cls, type) and issubclass(cls, RulePlugin)):
        raise UnknownPlugin(f"entry point {key!r} ({eps[key].value}) is not a RulePlugin", field="plugin")
    return cls


def load_plugin(key: str, overrides: Mapping[str, Any] | None = None) -> RulePlugin:
    return plugin_class(key)(overrides)
