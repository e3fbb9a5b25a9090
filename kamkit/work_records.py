"""Records of the service, deadline and grade schemes of seed 002 (docs/rules.md §10).

Each is what the work itself leaves behind, so an indicator is counted, not typed:

    Case         a piece of work with named, dated steps (a supply application, a scheme, a meter
                 ticket, a railway qualification, the year's volume, information passed on): the
                 deadline rules of a plugin (kamkit.deadlines) read its steps
    Survey       one satisfaction answer: a customer's on the service, a department's on another's
                 cooperation (客户满意度, 部门协作满意度)
    WorkPlan     a period's plan of a kind (business, survey, process improvement, service) and its
                 items with the day each was done
    CallLog      a month of a call centre's (or an agent's) calls, as the switch counts them
    Incident     a sales-rule violation, a teamwork incident, a breach of conduct, with the day
    StandardCheck  one check of a service standard: executed or not
    Appraisal    one rater's points on a scorecard's rated items for a period, with the day given
    Appointment  a grade proposed for a person and its approval by the named level
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from .periods import Month

# Survey subjects: what was rated.
SERVICE, COOPERATION = "service", "cooperation"
SURVEY_SUBJECTS = (SERVICE, COOPERATION)
# Incident kinds, each a row of 客户经理绩效考核方案.
SALES_RULE, TEAMWORK, CONDUCT = "sales_rule", "teamwork", "conduct"
INCIDENT_KINDS = (SALES_RULE, TEAMWORK, CONDUCT)
# Who rates on an appraisal (客户经理绩效考核方案 二: 考核主体).
MANAGER, SELF, CUSTOMER = "manager", "self", "customer"
RATER_KINDS = (MANAGER, SELF, CUSTOMER)
# An appointment's course: proposed by one level, approved (or refused) by the one the ladder names.
PROPOSED, APPROVED, REFUSED = "proposed", "approved", "refused"
APPOINTMENT_STATUSES = (PROPOSED, APPROVED, REFUSED)


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    kind: str  # the plugin's case kind: supply_application, supply_scheme, meter_ticket, ...
    person: str  # who handles it
    opened: date
    customer: str | None = None
    steps: Mapping[str, date] = field(default_factory=dict)  # step name -> the day it was done
    attributes: Mapping[str, Any] = field(default_factory=dict)  # voltage, supply, tonnes, year...
    note: str = ""

    def step(self, name: str) -> date | None:
        """The day a step was done; ``opened`` is a step of every case."""
        return self.opened if name == "opened" else self.steps.get(name)


@dataclass(frozen=True, slots=True)
class Survey:
    id: str
    date: date
    score: Decimal  # 0-100
    subject: str = SERVICE  # service | cooperation
    customer: str | None = None
    person: str | None = None  # whose work was rated (None: the department's)
    department: str = ""  # the department that answered a cooperation sheet
    plan: str | None = None  # the survey plan (a WorkPlan of kind survey) it answers


@dataclass(frozen=True, slots=True)
class PlanItem:
    id: str
    name: str = ""
    done: date | None = None


@dataclass(frozen=True, slots=True)
class WorkPlan:
    id: str
    period: str  # the period it plans: 2026-03 | 2026-Q1 | 2026
    plan: str  # business | survey | process | service
    items: tuple[PlanItem, ...] = ()
    person: str | None = None  # None: the department's (the centre's) plan


@dataclass(frozen=True, slots=True)
class CallLog:
    month: Month
    inbound: int = 0
    outbound: int = 0
    answered: int = 0  # 接通: calls put through
    transferred: int = 0  # 转接: answered calls passed to another line
    blocked: int = 0  # 受到阻塞的
    abandoned: int = 0  # 中途放弃的
    person: str | None = None  # None: the whole centre

    @property
    def calls(self) -> int:
        """Every call into or out of the centre, blocked and abandoned ones too (呼叫数)."""
        return self.inbound + self.outbound


@dataclass(frozen=True, slots=True)
class Incident:
    id: str
    person: str
    date: date
    kind: str  # sales_rule | teamwork | conduct
    note: str = ""
    recorded_by: str | None = None


@dataclass(frozen=True, slots=True)
class StandardCheck:
    id: str
    person: str
    date: date
    passed: bool
    standard: str = ""  # which service standard was checked


@dataclass(frozen=True, slots=True)
class Appraisal:
    id: str
    person: str  # who is appraised
    period: str  # 2026-Q3 | 2026
    rater_kind: str  # manager | self | customer
    submitted: date
    items: Mapping[str, Decimal] = field(default_factory=dict)  # item key -> points given
    rater: str | None = None  # a person of the line (None: a customer)
    customer: str | None = None


@dataclass(frozen=True, slots=True)
class Appointment:
    id: str
    person: str
    grade: str
    proposed_by: str
    proposed_on: date
    status: str = PROPOSED  # proposed | approved | refused
    decided_by: str | None = None  # who approved or refused (a person of the line)
    decided_on: date | None = None
    note: str = ""


def mean(values) -> Decimal | None:
    """The arithmetic mean, None over nothing (not applicable, never 0)."""
    values = list(values)
    return sum(values, Decimal(0)) / len(values) if values else None
