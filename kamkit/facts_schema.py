"""marshmallow schemas that turn a facts document (JSON/YAML/RPC payload) into kamkit.facts.

Errors come back as InvalidFacts naming each bad field with its path, e.g.
``opportunities.2.amount: must be >= 0``. Format reference: docs/facts-format.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from . import facts as F
from .errors import InvalidFacts, flatten
from .limits import DATE_MAX, DATE_MIN, number_problem
from .periods import Month, Quarter


class Number(fields.Field):
    """Exact Decimal. Accepts int, numeric string or Decimal; a float from YAML is read through
    its shortest repr ("0.9" stays 0.9). Booleans and text are refused."""

    default_error_messages = {
        "invalid": "must be a number, got {input!r}",
        "negative": "must be >= 0, got {input}",
        "range": "must be between {low} and {high}, got {input}",
    }

    def __init__(self, *, minimum: Decimal | int | None = 0, maximum: Decimal | int | None = None, **kw):
        super().__init__(**kw)
        self.minimum = None if minimum is None else Decimal(minimum)
        self.maximum = None if maximum is None else Decimal(maximum)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
            raise self.make_error("invalid", input=value)
        try:
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
        except InvalidOperation:
            raise self.make_error("invalid", input=value) from None
        if not number.is_finite():
            raise self.make_error("invalid", input=value)
        problem = number_problem(number)
        if problem:
            raise ValidationError(problem)
        if self.maximum is not None and not (self.minimum or 0) <= number <= self.maximum:
            raise self.make_error("range", low=self.minimum, high=self.maximum, input=value)
        if self.minimum is not None and number < self.minimum:
            raise self.make_error("negative", input=value)
        return number

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else str(value)


class Flag(fields.Boolean):
    """true or false, nothing that merely looks like one: a record of pay does not guess whether
    0, "no" or "" meant false."""

    default_error_messages = {"invalid": "must be true or false, got {input!r}"}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class PeriodField(fields.Field):
    def __init__(self, kind, **kw):
        super().__init__(**kw)
        self.kind = kind

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            period = self.kind.parse(str(value))
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        if not DATE_MIN.year <= period.year <= DATE_MAX.year:  # year 0 is a typo, and has no days
            raise ValidationError(f"the year must be {DATE_MIN.year} to {DATE_MAX.year}, got {period.year}")
        return period

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else str(value)


class AnyPeriod(fields.Field):
    """A month, a quarter or a year, as its label (2026-03, 2026-Q1, 2026)."""

    def _deserialize(self, value, attr, data, **kwargs):
        from .activity import Window  # activity reads facts: imported when a period is read

        try:
            window = Window.parse(str(value))
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        if not DATE_MIN.year <= window.first.year <= DATE_MAX.year:
            raise ValidationError(
                f"the year must be {DATE_MIN.year} to {DATE_MAX.year}, got {window.first.year}"
            )
        return window.label


def _id(**kw):
    return fields.String(validate=validate.Length(min=1), **kw)


def _one_of(*choices, default):
    return fields.String(load_default=default, validate=validate.OneOf(choices))


class _Base(Schema):
    class Meta:
        unknown = RAISE  # a misspelt field is an error, not silently ignored

    record: type = None  # the kamkit.facts dataclass this schema builds

    @post_load
    def build(self, data, **kwargs):
        return self.record(**data) if self.record else data


class BranchSchema(_Base):
    record = F.Branch
    id = _id(required=True)
    name = fields.String(load_default="")
    urban = Flag(load_default=False)


class PersonSchema(_Base):
    record = F.Person
    id = _id(required=True)
    role = fields.String(required=True)
    name = fields.String(load_default="")
    branch = fields.String(load_default=None, allow_none=True)
    grade = fields.String(load_default=None, allow_none=True)
    grade_since = fields.Date(load_default=None, allow_none=True)
    previous_grade = fields.String(load_default=None, allow_none=True)
    start_date = fields.Date(load_default=None, allow_none=True)
    monthly_task = Number(load_default=None, allow_none=True)
    quarterly_target = Number(load_default=None, allow_none=True)
    salary_grade = fields.Integer(load_default=None, allow_none=True, strict=True)
    work_since = fields.Date(load_default=None, allow_none=True)
    certificates = fields.List(_id(), load_default=())

    @post_load
    def build(self, data, **kwargs):
        return F.Person(**{**data, "certificates": tuple(data.get("certificates", ()))})


class OpportunitySchema(_Base):
    record = F.Opportunity
    id = _id(required=True)
    amount = Number(required=True)
    discovered = fields.Date(required=True)
    lines = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0))
    scope = _one_of("local", "citywide", default="local")
    customer = fields.String(load_default="")
    branch = fields.String(load_default=None, allow_none=True)
    account_manager = fields.String(load_default=None, allow_none=True)
    entered = fields.Date(load_default=None, allow_none=True)
    origin = _one_of("reported", "audit", default="reported")
    competitor_single_source = Flag(load_default=False)
    quality = _one_of("ok", "poor", default="ok")
    status = _one_of("open", "won", "lost", default="open")
    citywide_bid = Flag(load_default=False)

    @validates_schema
    def entered_after_discovery(self, data, **kwargs):
        if data.get("entered") and data.get("discovered") and data["entered"] < data["discovered"]:
            raise ValidationError("cannot be before discovered", field_name="entered")


class LossReviewSchema(_Base):
    record = F.LossReview
    opportunity = _id(required=True)
    verdict = fields.String(required=True, validate=validate.OneOf(["pending", "subjective", "objective"]))
    decided = fields.Date(load_default=None, allow_none=True)

    @validates_schema
    def decided_when_final(self, data, **kwargs):
        if data.get("verdict") in ("subjective", "objective") and not data.get("decided"):
            raise ValidationError("a verdict needs the date it was decided", field_name="decided")


class DealSchema(_Base):
    record = F.Deal
    id = _id(required=True)
    seller = _id(required=True)
    date = fields.Date(required=True)
    list_price = Number(
        required=True, validate=validate.Range(min=0, min_inclusive=False, error="must be > 0")
    )
    deal_price = Number(required=True)
    agent = Flag(load_default=False)
    customer = fields.String(load_default="")


class ShareSchema(_Base):
    record = F.Share
    person = _id(required=True)
    share = Number(required=True, maximum=1)


REVENUE_KINDS = (
    "product",
    "implementation",
    "maintenance",
    "training",
    "secondary_dev",
    "service",
    "supplies",
    "add_module",
    "data_conversion",
)


class CollectionSchema(_Base):
    record = F.Collection
    id = _id(required=True)
    rep = _id(required=True)
    date = fields.Date(required=True)
    amount = Number(required=True)
    contract = fields.String(load_default=None, allow_none=True)
    partner_share = Number(load_default=Decimal(0))
    expenses = Number(load_default=Decimal(0))
    entertainment = Number(load_default=Decimal(0))
    travel = Number(load_default=Decimal(0))
    in_crm = Flag(load_default=True)
    revenue_kind = _one_of(*REVENUE_KINDS, default="product")
    gross_margin = Number(load_default=None, allow_none=True)
    joint_with = fields.String(load_default=None, allow_none=True)
    contributions = fields.List(fields.Nested(ShareSchema), load_default=())
    delivered_by = fields.String(load_default=None, allow_none=True)

    @validates_schema
    def consistent(self, data, **kwargs):
        shares = data.get("contributions") or ()
        if shares and sum(s.share for s in shares) != 1:
            raise ValidationError("contribution shares must sum to 1 (100%)", field_name="contributions")
        if shares and data.get("joint_with"):
            raise ValidationError(
                "give either joint_with or contributions, not both", field_name="joint_with"
            )
        if data.get("revenue_kind") == "secondary_dev" and data.get("gross_margin") is None:
            raise ValidationError(
                "secondary development counts at gross margin: give it", field_name="gross_margin"
            )

    @post_load
    def build(self, data, **kwargs):
        data["contributions"] = tuple(data.get("contributions") or ())
        return F.Collection(**data)


class ContractSchema(_Base):
    record = F.Contract
    id = _id(required=True)
    total = Number(required=True)
    implementation = Number(load_default=Decimal(0))
    implementation_quote = Number(load_default=None, allow_none=True)
    tobacco = Flag(load_default=False)


def _count(**kw):
    return fields.Integer(strict=True, validate=validate.Range(min=0), **kw)


class ScorecardSchema(_Base):
    record = F.Scorecard
    # measured items: counted from the records unless the line's kpi_measured_from is "typed"
    sales_completion = Number(load_default=None, allow_none=True)
    complaint_hours = Number(load_default=None, allow_none=True)
    collection_rate = Number(load_default=None, allow_none=True)
    upgraded_customers = _count(load_default=None, allow_none=True)
    new_big_customers = _count(load_default=None, allow_none=True)
    lost_big_customers = _count(load_default=None, allow_none=True)
    innovation = Number(load_default=None, allow_none=True, maximum=5)
    late_arrivals = _count(load_default=None, allow_none=True)
    complaints = _count(load_default=None, allow_none=True)
    # rated items: the rater's
    communication = Number(load_default=Decimal(0), maximum=5)
    responsibility = Number(load_default=Decimal(0), maximum=5)
    learning = Number(load_default=Decimal(0), maximum=5)


class KpiRatingSchema(_Base):
    record = F.KpiRating
    person = _id(required=True)
    rater_role = fields.String(required=True)
    score = Number(load_default=None, allow_none=True, maximum=100)
    scorecard = fields.Nested(ScorecardSchema, load_default=None, allow_none=True)
    rater = fields.String(load_default=None, allow_none=True)

    @validates_schema
    def one_source(self, data, **kwargs):
        if (data.get("score") is None) == (data.get("scorecard") is None):
            raise ValidationError("give exactly one of score or scorecard", field_name="score")


class LoanSchema(_Base):
    record = F.Loan
    id = _id(required=True)
    manager = _id(required=True)
    amount = Number(required=True)
    issued = fields.Date(required=True)
    kind = _one_of("new", "renewal", "merge", "extension", default="new")
    referrer = fields.String(load_default=None, allow_none=True)


class PortfolioSchema(_Base):
    record = F.Portfolio
    manager = _id(required=True)
    month = PeriodField(Month, required=True)
    balance = Number(required=True)
    overdue_balance = Number(load_default=Decimal(0))
    borrowers = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0))
    interest_recovered = Number(load_default=Decimal(0))
    new_balance = Number(load_default=Decimal(0), minimum=None)
    loans_managed = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0))
    loans_handled = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0))

    @validates_schema
    def overdue_within_balance(self, data, **kwargs):
        if data.get("overdue_balance", 0) > data.get("balance", 0):
            raise ValidationError("cannot exceed balance", field_name="overdue_balance")


# --- customers and the work around them -------------------------------------------------


class StatusChangeSchema(_Base):
    record = F.StatusChange
    date = fields.Date(required=True)
    change = fields.String(required=True, validate=validate.OneOf(F.STATUS_CHANGES))
    reason = fields.String(load_default="")
    person = fields.String(load_default=None, allow_none=True)


class CustomerSchema(_Base):
    record = F.Customer
    id = _id(required=True)
    name = fields.String(load_default="")
    owner = fields.String(load_default=None, allow_none=True)
    branch = fields.String(load_default=None, allow_none=True)
    segment = fields.String(load_default="")
    big = Flag(load_default=False)
    changes = fields.List(fields.Nested(StatusChangeSchema), load_default=())

    @validates_schema
    def changes_in_order(self, data, **kwargs):
        days = [c.date for c in data.get("changes") or ()]
        if days != sorted(days):
            raise ValidationError("status changes must be in date order", field_name="changes")

    @post_load
    def build(self, data, **kwargs):
        data["changes"] = tuple(data.get("changes") or ())
        return F.Customer(**data)


def _ids(**kw):
    return fields.List(_id(), load_default=(), **kw)


class VisitPlanSchema(_Base):
    record = F.VisitPlan
    person = _id(required=True)
    month = PeriodField(Month, required=True)
    submitted = fields.Date(required=True)
    customers = _ids()
    revisits = _ids()

    @post_load
    def build(self, data, **kwargs):
        data["customers"] = tuple(data.get("customers") or ())
        data["revisits"] = tuple(data.get("revisits") or ())
        return F.VisitPlan(**data)


class VisitSchema(_Base):
    record = F.Visit
    id = _id(required=True)
    person = _id(required=True)
    customer = _id(required=True)
    date = fields.Date(required=True)
    purpose = _one_of(F.FIRST, F.REVISIT, default=F.FIRST)
    outcome = fields.String(load_default="")


class DevelopmentPlanSchema(_Base):
    record = F.DevelopmentPlan
    id = _id(required=True)
    person = _id(required=True)
    quarter = PeriodField(Quarter, required=True)
    planned = _count(required=True)
    targets = fields.List(fields.String(), load_default=())
    status = _one_of("draft", "submitted", "approved", "returned", "withdrawn", default="submitted")
    decided_by = fields.String(load_default=None, allow_none=True)
    decided_at = fields.NaiveDateTime(load_default=None, allow_none=True)
    note = fields.String(load_default="")

    @post_load
    def build(self, data, **kwargs):
        data["targets"] = tuple(data.get("targets") or ())
        return F.DevelopmentPlan(**data)


class ComplaintSchema(_Base):
    record = F.Complaint
    id = _id(required=True)
    person = _id(required=True)
    received = fields.Date(required=True)
    customer = fields.String(load_default=None, allow_none=True)
    received_at = fields.NaiveDateTime(load_default=None, allow_none=True)
    answered_at = fields.NaiveDateTime(load_default=None, allow_none=True)
    resolved_at = fields.NaiveDateTime(load_default=None, allow_none=True)
    resolved = fields.Date(load_default=None, allow_none=True)
    hours_to_resolve = Number(load_default=None, allow_none=True)
    fault = _one_of(*F.FAULTS, default="none")
    note = fields.String(load_default="")
    satisfied = Flag(load_default=None, allow_none=True)

    @validates_schema
    def times_in_order(self, data, **kwargs):
        received_at = data.get("received_at")
        if received_at and received_at.date() != data.get("received"):
            raise ValidationError("must fall on the day received", field_name="received_at")
        start = received_at
        for name in ("answered_at", "resolved_at"):
            if start and data.get(name) and data[name] < start:
                raise ValidationError("cannot be before received_at", field_name=name)
        if data.get("resolved") and data.get("received") and data["resolved"] < data["received"]:
            raise ValidationError("cannot be before received", field_name="resolved")
        if received_at and data.get("resolved") and not data.get("resolved_at"):
            # a day without a time would be its midnight: hours before the complaint was received
            raise ValidationError(
                "received_at gives the time received: give the time resolved as resolved_at",
                field_name="resolved",
            )


class FeedbackRequestSchema(_Base):
    record = F.FeedbackRequest
    id = _id(required=True)
    person = _id(required=True)
    raised_at = fields.NaiveDateTime(required=True)
    due_at = fields.NaiveDateTime(required=True)
    customer = fields.String(load_default=None, allow_none=True)
    answered_at = fields.NaiveDateTime(load_default=None, allow_none=True)

    @validates_schema
    def times_in_order(self, data, **kwargs):
        raised = data.get("raised_at")
        for name in ("due_at", "answered_at"):
            if raised and data.get(name) and data[name] < raised:
                raise ValidationError("cannot be before raised_at", field_name=name)


class BudgetSchema(_Base):
    record = F.Budget
    quarter = PeriodField(Quarter, required=True)
    amount = Number(required=True)
    person = fields.String(load_default=None, allow_none=True)


class ExpenseSchema(_Base):
    record = F.Expense
    id = _id(required=True)
    date = fields.Date(required=True)
    amount = Number(required=True)
    person = fields.String(load_default=None, allow_none=True)
    customer = fields.String(load_default=None, allow_none=True)
    category = fields.String(load_default="service")


class AttendanceSchema(_Base):
    record = F.Attendance
    person = _id(required=True)
    month = PeriodField(Month, required=True)
    late_arrivals = _count(load_default=0)
    absences = _count(load_default=0)
    working_days = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(min=0, max=31)
    )


class FeaturedServiceSchema(_Base):
    record = F.FeaturedService
    id = _id(required=True)
    person = _id(required=True)
    date = fields.Date(required=True)
    name = fields.String(load_default="")
    customer = fields.String(load_default=None, allow_none=True)


class ConfirmationSchema(_Base):
    record = F.Confirmation
    opportunity = _id(required=True)
    decision = fields.String(required=True, validate=validate.OneOf([F.CONFIRM, F.REJECT]))
    by = _id(required=True)
    date = fields.Date(required=True)
    note = fields.String(load_default="")
    recorded_by = fields.String(load_default=None, allow_none=True)


class CalendarSchema(_Base):
    year = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=DATE_MIN.year, max=DATE_MAX.year)
    )
    holidays = fields.List(fields.Date(), load_default=())
    workdays = fields.List(fields.Date(), load_default=())

    @validates_schema
    def in_its_year(self, data, **kwargs):
        year = data.get("year")
        for name in ("holidays", "workdays"):
            wrong = [str(d) for d in data.get(name) or () if d.year != year]
            if wrong:
                raise ValidationError(f"not in {year}: {', '.join(wrong)}", name)
        weekday = [str(d) for d in data.get("workdays") or () if d.weekday() < 5]
        if weekday:
            raise ValidationError(
                f"already working days (Monday to Friday): {', '.join(weekday)}", "workdays"
            )

    @post_load
    def build(self, data, **kwargs):
        return F.Calendar(data["year"], tuple(data.get("holidays") or ()), tuple(data.get("workdays") or ()))


class TargetSchema(_Base):
    record = F.Target
    id = _id(required=True)
    period = AnyPeriod(required=True)
    amount = Number(required=True)
    person = fields.String(load_default=None, allow_none=True)
    region = fields.String(load_default=None, allow_none=True)
    product = fields.String(load_default=None, allow_none=True)
    set_by = fields.String(load_default=None, allow_none=True)
    set_on = fields.Date(load_default=None, allow_none=True)
    note = fields.String(load_default="")


class TargetChangeSchema(_Base):
    record = F.TargetChange
    id = _id(required=True)
    period = AnyPeriod(required=True)
    amount = Number(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1))
    person = fields.String(load_default=None, allow_none=True)
    region = fields.String(load_default=None, allow_none=True)
    product = fields.String(load_default=None, allow_none=True)
    requested_by = fields.String(load_default=None, allow_none=True)
    requested_at = fields.NaiveDateTime(load_default=None, allow_none=True)
    status = _one_of(F.PENDING, F.APPROVED, F.REJECTED, default=F.PENDING)
    decided_by = fields.String(load_default=None, allow_none=True)
    decided_at = fields.NaiveDateTime(load_default=None, allow_none=True)
    note = fields.String(load_default="")

    @validates_schema
    def decided(self, data, **kwargs):
        """A decided change names who decided and when; a pending one neither."""
        status = data.get("status", F.PENDING)
        named = data.get("decided_by") is not None and data.get("decided_at") is not None
        if status != F.PENDING and not named:
            raise ValidationError(f"a change {status} names decided_by and decided_at", "status")
        if status == F.PENDING and (data.get("decided_by") or data.get("decided_at")):
            raise ValidationError("a pending change has no decision yet", "decided_by")


def _many(schema):
    return fields.List(fields.Nested(schema), load_default=())


def _work(name):
    """The records of kamkit.work_records: their schemas import this module's fields."""

    def schema():
        from .work_records_schema import SCHEMAS

        return SCHEMAS[name]()

    return fields.List(fields.Nested(schema), load_default=())


