"""The key-account manager's assistant (docs/rules.md §16, seed 002/ZL): monthly pay of a
water-delivery business's 大客户经理助理 — fixed parts, a sales item and a service item."""

from .plugin import AssistantPlugin

__all__ = ["AssistantPlugin"]
