"""The rule-plugin contract (docs/rules.md §5; the author's guide is docs/plugins.md).

A plugin is a class registered under the ``kam.rules`` entry-point group. It is
pure: given facts (kamkit.facts) and its parameters it returns explained lines;
it never touches a broker, a database or the clock. Instantiate it with the
organisation's parameter overrides: ``TelecomPlugin({"entry_deadline_days": 5})``.

What a plugin declares (class attributes):
    key, version, names       identity
    roles                     role key -> Names (display names, zh/en)
    ladder                    escalation ladder, lowest role first
    parameters                tuple of Param, each with default, basis and clause
    clauses                   clause id -> Clause (where in docs/rules.md, what it says)

What it computes (methods):
    classify(opportunity)                  -> Classification
    assess_month(facts)                    -> MonthResult   (facts.month set)
    commission_quarter(facts, carried)     -> QuarterResult (facts.quarter set)
A plugin whose pay is earned month by month (``pay_every = "month"``) also answers
    commission_month(facts)                -> MonthResult   (facts.month set): the month's pay
    quarter_section(facts, carried)        -> QuarterResult: what a quarter adds to its months
and its commission_quarter is its three months' lines, in order, then the quarter's section: the
suite closes each month's statement and makes the quarter's of them (docs/rules.md §9.4).

Optionally, the seed-002 schemes' pieces (docs/rules.md §10):
    deadlines       DeadlineRules on cases: the month's sheet states them, escalation watches them
    grade_ladder    a kamkit.ladders.Ladder: intake lets only its approving role decide an appointment

What it answers the escalation service, with defaults a plugin may override:
    holder(role, opportunity, candidates)  -> who holds the role for the opportunity
    escalation_role(owner_role, days)      -> the rungs of the ladder reached so far
    next_rung_after(owner_role, days)      -> days after the last follow-up the next rung is due
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from .deadlines import DeadlineRule
from .errors import ConfigError
from .explain import Lines, in_indicator_section, plain
from .facts import Facts, Opportunity, Person
from .ladders import Ladder
from .params import Param
from .periods import Month, Quarter


@dataclass(frozen=True)
class Names:
    zh: str
    en: str


@dataclass(frozen=True)
class Clause:
    rules: str  # section of docs/rules.md, e.g. "1.4"
    text: str  # one-line English statement


@dataclass(frozen=True)
class Tier:
    key: str
    names: Names
    owner_role: str | None
    confirming_role: str | None
    clause: str


@dataclass(frozen=True)
class Classification:
    opportunity: str
    tier: str
    owner_role: str | None
    confirming_role: str | None
    follow_up_days: int | None  # None: no follow-up cadence for this tier
    in_bulletin: bool
    clause: str
    reason_zh: str
    reason_en: str
    inputs: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {k: plain(v) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class MonthResult:
    month: Month
    lines: Lines  # given as Lines and LineTables in order; read as the Lines they stand for

    def __post_init__(self):
        object.__setattr__(self, "lines", Lines.of(self.lines))

    def to_dict(self) -> dict[str, Any]:
        return {"month": str(self.month), **_sections(self.lines)}


@dataclass(frozen=True)
class QuarterResult:
    quarter: Quarter
    lines: Lines  # as MonthResult's
    carried: Mapping[str, Any]  # JSON-serialisable state for the next quarter's run

    def __post_init__(self):
        object.__setattr__(self, "lines", Lines.of(self.lines))

    def to_dict(self) -> dict[str, Any]:
        return {"quarter": str(self.quarter), **_sections(self.lines), "carried": plain(self.carried)}


def untiered(tier: Tier, opportunity: Opportunity, reason_zh: str, reason_en: str) -> Classification:
    """A scheme with no opportunity rules (a service table, a scorecard, deadlines, a ladder): every
    opportunity is in its one tier, the tier's role's, with no follow-up cadence and no bulletin."""
    return Classification(
        opportunity.id,
        tier.key,
        tier.owner_role,
        tier.confirming_role,
        None,
        False,
        tier.clause,
        reason_zh,
        reason_en,
        {"amount": opportunity.amount},
    )


def _sections(lines: Lines) -> dict[str, list[dict[str, Any]]]:
    """A result's JSON: its points and pay as ``lines``, its indicators as ``indicators``."""
    out: dict[str, list[dict[str, Any]]] = {"lines": [], "indicators": []}
    for line in lines:
        out["indicators" if in_indicator_section(line) else "lines"].append(line.to_dict())
    return out


