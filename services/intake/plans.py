"""intake's rule for development plans (docs/rules.md §6.1; seed 001 §1.1 权力1: the department
manager reviews big-customer development plans), apart from the RPCs.

A plan is drafted, submitted, then approved or returned by a manager (``decide_development_plan``,
which records who and when); only that call sets a decision. A decided plan changes only by being
submitted again, which clears the decision.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kamkit.errors import Conflict, InvalidFacts

DECIDED = ("approved", "returned")


def check_write(doc: dict[str, Any], before: dict[str, Any] | None, field: str = "status") -> dict[str, Any]:
    """A plan written through record_development_plan, record_batch or update_record: no decision
    set there; a decided plan resubmitted loses its decision. Answers the document to store."""
    status, was = doc.get("status", "submitted"), (before or {}).get("status")
    if status in DECIDED and (before is None or was not in DECIDED or doc != before):
        raise InvalidFacts(
            f"a plan is {status} with decide_development_plan; a decided one changes by being submitted "
            "again (status submitted)",
            field=field,
        )
    if was in DECIDED and status not in DECIDED:
        return {**doc, "decided_by": None, "decided_at": None, "note": ""}
    return doc


def decision(
    plan: dict[str, Any], *, decided_by: str, verdict: str, note: str, now: datetime
) -> dict[str, Any]:
    if plan.get("status", "submitted") != "submitted":
        raise Conflict(
            f"plan {plan['id']!r} is {plan.get('status')}: only a submitted plan is decided", field="plan"
        )
    return {
        **plan,
        "status": "approved" if verdict == "approve" else "returned",
        "decided_by": decided_by,
        "decided_at": now.isoformat(),
        "note": note,
    }
