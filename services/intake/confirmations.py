"""intake's rule for confirmations (docs/rules.md §1.1; seed 000 §(一)2–4), apart from the RPC.

An opportunity from the ordinary tier is confirmed (or rejected) by its confirming role in its
branch — the centre director, the deputy manager, the branch manager, as the line's plugin
classifies it — before it is reported to the city; once, on a day not before its discovery.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from kamkit.errors import Conflict, Forbidden, InvalidFacts, NotFound
from kamkit.facts_schema import OpportunitySchema
from kamkit.loader import load_plugin

from . import store


def check(session, business_line: str, line_doc: dict[str, Any], doc: dict[str, Any]) -> None:
    """Refuse a decision by someone who does not hold the opportunity's confirming role in its
    branch, a second decision, or one dated before the opportunity was discovered."""
    key = doc["opportunity"]
    found = store.document(session, business_line, "opportunity", key)
    if found is None:
        raise NotFound(f"unknown opportunity {key!r}", field="opportunity")
    d = store.document(session, business_line, "confirmation", key)
    if d is not None:
        raise Conflict(
            f"opportunity {key!r} was already {d['decision']}ed by {d['by']} on {d['date']}",
            field="opportunity",
        )
    opportunity = OpportunitySchema().load(found)
    plugin = load_plugin(line_doc["plugin"], line_doc.get("parameters") or {})
    role = plugin.classify(opportunity).confirming_role
    person = store.document(session, business_line, "person", doc["by"])
    if person is None:
        raise Conflict(f"unknown person {doc['by']!r}", field="by")
    if role is None:
        raise Conflict(
            f"{key!r} ({opportunity.amount}) needs no confirmation on this line", field="opportunity"
        )
    if person["role"] != role or (
        opportunity.branch and person.get("branch") not in (None, opportunity.branch)
    ):
        raise Forbidden(
            f"{doc['by']!r} ({person['role']}, branch {person.get('branch')}) cannot decide {key!r}: its "
            f"confirming role is {role} of branch {opportunity.branch}",
            field="by",
        )
    if date.fromisoformat(str(doc["date"])) < opportunity.discovered:
        raise InvalidFacts(f"decided before {key!r} was discovered ({opportunity.discovered})", field="date")
