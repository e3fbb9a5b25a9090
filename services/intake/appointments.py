"""intake's rule for grade appointments (docs/rules.md §10.3; 002/CIB 第七条: a grade is proposed by
one level and approved by the one the plugin's ladder names), apart from the RPCs.

An appointment is recorded as proposed (``record_appointment``); only ``decide_appointment``
approves or refuses it, as a person of the line holding the rung's approving role.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from kamkit.errors import Conflict, Forbidden, InvalidFacts
from kamkit.work_records import APPROVED, PROPOSED, REFUSED


def check_proposal(doc: dict[str, Any]) -> None:
    if doc.get("status", PROPOSED) != PROPOSED or doc.get("decided_by") or doc.get("decided_on"):
        raise InvalidFacts(
            "an appointment is recorded as proposed; decide_appointment approves or refuses it",
            field="status",
        )


def decided_on(given: date | None, doc: dict[str, Any], *, today: date) -> date:
    """The day of the decision: given (a decision made on paper, recorded later) or today; never
    a day to come, nor before the proposal."""
    day = given or today
    if day > today:
        raise InvalidFacts(f"a decision is not made on a day to come ({day})", field="decided_on")
    if day < date.fromisoformat(doc["proposed_on"]):
        raise InvalidFacts(f"cannot be before proposed_on ({doc['proposed_on']})", field="decided_on")
    return day


def decision(
    doc: dict[str, Any], *, decider: dict[str, Any], verdict: str, note: str, ladder, on: date
) -> dict[str, Any]:
    """The appointment as decided by ``decider`` (the person's record). With a ladder, the decider
    must hold the role that approves the grade (or proposes it, where no approval is needed)."""
    if doc.get("status", PROPOSED) != PROPOSED:
        raise Conflict(
            f"appointment {doc['id']!r} is {doc.get('status')}: only a proposed one is decided",
            field="appointment",
        )
    if ladder is not None:
        rung = ladder.rung(doc["grade"])
        if rung is None:
            raise InvalidFacts(f"grade {doc['grade']!r} is not on the line's ladder", field="grade")
        needed = rung.approved_by or rung.proposed_by
        if decider.get("role") != needed:
            raise Forbidden(
                f"grade {doc['grade']!r} is approved by a {needed}; "
                f"{decider['id']!r} is a {decider.get('role')}",
                field="decided_by",
            )
    return {
        **doc,
        "status": APPROVED if verdict == "approve" else REFUSED,
        "decided_by": decider["id"],
        "decided_on": on.isoformat(),
        "note": note or doc.get("note", ""),
    }
