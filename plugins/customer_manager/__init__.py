"""客户经理绩效考核方案 (seed 002): the customer-manager scorecard (docs/rules.md §12)."""

from .plugin import CustomerManagerPlugin

__all__ = ["CustomerManagerPlugin"]