class FactsSchema(_Base):
    record = F.Facts
    business_line = fields.String(load_default=None, allow_none=True)
    plugin = fields.String(load_default=None, allow_none=True)  # informative in facts files
    month = PeriodField(Month, load_default=None, allow_none=True)
    quarter = PeriodField(Quarter, load_default=None, allow_none=True)
    branches = _many(BranchSchema)
    people = _many(PersonSchema)
    opportunities = _many(OpportunitySchema)
    loss_reviews = _many(LossReviewSchema)
    confirmations = _many(ConfirmationSchema)
    deals = _many(DealSchema)
    collections = _many(CollectionSchema)
    contracts = _many(ContractSchema)
    kpi = _many(KpiRatingSchema)
    loans = _many(LoanSchema)
    portfolios = _many(PortfolioSchema)
    customers = _many(CustomerSchema)
    visit_plans = _many(VisitPlanSchema)
    visits = _many(VisitSchema)
    development_plans = _many(DevelopmentPlanSchema)
    complaints = _many(ComplaintSchema)
    feedback_requests = _many(FeedbackRequestSchema)
    budgets = _many(BudgetSchema)
    expenses = _many(ExpenseSchema)
    attendance = _many(AttendanceSchema)
    featured_services = _many(FeaturedServiceSchema)
    targets = _many(TargetSchema)
    calendars = _many(CalendarSchema)
    target_changes = _many(TargetChangeSchema)
    cases = _work("cases")
    surveys = _work("surveys")
    work_plans = _work("work_plans")
    call_logs = _work("call_logs")
    incidents = _work("incidents")
    standard_checks = _work("standard_checks")
    appraisals = _work("appraisals")
    appointments = _work("appointments")
    carried = fields.Dict(load_default=dict)

    @validates_schema
    def references(self, data, **kwargs):
        """Every id a record points at must exist: a dangling reference is a typo, not a fact."""
        people = {p.id for p in data.get("people", ())}
        branches = {b.id for b in data.get("branches", ())}
        opportunities = {o.id for o in data.get("opportunities", ())}
        contracts = {c.id for c in data.get("contracts", ())}
        errors: dict[str, Any] = {}

        def check(kind, index, name, value, known):
            if value is not None and value not in known:
                errors.setdefault(kind, {}).setdefault(index, {})[name] = [f"unknown id {value!r}"]

        for kind, key in (
            ("people", "id"),
            ("branches", "id"),
            ("opportunities", "id"),
            ("deals", "id"),
            ("collections", "id"),
            ("loans", "id"),
            ("contracts", "id"),
            ("customers", "id"),
            ("visits", "id"),
            ("development_plans", "id"),
            ("complaints", "id"),
            ("feedback_requests", "id"),
            ("expenses", "id"),
            ("featured_services", "id"),
            ("cases", "id"),
            ("surveys", "id"),
            ("work_plans", "id"),
            ("incidents", "id"),
            ("standard_checks", "id"),
            ("appraisals", "id"),
            ("appointments", "id"),
        ):
            seen = set()
            for i, rec in enumerate(data.get(kind, ())):
                if getattr(rec, key) in seen:
                    errors.setdefault(kind, {}).setdefault(i, {})[key] = [
                        f"duplicate id {getattr(rec, key)!r}"
                    ]
                seen.add(getattr(rec, key))
        for i, p in enumerate(data.get("people", ())):
            check("people", i, "branch", p.branch, branches)
        for i, o in enumerate(data.get("opportunities", ())):
            check("opportunities", i, "branch", o.branch, branches)
            check("opportunities", i, "account_manager", o.account_manager, people)
        for i, r in enumerate(data.get("loss_reviews", ())):
            check("loss_reviews", i, "opportunity", r.opportunity, opportunities)
        decided = set()
        for i, c in enumerate(data.get("confirmations", ())):
            check("confirmations", i, "opportunity", c.opportunity, opportunities)
            check("confirmations", i, "by", c.by, people)
            if c.opportunity in decided:  # an opportunity is confirmed or rejected once
                errors.setdefault("confirmations", {}).setdefault(i, {})["opportunity"] = [
                    f"{c.opportunity!r} is decided twice"
                ]
            decided.add(c.opportunity)
        for i, d in enumerate(data.get("deals", ())):
            if not d.agent:
                check("deals", i, "seller", d.seller, people)
        for i, c in enumerate(data.get("collections", ())):
            check("collections", i, "rep", c.rep, people)
            check("collections", i, "joint_with", c.joint_with, people)
            check("collections", i, "delivered_by", c.delivered_by, people)
            check("collections", i, "contract", c.contract, contracts)
            for j, s in enumerate(c.contributions):
                if s.person not in people:
                    errors.setdefault("collections", {}).setdefault(i, {}).setdefault("contributions", {})[
                        j
                    ] = {"person": [f"unknown id {s.person!r}"]}
        for i, k in enumerate(data.get("kpi", ())):
            check("kpi", i, "person", k.person, people)
        for i, loan in enumerate(data.get("loans", ())):
            check("loans", i, "manager", loan.manager, people)
            check("loans", i, "referrer", loan.referrer, people)
        for i, pf in enumerate(data.get("portfolios", ())):
            check("portfolios", i, "manager", pf.manager, people)
        for i, k in enumerate(data.get("kpi", ())):
            check("kpi", i, "rater", k.rater, people)
        customers = {c.id for c in data.get("customers", ())}
        for i, c in enumerate(data.get("customers", ())):
            check("customers", i, "owner", c.owner, people)
            check("customers", i, "branch", c.branch, branches)
            for j, change in enumerate(c.changes):
                if change.person is not None and change.person not in people:
                    errors.setdefault("customers", {}).setdefault(i, {}).setdefault("changes", {})[j] = {
                        "person": [f"unknown id {change.person!r}"]
                    }
        for i, plan in enumerate(data.get("visit_plans", ())):
            check("visit_plans", i, "person", plan.person, people)
            for name in ("customers", "revisits"):
                for j, customer in enumerate(getattr(plan, name)):
                    if customer not in customers:
                        errors.setdefault("visit_plans", {}).setdefault(i, {}).setdefault(name, {})[j] = [
                            f"unknown customer {customer!r}"
                        ]
        for kind in ("visits", "complaints", "feedback_requests", "expenses", "featured_services"):
            for i, rec in enumerate(data.get(kind, ())):
                check(kind, i, "person", rec.person, people)
                check(kind, i, "customer", rec.customer, customers)
        for kind in ("development_plans", "budgets", "attendance", "targets", "target_changes"):
            for i, rec in enumerate(data.get(kind, ())):
                check(kind, i, "person", rec.person, people)
        for kind in ("cases", "surveys", "work_plans", "call_logs", "incidents", "standard_checks"):
            for i, rec in enumerate(data.get(kind, ())):
                check(kind, i, "person", rec.person, people)
        for kind in ("cases", "surveys", "appraisals"):
            for i, rec in enumerate(data.get(kind, ())):
                check(kind, i, "customer", rec.customer, customers)
        for i, rec in enumerate(data.get("appraisals", ())):
            check("appraisals", i, "person", rec.person, people)
            check("appraisals", i, "rater", rec.rater, people)
        for i, rec in enumerate(data.get("appointments", ())):
            for name in ("person", "proposed_by", "decided_by"):
                check("appointments", i, name, getattr(rec, name), people)
        if errors:
            raise ValidationError(errors)

    @post_load
    def build(self, data, **kwargs):
        data.pop("plugin", None)
        for key, value in list(data.items()):
            if isinstance(value, list):
                data[key] = tuple(value)
        return F.Facts(**data)


def load_facts(document: Mapping[str, Any]) -> F.Facts:
    """Validate a facts document; raise InvalidFacts naming every bad field."""
    if not isinstance(document, Mapping):
        raise InvalidFacts("the facts document must be a mapping (an object) at the top level")
    try:
        return FactsSchema().load(document)
    except ValidationError as exc:
        raise InvalidFacts(flatten(exc.messages)) from None
