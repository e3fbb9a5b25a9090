"""Bank customer-manager grades of 002/CIB (docs/rules.md §13): the ladder and the monthly grade sheet."""

from .plugin import BankGradesPlugin

__all__ = ["BankGradesPlugin"]
