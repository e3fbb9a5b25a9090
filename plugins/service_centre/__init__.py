"""客服中心绩效考核指标 (seed 002): the customer-service department's and the 400 call centre's
KPI tables (docs/rules.md §11)."""

from .plugin import CallCentrePlugin, ServiceCentrePlugin

__all__ = ["CallCentrePlugin", "ServiceCentrePlugin"]
