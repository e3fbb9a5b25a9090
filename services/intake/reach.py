"""Which records a narrowed grant reaches (services.common.access.rules: scopes ``self`` and
``branch``): a record concerns the people it names (its key for a person; every field and list
item naming a person) and their branches, the branch it names, and an opportunity's, for the
records about that opportunity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.common.access.reach import outside
from services.common.access.rules import SELF, Reach
from wire.records import references_of

from .models import Record


@dataclass(frozen=True)
class Concerned:
    people: frozenset[str]
    branches: frozenset[str]


class Reached:
    """Tests records against one call's reach, reading the line's people once."""

    def __init__(self, session, business_line: str, reach: Reach):
        self.session, self.line, self.reach = session, business_line, reach
        self._branches: dict[str, str | None] | None = None

    def branch_of(self, person: str) -> str | None:
        if self._branches is None:
            self._branches = {
                key: doc.get("branch")
                for key, doc in self.session.query(Record.key, Record.doc).filter_by(
                    business_line=self.line, kind="person"
                )
            }
        return self._branches.get(person)

    def concerned(self, kind: str, key: str, doc: Mapping[str, Any], depth: int = 0) -> Concerned:
        people = {key} if kind == "person" else set()
        branches = {key} if kind == "branch" else set()
        for _, target, value in references_of(kind, doc):
            if target == "person":
                people.add(value)
            elif target == "branch":
                branches.add(value)
            elif target == "opportunity" and depth == 0:
                row = (
                    self.session.query(Record)
                    .filter_by(business_line=self.line, kind="opportunity", key=value)
                    .one_or_none()
                )
                if row is not None:
                    about = self.concerned("opportunity", value, row.doc, depth=1)
                    people |= about.people
                    branches |= about.branches
        branches |= {b for b in map(self.branch_of, people) if b}
        return Concerned(frozenset(people), frozenset(branches))

    def keeps(self, kind: str, key: str, doc: Mapping[str, Any]) -> bool:
        if self.reach.whole:
            return True
        about = self.concerned(kind, key, doc)
        if self.reach.scope == SELF:
            return self.reach.person in about.people
        return self.reach.branch in about.branches

    def check_person(self, person: str | None, field: str) -> None:
        """An act on one person's target, plan or request: within reach, or refused by name."""
        if self.reach.whole:
            return
        ok = (
            person == self.reach.person
            if self.reach.scope == SELF
            else person is not None and self.branch_of(person) == self.reach.branch
        )
        if not ok:
            raise outside(self.reach, what=f"person {person!r}", field=field)

    def check_record(self, kind: str, key: str, doc: Mapping[str, Any], field: str) -> None:
        if not self.keeps(kind, key, doc):
            raise outside(self.reach, what=f"{kind} {key!r}", field=field)
