"""The record kinds of the system of record (intake) and how each is keyed, dated and validated.

A record is a facts-format document (docs/facts-format.md) of one kind, belonging to one business
line. intake validates it with the kind's schema, stores it and publishes it; every other service
keeps the kinds it needs in its own projection and rebuilds kamkit.facts.Facts from them, so the
plugins, the CLI and the services read one vocabulary.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from kamkit import facts_schema as FS
from kamkit import limits
from kamkit import work_records_schema as WS
from kamkit.errors import InvalidFacts, flatten
from kamkit.periods import Month, Quarter


class FollowUpSchema(Schema):
    """A weekly follow-up report on an opportunity (docs/rules.md §1.1, §1.3): resets the clock."""

    class Meta:
        unknown = RAISE

    id = fields.String(validate=validate.Length(min=1), required=True)
    opportunity = fields.String(validate=validate.Length(min=1), required=True)
    date = fields.Date(required=True)
    author = fields.String(load_default=None, allow_none=True)
    note = fields.String(load_default="")


class RuleSetSchema(Schema):
    """A line's plugin and parameters in force from a month on (docs/rules.md §9.1): kept in the
    line's ``rules``, oldest first; who set it and when are filled in by intake."""

    class Meta:
        unknown = RAISE

    effective_from = fields.String(
        required=True, validate=validate.Regexp(r"^(19[5-9]\d|20\d\d|2100)-(0[1-9]|1[0-2])$")
    )
    plugin = fields.String(validate=validate.Length(min=1), required=True)
    parameters = fields.Dict(keys=fields.String(), load_default=dict)
    reason = fields.String(
        required=True,
        validate=[
            validate.Regexp(limits.NOT_BLANK, error="give a reason"),
            validate.Length(max=limits.TEXT_MAX),
        ],
    )
    set_by = fields.String(load_default=None, allow_none=True)
    set_at = fields.String(load_default=None, allow_none=True)


class BusinessLineSchema(Schema):
    class Meta:
        unknown = RAISE

    key = fields.String(validate=validate.Length(min=1), required=True)
    plugin = fields.String(validate=validate.Length(min=1), required=True)
    parameters = fields.Dict(keys=fields.String(), load_default=dict)
    name = fields.String(load_default="")
    # the sets in force from a month on, after the one above (kamkit.rulesets)
    rules = fields.List(fields.Nested(RuleSetSchema), load_default=list)


@dataclass(frozen=True)
class Kind:
    name: str  # record kind, also the facts-document key's singular
    facts_key: str | None  # key of the facts document this kind fills (None: not a fact)
    schema: type[Schema]
    key: Callable[[Mapping[str, Any]], str]  # natural key within a business line
    day: Callable[[Mapping[str, Any]], str | None]  # main date (ISO) for period queries
    period_required: str | None = None  # 'quarter' | 'month' when the record belongs to a period
    references: tuple[tuple[str, str], ...] = ()  # (field, kind it must name) checked by intake
    # (path, kind) for references inside lists: "customers.*" (each item) or "changes.*.person"
    list_references: tuple[tuple[str, str], ...] = ()
    # the field naming the period the record belongs to, read by period ("month", "quarter")
    period_field: str | None = None
    # read for a period with the service's look-back (opportunities discovered a year before a
    # month can still be missed reports in it); the work around customers is read by its own dates
    lookback: bool = True


def _field(name):
    return lambda doc: str(doc[name])


def _first_day(name):
    """The first day of the record's period (month "2026-03" or quarter "2026-Q1"), as its day."""

    def day(doc):
        text = str(doc[name])
        if "Q" in text.upper():
            return str(Quarter.parse(text).first_day)
        return f"{text}-01"

    return day


def _period_start(name):
    """The first day of a month, quarter or year label (2026-03, 2026-Q1, 2026)."""

    def day(doc):
        text = str(doc[name])
        return f"{text}-01-01" if len(text) == 4 else _first_day(name)(doc)

    return day


