"""Whether one object is within a call's reach (rules.Reach): the checks each service makes on
the people and branches its answers name, so a grant narrowed to a branch or to oneself reads
and acts on nothing else (issue 25). A refusal names the field and what the grant covers.
"""

from __future__ import annotations

from collections.abc import Iterable

from kamkit.errors import Forbidden
from services.common.access.rules import SELF, Reach


def reaches(reach: Reach, *, person: str | None = None, branch: str | None = None) -> bool:
    """A whole-line reach sees everything; a branch's, what is in the branch; one's own, what
    concerns the person the principal is (by person, never by branch)."""
    if reach.whole:
        return True
    if reach.scope == SELF:
        return person is not None and person == reach.person
    return branch is not None and branch == reach.branch


def outside(reach: Reach, *, what: str, field: str) -> Forbidden:
    return Forbidden(
        f"{what} is not within the caller's grant, which covers {reach.covers()} only", field=field
    )


def people_reached(reach: Reach, people_with_branch: Iterable[tuple[str, str | None]]) -> frozenset[str]:
    """Of (person, branch) pairs, the people within reach."""
    return frozenset(p for p, b in people_with_branch if reaches(reach, person=p, branch=b))
