"""Software rules (docs/rules.md §2): the `software` plugin and its `software-progressive` preset."""

from .plugin import SoftwarePlugin, SoftwareProgressivePlugin

__all__ = ["SoftwarePlugin", "SoftwareProgressivePlugin"]