def _period_end(name):
    """The last day of a month, quarter or year label: a year's record falls in its fourth quarter."""

    def day(doc):
        text = str(doc[name])
        if len(text) == 4:
            return f"{text}-12-31"
        if "Q" in text.upper():
            return str(Quarter.parse(text).last_day)
        return str(Month.parse(text).last_day)

    return day


def _date_of(name):
    return lambda doc: str(doc[name])[:10]  # a datetime's day


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("business_line", None, BusinessLineSchema, _field("key"), lambda d: None),
        Kind("branch", "branches", FS.BranchSchema, _field("id"), lambda d: None),
        Kind(
            "person",
            "people",
            FS.PersonSchema,
            _field("id"),
            lambda d: None,
            references=(("branch", "branch"),),
        ),
        Kind(
            "opportunity",
            "opportunities",
            FS.OpportunitySchema,
            _field("id"),
            lambda d: d["discovered"],
            references=(("branch", "branch"), ("account_manager", "person")),
        ),
        Kind(
            "follow_up",
            None,
            FollowUpSchema,
            _field("id"),
            lambda d: d["date"],
            references=(("opportunity", "opportunity"), ("author", "person")),
        ),
        Kind(
            "loss_review",
            "loss_reviews",
            FS.LossReviewSchema,
            _field("opportunity"),
            lambda d: d.get("decided"),
            references=(("opportunity", "opportunity"),),
        ),
        Kind(
            "confirmation",
            "confirmations",
            FS.ConfirmationSchema,
            _field("opportunity"),  # one decision an opportunity
            lambda d: d["date"],
            references=(("opportunity", "opportunity"), ("by", "person")),
        ),
        Kind("deal", "deals", FS.DealSchema, _field("id"), lambda d: d["date"]),
        Kind(
            "collection",
            "collections",
            FS.CollectionSchema,
            _field("id"),
            lambda d: d["date"],
            references=(
                ("rep", "person"),
                ("joint_with", "person"),
                ("contract", "contract"),
                ("delivered_by", "person"),
            ),
            list_references=(("contributions.*.person", "person"),),
        ),
        Kind("contract", "contracts", FS.ContractSchema, _field("id"), lambda d: None),
        Kind(
            "kpi",
            "kpi",
            FS.KpiRatingSchema,
            lambda d: f"{d['person']}:{d['rater_role']}:{d['quarter']}",
            lambda d: None,
            period_required="quarter",
            references=(("person", "person"), ("rater", "person")),
        ),
        Kind(
            "loan",
            "loans",
            FS.LoanSchema,
            _field("id"),
            lambda d: d["issued"],
            references=(("manager", "person"), ("referrer", "person")),
        ),
        Kind(
            "portfolio",
            "portfolios",
            FS.PortfolioSchema,
            lambda d: f"{d['manager']}:{d['month']}",
            lambda d: f"{d['month']}-01",
            references=(("manager", "person"),),
            period_field="month",
        ),
        # --- customers and the work around them (docs/rules.md §6)
        Kind(
            "customer",
            "customers",
            FS.CustomerSchema,
            _field("id"),
            lambda d: None,
            references=(("owner", "person"), ("branch", "branch")),
            list_references=(("changes.*.person", "person"),),
        ),
        Kind(
            "visit_plan",
            "visit_plans",
            FS.VisitPlanSchema,
            lambda d: f"{d['person']}:{d['month']}",
            _first_day("month"),
            references=(("person", "person"),),
            list_references=(("customers.*", "customer"), ("revisits.*", "customer")),
            period_field="month",
        ),
        Kind(
            "visit",
            "visits",
            FS.VisitSchema,
            _field("id"),
            lambda d: d["date"],
            references=(("person", "person"), ("customer", "customer")),
            lookback=False,
        ),
        Kind(
            "development_plan",
            "development_plans",
            FS.DevelopmentPlanSchema,
            _field("id"),
            _first_day("quarter"),
            references=(("person", "person"),),
            period_field="quarter",
        ),
        Kind(
            "complaint",
            "complaints",
            FS.ComplaintSchema,
            _field("id"),
            lambda d: d["received"],
            references=(("person", "person"), ("customer", "customer")),
            lookback=False,
        ),
        Kind(
            "feedback_request",
            "feedback_requests",
            FS.FeedbackRequestSchema,
            _field("id"),
            _date_of("due_at"),  # read with the period it falls due in (001 §2.1 item 6)
            references=(("person", "person"), ("customer", "customer")),
            lookback=False,
        ),
        Kind(
            "budget",
            "budgets",
            FS.BudgetSchema,
            lambda d: f"{d.get('person') or '*'}:{d['quarter']}",
            _first_day("quarter"),
            references=(("person", "person"),),
            period_field="quarter",
        ),
        Kind(
            "expense",
            "expenses",
            FS.ExpenseSchema,
            _field("id"),
            lambda d: d["date"],
            references=(("person", "person"), ("customer", "customer")),
            lookback=False,
        ),
        Kind(
            "attendance",
            "attendance",
            FS.AttendanceSchema,
            lambda d: f"{d['person']}:{d['month']}",
            _first_day("month"),
            references=(("person", "person"),),
            period_field="month",
        ),
        Kind(
            "featured_service",
            "featured_services",
            FS.FeaturedServiceSchema,
            _field("id"),
            lambda d: d["date"],
            references=(("person", "person"), ("customer", "customer")),
            lookback=False,
        ),
        # the line's working days of a year (docs/rules.md §6.3): holidays and weekend days worked
        Kind("calendar", "calendars", FS.CalendarSchema, lambda d: str(d["year"]), lambda d: None),
        # --- targets (docs/rules.md §7): in force from their period on, so read whatever the period
        Kind(
            "target",
            "targets",
            FS.TargetSchema,
            _field("id"),
            lambda d: None,
            references=(("person", "person"),),
        ),
        Kind(
            "target_change",
            "target_changes",
            FS.TargetChangeSchema,
            _field("id"),
            lambda d: None,
            references=(("person", "person"),),
        ),
        # --- the service, deadline and grade schemes of seed 002 (docs/rules.md §10)
        Kind(
            "case",
            "cases",
            WS.CaseSchema,
            _field("id"),
            lambda d: d["opened"],  # read with the look-back: a case opened long ago falls due now
            references=(("person", "person"), ("customer", "customer")),
        ),
        Kind(
            "survey",
            "surveys",
            WS.SurveySchema,
            _field("id"),
            lambda d: d["date"],
            references=(("person", "person"), ("customer", "customer")),
            lookback=False,
        ),
        Kind(
            "work_plan",
            "work_plans",
            WS.WorkPlanSchema,
            _field("id"),
            _period_start("period"),
            references=(("person", "person"),),
            lookback=False,
        ),
        Kind(
            "call_log",
            "call_logs",
            WS.CallLogSchema,
            lambda d: f"{d.get('person') or '*'}:{d['month']}",
            _first_day("month"),
            references=(("person", "person"),),
            period_field="month",
        ),
        Kind(
            "incident",
            "incidents",
            WS.IncidentSchema,
            _field("id"),
            lambda d: d["date"],
            references=(("person", "person"), ("recorded_by", "person")),
            lookback=False,
        ),
        Kind(
            "standard_check",
            "standard_checks",
            WS.StandardCheckSchema,
            _field("id"),
            lambda d: d["date"],
            references=(("person", "person"),),
            lookback=False,
        ),
        Kind(
            "appraisal",
            "appraisals",
            WS.AppraisalSchema,
            _field("id"),
            _period_end("period"),  # read with the period it appraises (a year's: with its Q4)
            references=(("person", "person"), ("rater", "person"), ("customer", "customer")),
            lookback=False,
        ),
        Kind(
            "appointment",
            "appointments",
            WS.AppointmentSchema,
            _field("id"),
            lambda d: None,  # a grade stands on its appointment, whenever it was made
            references=(("person", "person"), ("proposed_by", "person"), ("decided_by", "person")),
        ),
    )
}

