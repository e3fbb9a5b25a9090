"""The facts a rule plugin computes from: plain, immutable records.

One vocabulary for every business line. A plugin reads the kinds it needs and
ignores the rest; services build these records from their own projections and
the what-if CLI builds them from a facts file (see kamkit/facts_schema.py).
Money fields are Decimal CNY, dates are datetime.date, ids are strings. Records have slots: a
large organisation's month holds a million of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from typing import Any

from .frozen import quick_init
from .periods import Month, Quarter
from .work_records import Appointment, Appraisal, CallLog, Case, Incident, StandardCheck, Survey, WorkPlan

# --- organisation -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Branch:
    id: str
    name: str = ""
    urban: bool = False  # 城区分公司: reports 2 citywide opportunities a month, not 1


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    role: str  # a role key of the plugin (docs/rules.md roles table)
    name: str = ""
    branch: str | None = None
    grade: str | None = None  # banking grade key
    grade_since: date | None = None  # banking: when the current grade was given
    previous_grade: str | None = None  # banking: the grade held before grade_since
    start_date: date | None = None  # joined the line (software: first quarter carries no task;
    #                                 banking: start of credit work)
    monthly_task: Decimal | None = None  # telecom: overrides the default base task
    quarterly_target: Decimal | None = None  # software: T of docs/rules.md §2.3
    salary_grade: int | None = None  # software: reported half-year grade moves
    work_since: date | None = None  # began work in the trade (bank grades: years of banking work)
    certificates: tuple[str, ...] = ()  # tests and qualifications passed (bank grades: skills_test)


# --- opportunities and their reviews ----------------------------------------


@quick_init  # by the million in a large period
@dataclass(frozen=True, slots=True)
class Opportunity:
    id: str
    amount: Decimal
    discovered: date
    lines: int = 0  # 线路条数
    scope: str = "local"  # local | citywide
    customer: str = ""
    branch: str | None = None
    account_manager: str | None = None  # the person who found it or should have reported it
    entered: date | None = None  # when it reached the system; None = never entered
    origin: str = "reported"  # reported | audit (found by the city company: a missed report)
    competitor_single_source: bool = False  # the miss led to a competitor's single-source buy
    quality: str = "ok"  # ok | poor (non-compliant, low quality or perfunctory entry)
    status: str = "open"  # open | won | lost
    citywide_bid: bool = False  # a city-wide competitive bid (全市性竞争应对)


CONFIRM, REJECT = "confirm", "reject"


@dataclass(frozen=True, slots=True)
class Confirmation:
    """An opportunity confirmed or rejected by the person holding its confirming role in its
    branch (000 §(一)2–4: 经…确认后…上报市公司): a confirmed one is reported to the city on
    ``date``; a rejected one is not reported, not in the bulletin, not followed up."""

    opportunity: str
    decision: str  # confirm | reject
    by: str  # the person who decided (a person of the line)
    date: date
    note: str = ""
    recorded_by: str | None = None  # the principal who recorded it


@dataclass(frozen=True, slots=True)
class LossReview:
    opportunity: str
    verdict: str  # pending | subjective | objective
    decided: date | None = None


# --- telecom deals ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Deal:
    id: str
    seller: str
    date: date
    list_price: Decimal
    deal_price: Decimal
    agent: bool = False  # sold by an agent (代理商): seller is the agent's id
    customer: str = ""


# --- software collections ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Share:
    person: str
    share: Decimal  # fraction of 1


# A deduction a collection does not state: one shared zero, so crediting can tell it from a
# stated 0 by identity and leave the amount as it is (no new Decimal a collection).
NOT_DEDUCTED = Decimal(0)


@quick_init  # by the million in a large period
@dataclass(frozen=True, slots=True)
class Collection:
    id: str
    rep: str  # the rep (or party) who collected
    date: date
    amount: Decimal  # collected payment 回款, gross
    contract: str | None = None
    partner_share: Decimal = NOT_DEDUCTED  # 合作伙伴分利
    expenses: Decimal = NOT_DEDUCTED  # 销售费用
    entertainment: Decimal = NOT_DEDUCTED  # 大额招待费
    travel: Decimal = NOT_DEDUCTED  # 项目差旅费
    in_crm: bool = True  # 进入销售漏斗/CRM
    revenue_kind: str = "product"
    # product | implementation | maintenance | training | secondary_dev | service
    # | supplies | add_module | data_conversion
    gross_margin: Decimal | None = None  # secondary development counts at gross margin
    joint_with: str | None = None  # joint sale: the other party gets 30%, the collector 70%
    contributions: tuple[Share, ...] = ()  # several reps: credit split by these shares
    delivered_by: str | None = None  # implementation/service of a joint sale: who delivered it


@dataclass(frozen=True, slots=True)
class Contract:
    id: str
    total: Decimal
    implementation: Decimal = Decimal(0)
    implementation_quote: Decimal | None = None  # the standard quote for its implementation
    tobacco: bool = False  # a tobacco-industry contract: a joint sale is not split (烟草除外)


# --- customers and the work around them (docs/rules.md §6) ------------------------------

# A customer's dated status changes: what 001 §2.1 and 003 §四, §十一 count.
NEW_BIG = "new_big"  # 开发新的大客户: a new customer developed as a big customer
UPGRADED = "upgraded"  # 将现有普通客户提升为大客户: an ordinary customer made big
LOST = "lost"  # 大客户流失: a big customer lost
DOWNGRADED = "downgraded"  # a big customer reclassified as ordinary (not a loss)
STATUS_CHANGES = (NEW_BIG, UPGRADED, LOST, DOWNGRADED)


@dataclass(frozen=True, slots=True)
class StatusChange:
    date: date
    change: str  # one of STATUS_CHANGES
    reason: str = ""
    person: str | None = None  # credited (or answerable); None: the customer's owner


@dataclass(frozen=True, slots=True)
class Customer:
    """An entry of the customer register (大客户信息档案)."""

    id: str
    name: str = ""
    owner: str | None = None  # the person who manages the account
    branch: str | None = None
    segment: str = ""  # the organisation's own class of customer (A/B/C, industry, ...)
    big: bool = False  # a big customer when registered, before any change below
    changes: tuple[StatusChange, ...] = ()  # in date order

    def big_on(self, day: date) -> bool:
        """Whether the customer is big at the end of ``day``."""
        status = self.big
        for change in self.changes:
            if change.date > day:
                break
            status = change.change in (NEW_BIG, UPGRADED)
        return status

    def credited(self, change: StatusChange) -> str | None:
        return change.person or self.owner


@dataclass(frozen=True, slots=True)
class VisitPlan:
    """Next month's visit plan (次月拜访工作计划), due by the last working day of the month before."""

    person: str
    month: Month  # the month planned
    submitted: date
    customers: tuple[str, ...] = ()  # customers to visit (first visits and others)
    revisits: tuple[str, ...] = ()  # customers to revisit (回访)


