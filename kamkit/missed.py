"""When a missed report counts (docs/rules.md §1.4, reused by §3.3): shared by plugins that dock it."""

from __future__ import annotations

from datetime import timedelta

from .facts import Opportunity
from .periods import Month

_ENTERED = object()


def missed_month(o: Opportunity, deadline_days: int, reported=_ENTERED) -> Month | None:
    """The month a missed report counts in: an audit finding in the month it was discovered; a late
    report (after discovered + deadline_days) in the month reported; one never reported in the
    month its deadline passed. None when the opportunity was reported in time. ``reported``: the
    day it was reported (None: never), by default the day it was entered (docs/rules.md §1.4)."""
    day = o.entered if reported is _ENTERED else reported
    deadline = o.discovered + timedelta(days=deadline_days)
    if o.origin == "audit":
        return Month.of(o.discovered)
    if day is None:
        return Month.of(deadline + timedelta(days=1))
    if day > deadline:
        return Month.of(day)
    return None