class RulePlugin(ABC):
    """Base class of every rule plugin. Subclasses fill in the class attributes and the three
    abstract methods (a plugin that has no monthly sheet or no pay answers an empty result)."""

    key: ClassVar[str]
    version: ClassVar[str]
    names: ClassVar[Names]
    roles: ClassVar[Mapping[str, Names]]
    ladder: ClassVar[tuple[str, ...]]
    parameters: ClassVar[tuple[Param, ...]]
    clauses: ClassVar[Mapping[str, Clause]]
    grades: ClassVar[tuple[str, ...]] = ()  # grade keys a person may hold (empty: grades unused)
    pay_every: ClassVar[str] = "quarter"  # "month": pay is earned and stated month by month
    tiers: ClassVar[tuple[Tier, ...]] = ()  # optional: the tiers classify answers, for the checks
    # deadline rules on cases (docs/rules.md §10.2): on the month's sheet, and watched by escalation
    deadlines: ClassVar[tuple[DeadlineRule, ...]] = ()
    # the grades, their conditions and who appoints (docs/rules.md §10.3): intake checks the decider
    grade_ladder: ClassVar[Ladder | None] = None

    def __init__(self, overrides: Mapping[str, Any] | None = None):
        known = {p.name: p for p in self.parameters}
        unknown = sorted(set(overrides or {}) - set(known))
        if unknown:
            raise ConfigError(
                [
                    {
                        "field": f"parameters.{name}",
                        "message": f"unknown parameter of plugin {self.key!r}; "
                        f"known: {', '.join(sorted(known))}",
                    }
                    for name in unknown
                ]
            )
        values = {p.name: p.default for p in self.parameters}
        for name, value in (overrides or {}).items():
            values[name] = known[name].parse(value)
        self.params: Mapping[str, Any] = values

    # --- what every plugin computes -------------------------------------------------

    @abstractmethod
    def classify(self, opportunity: Opportunity) -> Classification:
        """The opportunity's tier, owner role, confirming role, cadence and bulletin flag."""

    @abstractmethod
    def assess_month(self, facts: Facts) -> MonthResult:
        """The month's explained lines (points docked, findings); ``facts.month`` is set."""

    @abstractmethod
    def commission_quarter(self, facts: Facts, carried: Mapping[str, Any] | None = None) -> QuarterResult:
        """The quarter's pay lines and the state carried to the next quarter; ``facts.quarter``
        is set; ``carried`` is the previous quarter's ``QuarterResult.carried`` (None: the first)."""

    # --- monthly pay (pay_every = "month") ---------------------------------------------

    def commission_month(self, facts: Facts) -> MonthResult:
        """The month's pay lines (``facts.month`` set); only a plugin that pays by the month."""
        raise NotImplementedError(f"{self.key} pays by the quarter: it has no month's pay")

    def quarter_section(self, facts: Facts, carried: Mapping[str, Any] | None = None) -> QuarterResult:
        """What a monthly-pay plugin's quarter adds to its months' lines (its indicators) and the
        state it carries to the next quarter."""
        raise NotImplementedError(f"{self.key} pays by the quarter")

    def months_and_section(self, facts: Facts, carried: Mapping[str, Any] | None = None) -> QuarterResult:
        """A monthly-pay plugin's commission_quarter: each month's pay, then the quarter's section."""
        months = tuple(
            line
            for month in facts.quarter.months
            for line in self.commission_month(replace(facts, month=month)).lines.blocks
        )
        section = self.quarter_section(facts, carried)
        return QuarterResult(facts.quarter, months + tuple(section.lines.blocks), section.carried)

    # --- shared behaviour -------------------------------------------------------------

    def escalation_role(self, owner_role: str, days_without_follow_up: int) -> list[tuple[int, str]]:
        """docs/rules.md §1.3: (overdue week, role to notify) for every rung reached so far.

        Overdue week 1 starts ``follow_up_days`` after the last follow-up and notifies the
        role above the owner; each further ``escalation_step_days`` climbs one more rung,
        stopping at the top of the ladder.
        """
        weeks = self._weeks_overdue(days_without_follow_up)
        if owner_role not in self.ladder:
            return []
        start = self.ladder.index(owner_role)
        return [
            (week, self.ladder[start + week])
            for week in range(1, weeks + 1)
            if start + week < len(self.ladder)
        ]

    def next_rung_after(self, owner_role: str, days_without_follow_up: int) -> int | None:
        """Days after the last follow-up at which the next rung above what has been reached falls
        due; None when the top of the ladder has been reached (or the role is not on it)."""
        if owner_role not in self.ladder:
            return None
        weeks = self._weeks_overdue(days_without_follow_up)
        if self.ladder.index(owner_role) + weeks + 1 >= len(self.ladder):
            return None
        return self.params["follow_up_days"] + weeks * self.params["escalation_step_days"]

    def deadline_rungs(self, owner_role: str | None, days_late: int) -> list[tuple[int, str]]:
        """docs/rules.md §10.2: (step, role to notify) for a deadline ``days_late`` days past due:
        the rung above the owner the day after it falls due, one more every
        ``escalation_step_days``, as an overdue follow-up climbs (§1.3)."""
        if days_late < 1 or owner_role not in self.ladder:
            return []
        steps = 1 + (days_late - 1) // self.params["escalation_step_days"]
        start = self.ladder.index(owner_role)
        return [
            (step, self.ladder[start + step])
            for step in range(1, steps + 1)
            if start + step < len(self.ladder)
        ]

    def _weeks_overdue(self, days: int) -> int:
        first, step = self.params["follow_up_days"], self.params["escalation_step_days"]
        return 0 if days < first else 1 + (days - first) // step

    def holder(
        self,
        role: str | None,
        opportunity: Mapping[str, Any],
        candidates: Sequence[Person],
        eligible_grades: Sequence[str] | None = None,
    ) -> str | None:
        """Who holds ``role`` for an opportunity (its document), among ``candidates``: the people
        of the line holding that role. By default its own account manager, else the holder in its
        branch, else a holder with no branch (a city-level role), the lowest id first; when the
        tier asks for certain grades (banking: small loans need a junior or above), only a person
        of those grades. A plugin whose organisation assigns otherwise overrides this."""
        if role is None:
            return None
        people = sorted(
            (p for p in candidates if p.role == role and (not eligible_grades or p.grade in eligible_grades)),
            key=lambda p: p.id,
        )
        named = opportunity.get("account_manager")
        if (
            role == "account_manager"
            and named
            and (not eligible_grades or any(p.id == named for p in people))
        ):
            return named
        branch = opportunity.get("branch")
        here = next((p for p in people if branch and p.branch == branch), None)
        anywhere = here or next((p for p in people if p.branch is None), None)
        return anywhere.id if anywhere else None

    def people_problems(self, people) -> list[dict[str, str]]:
        """{field, message} for every person whose role (or grade) this plugin does not know: a
        typo would silently take the person out of quotas, penalties and pay. ``people`` are
        kamkit.facts.Person records or mappings; fields are named ``people.<i>.role``."""
        errors = []
        for i, person in enumerate(people):
            role = person.get("role") if isinstance(person, Mapping) else person.role
            grade = person.get("grade") if isinstance(person, Mapping) else person.grade
            if role not in self.roles:
                errors.append(
                    {
                        "field": f"people.{i}.role",
                        "message": f"unknown role {role!r} of plugin "
                        f"{self.key!r}; known: {', '.join(sorted(self.roles))}",
                    }
                )
            if grade is not None and grade not in self.grades:
                known = ", ".join(self.grades) if self.grades else "none (this plugin uses no grades)"
                errors.append(
                    {
                        "field": f"people.{i}.grade",
                        "message": f"unknown grade {grade!r} of plugin {self.key!r}; known: {known}",
                    }
                )
        return errors

    def role_name(self, role: str) -> Names:
        return self.roles.get(role, Names(role, role))

    def describe(self) -> dict[str, Any]:
        """Everything a person needs to know about this plugin, JSON-friendly."""
        return {
            "key": self.key,
            "version": self.version,
            "names": plain(self.names.__dict__),
            "roles": {k: plain(v.__dict__) for k, v in self.roles.items()},
            "ladder": list(self.ladder),
            "parameters": [
                {
                    "name": p.name,
                    "default": plain(p.default),
                    "value": plain(self.params[p.name]),
                    "kind": p.kind,
                    "basis": p.basis,
                    "clause": p.clause,
                    "doc": p.doc,
                }
                for p in self.parameters
            ],
            "clauses": {k: {"rules": c.rules, "text": c.text} for k, c in self.clauses.items()},
        }


