"""The measured items of seed 003 §十一's account-manager sheet, counted from the records
(docs/rules.md §4): sales target completion, average complaint resolution time, collection rate,
big customers upgraded, won and lost, featured services introduced, late arrivals, complaints.

Only the rated items (communication, responsibility, learning) are typed by a rater; everything
here is counted over the period's records for one person. A ratio with nothing to divide by (no
target, no complaint, nothing billed) is not applicable, and the sheet scores such an item at its
standard [reading] rather than docking the person for work that had no measure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from . import facts as F
from .activity import ZERO, Activity
from .indicators import plan_of, sales


@dataclass(frozen=True)
class Measured:
    """One person's measured items for a period, each with what it was counted from."""

    sales_completion: Decimal | None  # None: no target for the period
    complaint_hours: Decimal | None  # average a complaint; None: no complaint
    collection_rate: Decimal | None  # None: nothing billed in the period
    upgraded_customers: int
    new_big_customers: int
    lost_big_customers: int
    featured_services: int
    late_arrivals: int
    complaints: int
    inputs: Mapping[str, Any] = field(default_factory=dict)


def measure(activity: Activity, person: F.Person, params: Mapping[str, Any]) -> Measured:
    """Count a person's measured items over ``activity``'s window."""
    window, pid = activity.window, person.id
    plan = plan_of(person, window, params, activity.facts)
    sold = sales(activity, pid, params["indicator_sales"])
    complaints = activity.of(activity.complaints, pid)
    hours = [h for c in complaints if (h := c.hours(window.end)) is not None]
    billed = activity.deal_sums.get(pid, ZERO)
    collected = activity.collection_sums.get(pid, ZERO)
    rows = activity.of(activity.attendance, pid)
    absences = sum(a.absences for a in rows)
    late = sum(a.late_arrivals for a in rows) + (absences if params["absence_counts_as_late"] else 0)
    return Measured(
        sales_completion=sold / plan if plan else None,
        complaint_hours=sum(hours, ZERO) / len(hours) if hours else None,
        collection_rate=min(collected / billed, Decimal(1)) if billed else None,
        upgraded_customers=len(activity.credits_of(pid, F.UPGRADED)),
        new_big_customers=len(activity.credits_of(pid, F.NEW_BIG)),
        lost_big_customers=len(activity.credits_of(pid, F.LOST)),
        featured_services=len(activity.of(activity.featured, pid)),
        late_arrivals=late,
        complaints=len(complaints),
        inputs={
            "period": window.label,
            "sales": sold,
            "target": plan,
            "complaint_hours": hours,
            "billed": billed,
            "collected": collected,
            "absences": absences,
        },
    )