# kinds written only through their own RPCs (intake: set_target, request_target_change,
# decide_target_change, confirm_opportunity), which fill in who acted and check who may
GUARDED_KINDS = frozenset({"target", "target_change", "confirmation", "appointment"})


_PERIOD = {"quarter": FS.PeriodField(FS.Quarter), "month": FS.PeriodField(FS.Month)}


@functools.cache
def _schema(kind: str) -> Schema:
    """One instance per kind: building a marshmallow schema deep-copies its fields (half the cost
    of a check), and ``load`` keeps no state on the instance between calls."""
    return KINDS[kind].schema()


def validate_record(kind: str, document: Any) -> dict[str, Any]:
    """Validate one record; return its normalised JSON-friendly document.

    Raises InvalidFacts naming every bad field (``amount: must be >= 0``). Records that belong to a
    period (a KPI rating to a quarter) carry it as an extra field of the document.
    """
    spec = KINDS.get(kind)
    if spec is None:
        raise InvalidFacts(f"unknown record kind {kind!r}; known: {', '.join(sorted(KINDS))}", field="kind")
    if not isinstance(document, Mapping):
        raise InvalidFacts("the record must be a mapping (an object)", field="record")
    errors = [{"field": f, "message": m} for f, m in limits.problems(dict(document))]
    if errors:  # nothing further is read from a record outside the limits
        raise InvalidFacts(errors)
    body = dict(document)
    period = None
    if spec.period_required:
        raw = body.pop(spec.period_required, None)
        if raw is None:
            errors.append({"field": spec.period_required, "message": "Missing data for required field."})
        else:
            try:
                period = _PERIOD[spec.period_required].deserialize(raw)
            except ValidationError as exc:
                errors.extend(flatten(exc.messages, spec.period_required))
    try:
        loaded = _schema(kind).load(body)
    except ValidationError as exc:
        errors.extend(flatten(exc.messages))
    else:
        errors.extend({"field": f, "message": m} for f, m in limits.date_problems(loaded))
    if errors:
        raise InvalidFacts(errors)
    out = _plain(body)  # stored as sent (validated); readers load it with the same schema
    if period is not None:
        out[spec.period_required] = str(period)
    return out