# Every plugin that escalates declares these two (docs/rules.md §1.3, [default]).
ESCALATION_PARAMS = (
    Param(
        "follow_up_days",
        7,
        "days",
        "rules §1.3",
        "Days without a follow-up after which the opportunity is overdue.",
        "default",
    ),
    Param(
        "escalation_step_days",
        7,
        "days",
        "rules §1.3",
        "Each further period of this many days climbs one more rung of the ladder.",
        "default",
    ),
    Param(
        "follow_up_by_others_resets",
        False,
        "bool",
        "rules §1.3",
        "Whether a follow-up by someone other than the owner restarts the owner's clock (false: the "
        "owner follows up in person, 000 §(一)3-4 亲自跟进; one without an author still counts).",
        "reading",
    ),
    Param(
        "warn_days_before",
        2,
        "days",
        "rules §8",
        "Days before a follow-up or a visit plan falls due that the person is warned (0: never).",
        "default",
    ),
    Param(
        "warn_manager",
        False,
        "bool",
        "rules §8",
        "Whether the warning also goes to the person's manager (the next rung of the ladder).",
        "default",
    ),
    Param(
        "approval_wait_days",
        3,
        "days",
        "rules §8",
        "Days a target change or a development plan may wait for a decision before a warning.",
        "default",
    ),
)

# The clause ESCALATION_PARAMS cite: a plugin that escalates declares it with its own clauses,
# ``clauses = {**ESCALATION_CLAUSES, ...}``.
ESCALATION_CLAUSES = {
    "rules §1.3": Clause("1.3", "An overdue follow-up climbs one rung of the ladder per overdue step."),
    "rules §8": Clause("8", "Who is warned before a follow-up or plan falls due, or a decision waits."),
}
