"""Power supply for big customers (docs/rules.md §14): the deadlines of 电力大客户用电管理制度 (002/DL)."""

from .plugin import PowerSupplyPlugin

__all__ = ["PowerSupplyPlugin"]