FIRST, REVISIT = "first", "revisit"


@quick_init  # a large organisation's year holds millions
@dataclass(frozen=True, slots=True)
class Visit:
    id: str
    person: str
    customer: str
    date: date
    purpose: str = FIRST  # first | revisit
    outcome: str = ""


@dataclass(frozen=True, slots=True)
class DevelopmentPlan:
    """A big-customer development plan (大客户开发计划) for a quarter: how many big customers the
    person means to win (new or upgraded), and whom."""

    id: str
    person: str
    quarter: Quarter
    planned: int
    targets: tuple[str, ...] = ()  # prospects or customers named in the plan
    status: str = "submitted"  # draft | submitted | approved | returned | withdrawn
    # the department manager's decision (001 §1.1 权力1: 大客户开发计划的审核权), docs/rules.md §6.1
    decided_by: str | None = None
    decided_at: datetime | None = None
    note: str = ""


FAULTS = ("none", "staff", "company")


@quick_init
@dataclass(frozen=True, slots=True)
class Complaint:
    id: str
    person: str
    received: date
    customer: str | None = None
    received_at: datetime | None = None
    answered_at: datetime | None = None
    resolved_at: datetime | None = None
    resolved: date | None = None
    hours_to_resolve: Decimal | None = None  # given, or resolved_at - received_at
    fault: str = "none"  # none | staff | company: valid (有效投诉) when staff or company
    note: str = ""
    satisfied: bool | None = None  # the customer's verdict on the resolution (None: not asked)

    @property
    def valid(self) -> bool:
        return self.fault != "none"

    def hours(self, until: datetime | None = None) -> Decimal | None:
        """Hours from receipt to resolution; unresolved: to ``until`` (None: unknown)."""
        if self.hours_to_resolve is not None:
            return self.hours_to_resolve
        start = self.received_at or datetime.combine(self.received, datetime.min.time())
        end = self.resolved_at or (
            datetime.combine(self.resolved, datetime.min.time()) if self.resolved else until
        )
        if end is None:
            return None
        return Decimal(int((end - start).total_seconds())) / 3600


