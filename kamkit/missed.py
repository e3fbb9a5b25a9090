"""When a missed report counts (docs/rules.md §1.4, reused by §3.3): shared by plugins that dock it."""

from __future__ import annotations

from datetime import timedelta

from .facts import Opportunity
from .periods import Month


def missed_month(o: Opportunity, deadline_days: int) -> Month | None:
    """The month a missed report counts in: an audit finding in the month it was discovered; a late
    entry (after discovered + deadline_days) in the month entered; one never entered in the month
    its deadline passed. None when the opportunity was entered in time."""
    deadline = o.discovered + timedelta(days=deadline_days)
    if o.origin == "audit":
        return Month.of(o.discovered)
    if o.entered is None:
        return Month.of(deadline + timedelta(days=1))
    if o.entered > deadline:
        return Month.of(o.entered)
    return None
