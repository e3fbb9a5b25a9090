"""Railway big customers (docs/rules.md §15): qualification and the year's volume of
大客户运输服务管理办法 (002/TL)."""

from .plugin import RailwayPlugin

__all__ = ["RailwayPlugin"]
