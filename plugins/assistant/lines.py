"""The three shapes of an assistant's pay line: a part paid (CNY, 0 with its reason when the rule
gives nothing), a part not applicable (its records are missing or invalid: INFO, figure None) and a
part not configured (its amount is not printed and the organisation has not set it)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from kamkit.explain import CNY, INFO, Line
from kamkit.facts import Person
from kamkit.periods import Month

NOT_APPLICABLE = "pay_part_not_applicable"
NOT_CONFIGURED = "pay_part_not_configured"


def paid(
    person: Person, month: Month, kind: str, clause: str, figure: Decimal, said: tuple[str, str], inputs
) -> Line:
    """A part of the month's pay; ``said`` is (reason_zh, reason_en) without the month."""
    return Line(
        person.id,
        person.role,
        figure,
        CNY,
        kind,
        clause,
        f"{month} {said[0]}",
        f"{month}: {said[1]}",
        {"month": month, **inputs},
    )


def not_applicable(
    person: Person, month: Month, part: str, clause: str, said: tuple[str, str], inputs: Mapping[str, Any]
) -> Line:
    """A part that cannot be computed from the records: nothing paid, and why (never a 0)."""
    return Line(
        person.id,
        person.role,
        None,
        INFO,
        NOT_APPLICABLE,
        clause,
        f"{month} {said[0]}：不适用，本项不发放",
        f"{month}: {said[1]}: not applicable, nothing paid for this part",
        {"month": month, "part": part, **inputs},
    )


def not_configured(
    person: Person, month: Month, part: str, clause: str, said: tuple[str, str], inputs: Mapping[str, Any]
) -> Line:
    """A part owed whose amount the seed does not print and the line has not set."""
    return Line(
        person.id,
        person.role,
        None,
        INFO,
        NOT_CONFIGURED,
        clause,
        f"{month} {said[0]}",
        f"{month}: {said[1]}",
        {"month": month, "part": part, **inputs},
    )