@quick_init
@dataclass(frozen=True, slots=True)
class FeedbackRequest:
    """A customer's opinion or question to be answered by a due time (意见反馈 / 解答)."""

    id: str
    person: str
    raised_at: datetime
    due_at: datetime
    customer: str | None = None
    answered_at: datetime | None = None

    def timely(self) -> bool:
        return self.answered_at is not None and self.answered_at <= self.due_at


@dataclass(frozen=True, slots=True)
class Budget:
    """A service-cost budget (服务费用预算) for a quarter: one person's, or the department's
    (person None: the whole business line)."""

    quarter: Quarter
    amount: Decimal
    person: str | None = None


@quick_init
@dataclass(frozen=True, slots=True)
class Expense:
    id: str
    date: date
    amount: Decimal
    person: str | None = None  # None: spent by the department, not by one person
    customer: str | None = None
    category: str = "service"


@dataclass(frozen=True, slots=True)
class Attendance:
    person: str
    month: Month
    late_arrivals: int = 0
    absences: int = 0  # days absent without leave
    working_days: int | None = None


@dataclass(frozen=True, slots=True)
class FeaturedService:
    """A new featured service introduced (特色的服务内容): +2 on 003 §十一's innovation item."""

    id: str
    person: str
    date: date
    name: str = ""
    customer: str | None = None


# --- KPI -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scorecard:
    """Seed 003 §十一 account-manager sheet (docs/rules.md §4). Ratios are fractions of 1.

    The rated items (communication, responsibility, learning) are the rater's. The measured items
    are counted from the records (kamkit.scorecard) and are left None; a value typed here is used
    only where the line's ``kpi_measured_from`` parameter is ``typed`` (facts files of the time
    before the records existed)."""

    sales_completion: Decimal | None = None
    complaint_hours: Decimal | None = None
    collection_rate: Decimal | None = None
    upgraded_customers: int | None = None
    new_big_customers: int | None = None
    lost_big_customers: int | None = None
    innovation: Decimal | None = None
    communication: Decimal = Decimal(0)
    late_arrivals: int | None = None
    complaints: int | None = None
    responsibility: Decimal = Decimal(0)
    learning: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class KpiRating:
    person: str
    rater_role: str  # whose rating this is, by role key
    score: Decimal | None = None  # 0-100 given directly ...
    scorecard: Scorecard | None = None  # ... or computed from the §4 sheet
    rater: str | None = None  # who rated (a person of the line)


@dataclass(frozen=True, slots=True)
class Calendar:
    """A line's working days of one year: Monday to Friday, less its public holidays, plus the
    weekend days worked instead (调休). A plan due on the month's last working day reads it."""

    year: int
    holidays: tuple[date, ...] = ()
    workdays: tuple[date, ...] = ()  # weekend days that are working days


# --- targets (001 §2.2 第3、5、6条) -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """A sales target set by the department manager: one person's (or the department's, person
    None) for a period — a month, a quarter or a year — and the periods of that length after it
    until another is set (kamkit.targets); optionally for one region or product (第5条)."""

    id: str
    period: str  # the first period it sets: 2026-03 | 2026-Q1 | 2026
    amount: Decimal
    person: str | None = None
    region: str | None = None
    product: str | None = None
    set_by: str | None = None  # the principal who set it
    set_on: date | None = None
    note: str = ""


PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"


@dataclass(frozen=True, slots=True)
class TargetChange:
    """A request to change a target from a period on (第6条): in force once a department manager
    other than the requester approves it; until then the target before it stands."""

    id: str
    period: str  # from which period: 2026-03 | 2026-Q1 | 2026
    amount: Decimal
    reason: str
    person: str | None = None
    region: str | None = None
    product: str | None = None
    requested_by: str | None = None
    requested_at: datetime | None = None
    status: str = PENDING  # pending | approved | rejected
    decided_by: str | None = None
    decided_at: datetime | None = None
    note: str = ""  # the decider's


# --- banking -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Loan:
    id: str
    manager: str
    amount: Decimal
    issued: date
    kind: str = "new"  # new | renewal | merge | extension
    referrer: str | None = None


@dataclass(frozen=True, slots=True)
class Portfolio:
    """A customer manager's book at a month end."""

    manager: str
    month: Month
    balance: Decimal
    overdue_balance: Decimal = Decimal(0)
    borrowers: int = 0
    interest_recovered: Decimal = Decimal(0)
    new_balance: Decimal = Decimal(0)
    loans_managed: int = 0  # 当前管户的贷款笔数
    loans_handled: int = 0  # cumulative loans handled (经办)

    @property
    def overdue_rate(self) -> Decimal:
        return self.overdue_balance / self.balance if self.balance else Decimal(0)


