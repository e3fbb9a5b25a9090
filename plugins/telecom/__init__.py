"""Telecom rules (docs/rules.md §1): tiers, quotas, penalty points, commission."""

from .plugin import TelecomPlugin

__all__ = ["TelecomPlugin"]