_AS_IS = frozenset({str, int, bool, type(None)})


def _plain(value: Any) -> Any:
    """JSON-friendly copy: dates ISO, Decimals as strings, floats by their shortest repr."""
    if type(value) in _AS_IS:
        return value
    if isinstance(value, (date,)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)  # read back exactly by facts_schema.Number
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def references_of(kind: str, document: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(field path, kind, key) of every record a document names: ``customer`` or, inside lists,
    ``revisits.2`` and ``changes.0.person``. None names nothing."""
    spec = KINDS[kind]
    out = [(f, target, str(document[f])) for f, target in spec.references if document.get(f) is not None]
    for path, target in spec.list_references:
        out.extend((where, target, str(value)) for where, value in _walk(document, path.split(".")))
    return out


def _walk(value: Any, steps: list[str], at: str = ""):
    if not steps:
        if value is not None:
            yield at, value
        return
    step, rest = steps[0], steps[1:]
    if step == "*":
        for i, item in enumerate(value if isinstance(value, (list, tuple)) else ()):
            yield from _walk(item, rest, f"{at}.{i}" if at else str(i))
    elif isinstance(value, Mapping) and step in value:
        yield from _walk(value[step], rest, f"{at}.{step}" if at else step)


def record_key(kind: str, document: Mapping[str, Any]) -> str:
    return KINDS[kind].key(document)


def record_day(kind: str, document: Mapping[str, Any]) -> date | None:
    raw = KINDS[kind].day(document)
    return date.fromisoformat(str(raw)) if raw else None