# --- the whole bundle ----------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    business_line: str | None = None
    month: Month | None = None
    quarter: Quarter | None = None
    branches: tuple[Branch, ...] = ()
    people: tuple[Person, ...] = ()
    opportunities: tuple[Opportunity, ...] = ()
    loss_reviews: tuple[LossReview, ...] = ()
    confirmations: tuple[Confirmation, ...] = ()
    deals: tuple[Deal, ...] = ()
    collections: tuple[Collection, ...] = ()
    contracts: tuple[Contract, ...] = ()
    kpi: tuple[KpiRating, ...] = ()
    loans: tuple[Loan, ...] = ()
    portfolios: tuple[Portfolio, ...] = ()
    customers: tuple[Customer, ...] = ()
    visit_plans: tuple[VisitPlan, ...] = ()
    visits: tuple[Visit, ...] = ()
    development_plans: tuple[DevelopmentPlan, ...] = ()
    complaints: tuple[Complaint, ...] = ()
    feedback_requests: tuple[FeedbackRequest, ...] = ()
    budgets: tuple[Budget, ...] = ()
    expenses: tuple[Expense, ...] = ()
    attendance: tuple[Attendance, ...] = ()
    featured_services: tuple[FeaturedService, ...] = ()
    targets: tuple[Target, ...] = ()
    calendars: tuple[Calendar, ...] = ()
    target_changes: tuple[TargetChange, ...] = ()
    # the service, deadline and grade schemes of seed 002 (kamkit.work_records, docs/rules.md §10)
    cases: tuple[Case, ...] = ()
    surveys: tuple[Survey, ...] = ()
    work_plans: tuple[WorkPlan, ...] = ()
    call_logs: tuple[CallLog, ...] = ()
    incidents: tuple[Incident, ...] = ()
    standard_checks: tuple[StandardCheck, ...] = ()
    appraisals: tuple[Appraisal, ...] = ()
    appointments: tuple[Appointment, ...] = ()
    # Carried state handed in by the caller (compensation keeps it between quarters).
    carried: Mapping[str, Any] = field(default_factory=dict)

    # Lookups a plugin makes once per line: indexed on first use, so a month of a large
    # organisation costs O(records + people), not records x people. (Built lazily on the frozen
    # instance: cached_property writes the instance's __dict__ directly.)

    @cached_property
    def _people_by_id(self) -> dict[str, Person]:
        return {p.id: p for p in self.people}

    @cached_property
    def _roles(self) -> dict[tuple[str, str | None], list[Person]]:
        index: dict[tuple[str, str | None], list[Person]] = {}
        for p in self.people:  # roster order kept within each key
            index.setdefault((p.role, None), []).append(p)
            if p.branch is not None:
                index.setdefault((p.role, p.branch), []).append(p)
        return index

    @cached_property
    def _kpi_by_person(self) -> dict[str, list[KpiRating]]:
        index: dict[str, list[KpiRating]] = {}
        for r in self.kpi:
            index.setdefault(r.person, []).append(r)
        return index

    @cached_property
    def _confirmations(self) -> dict[str, Confirmation]:
        return {c.opportunity: c for c in self.confirmations}

    def confirmation_of(self, opportunity_id: str) -> Confirmation | None:
        return self._confirmations.get(opportunity_id)

    def person(self, person_id: str) -> Person | None:
        return self._people_by_id.get(person_id)

    def branch(self, branch_id: str | None) -> Branch | None:
        return next((b for b in self.branches if b.id == branch_id), None)

    def with_role(self, role: str, branch: str | None = None) -> list[Person]:
        """People holding a role, in a branch when given (roster order)."""
        return list(self._roles.get((role, branch), ()))

    def kpi_of(self, person_id: str) -> list[KpiRating]:
        """The KPI ratings of one person (in file order)."""
        return list(self._kpi_by_person.get(person_id, ()))
