"""intake's rules for targets (docs/rules.md §7; seed 001 第3、5、6条), apart from the RPCs.

A manager sets a target from a period on. Once that period has begun and a target stands for it
(a target record, an approved change, or the person's own field: the initial target), setting
another is a change inside the period: it must be asked for (``request_target_change``) and
approved by a manager other than the one who asked (``decide_target_change``); until then the
target before it stands.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from kamkit import facts as F
from kamkit.activity import Window
from kamkit.errors import Conflict, Forbidden
from kamkit.facts_schema import PersonSchema, TargetChangeSchema, TargetSchema
from kamkit.targets import described, in_force

from . import store

_FIELD = {"month": "monthly_task", "quarter": "quarterly_target"}  # a person's initial target


def standing(session, business_line: str, doc: dict[str, Any]) -> F.Facts:
    """What stands for the document's person: their targets, approved changes and record."""
    person = doc.get("person")
    targets = [TargetSchema().load(d) for d in store.documents_of(session, business_line, "target", person)]
    changes = [
        TargetChangeSchema().load(d)
        for d in store.documents_of(session, business_line, "target_change", person)
        if d.get("status") == F.APPROVED
    ]
    people = ()
    if person is not None:
        found = store.document(session, business_line, "person", person)
        people = () if found is None else (PersonSchema().load(found),)
    return F.Facts(people=people, targets=tuple(targets), target_changes=tuple(changes))


def check_set(session, business_line: str, doc: dict[str, Any], today: date) -> None:
    """Refuse a target set inside a period that has begun over one that stands for the same
    person, region and product (第6条)."""
    window = Window.parse(doc["period"])
    if window.first > today:
        return  # set before its period: the department manager's target (第3条)
    facts = standing(session, business_line, doc)
    same = (doc.get("region"), doc.get("product"))
    facts = replace(
        facts,
        targets=tuple(t for t in facts.targets if (t.region, t.product) == same),
        target_changes=tuple(c for c in facts.target_changes if (c.region, c.product) == same),
    )
    initial = None
    if facts.people and window.kind in _FIELD and same == (None, None):
        initial = getattr(facts.people[0], _FIELD[window.kind])
    now = in_force(facts, doc.get("person"), window, initial=initial)
    if now.amount is not None:
        raise Conflict(
            f"{window.label} has begun and a target of {now.amount} stands for it "
            f"({described(now).en}): a change inside a period is asked for with request_target_change "
            "and approved by another manager (001 第6条)",
            field="period",
        )


def decision(change: dict[str, Any], *, decided_by: str, verdict: str, note: str, now: datetime) -> dict:
    """The change as decided: approved or rejected by someone other than who asked."""
    cid = change["id"]
    if change.get("status") != F.PENDING:
        raise Conflict(
            f"target change {cid!r} was already {change.get('status')} by {change.get('decided_by')}",
            field="change",
        )
    if decided_by == change.get("requested_by"):
        raise Forbidden(
            f"{decided_by!r} asked for target change {cid!r}: another manager decides it (001 第6条)",
            field="decided_by",
        )
    return {
        **change,
        "status": F.APPROVED if verdict == "approve" else F.REJECTED,
        "decided_by": decided_by,
        "decided_at": now.isoformat(),
        "note": note,
    }
