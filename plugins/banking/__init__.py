"""Banking rules (docs/rules.md §3): grades, tiers, indicators and points, piece-rate pay."""

from .plugin import BankingPlugin

__all__ = ["BankingPlugin"]
