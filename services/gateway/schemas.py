"""What the gateway's HTTP surface reads and answers, as marshmallow schemas: the OpenAPI document is
generated from these and from the services' own argument and record schemas (openapi.py), never
written by hand.

Request bodies of records are the record kinds' own schemas (wire.records), the ones intake
validates with; query parameters are the services' argument schemas (services.*.schemas). What
is defined here is only what exists at the HTTP edge: bodies that wrap arguments, and answers.
"""

from __future__ import annotations

import copy
import functools

from marshmallow import RAISE, Schema, fields, validate

from kamkit.limits import PAGE_MAX
from services.common.messaging import rpc_fields as f
from services.common.periods.inquiries import InquiryBody as _Inquiry
from services.common.periods.schemas import InquiryAnswer, InquiryList
from services.intake.schemas import BATCH_MAX, ListQuery, PrincipalBody  # noqa: F401 (create_principal's body)
from services.notify.schemas import MessageQuery as _Messages
from wire.records import KINDS, RuleSetSchema


class _Strict(Schema):
    class Meta:
        unknown = RAISE


# --- bodies -------------------------------------------------------------------------------------


# fields of a record the service fills itself and refuses from a caller: a change is asked for
# pending and decided at its own path (docs/rules.md §7)
SET_BY_SERVICE = {"target_change": ("status", "decided_by", "decided_at", "requested_at")}


@functools.cache
def record_body(kind: str) -> type[Schema]:
    """The record kind's schema as a caller writes it; a record that belongs to a period carries
    it as a field (a KPI rating: ``quarter``), as intake reads it."""
    spec = KINDS[kind]
    extra: dict = {}
    if spec.period_required is not None:
        period = {"quarter": f.quarter, "month": f.month}[spec.period_required]
        extra[spec.period_required] = period(required=True)
    if kind in SET_BY_SERVICE:
        extra["Meta"] = type("Meta", (spec.schema.Meta,), {"exclude": SET_BY_SERVICE[kind]})
    if kind == "development_plan":  # a manager decides it (decide_development_plan), not a write
        field = copy.copy(spec.schema._declared_fields["status"])
        field.validators = [validate.OneOf(["draft", "submitted", "withdrawn"])]
        extra["status"] = field
    if not extra:
        return spec.schema
    name = "".join(part.title() for part in kind.split("_")) + "Record"
    return type(name, (spec.schema,), {**extra, "__doc__": spec.schema.__doc__})


@functools.cache
def changes_body(kind: str) -> type[Schema]:
    """A PATCH of a record: any of its fields but those its key is made of (a record's key does
    not change), none required; merged into the stored record and validated as a whole record."""
    base = record_body(kind)
    keyed = key_fields(kind)
    optional = {}
    for name, field in base._declared_fields.items():
        loose = copy.copy(field)  # the record's own field is left as it is
        loose.required = False
        optional[name] = loose
    name = "".join(part.title() for part in kind.split("_")) + "Changes"
    meta = type("Meta", (base.Meta,), {"exclude": (*getattr(base.Meta, "exclude", ()), *keyed)})
    return type(
        name, (base,), {**optional, "Meta": meta, "__doc__": f"Fields of a {kind} to change (any of them)."}
    )


class _Reading(dict):
    """A document that notes which fields are read (what a kind's key is made of)."""

    def __init__(self):
        super().__init__()
        self.read: set[str] = set()

    def __getitem__(self, name):
        self.read.add(name)
        return "x"

    def get(self, name, default=None):
        self.read.add(name)
        return "x"


def key_fields(kind: str) -> tuple[str, ...]:
    """The fields a kind's key is made of (``id``; a plan's person and month ...)."""
    doc = _Reading()
    KINDS[kind].key(doc)
    return tuple(sorted(doc.read))


def declared(schema: type[Schema]) -> set[str]:
    """The fields a body may hold: declared, less those the service fills itself."""
    return set(schema._declared_fields) - set(getattr(schema.Meta, "exclude", ()) or ())


@functools.cache
def batch_body(kind: str) -> type[Schema]:
    name = "".join(part.title() for part in kind.split("_")) + "Batch"
    item = type(name + "Item", (record_body(kind),), {"__doc__": record_body(kind).__doc__})  # written inline
    return type(
        name,
        (_Strict,),
        {
            "records": fields.List(
                fields.Nested(item), required=True, validate=validate.Length(min=1, max=BATCH_MAX)
            ),
            "__doc__": f"Up to {BATCH_MAX} {kind} records, written all or none.",
        },
    )


class Changes(Schema):
    """Fields to change, merged into the stored record and validated as a whole record."""

    class Meta:
        unknown = "include"


class ReasonBody(_Strict):
    reason = f.reason()


class DecisionBody(_Strict):
    """A decision on a target change (docs/rules.md §7)."""

    decision = fields.String(required=True, validate=validate.OneOf(["approve", "reject"]))
    note = fields.String(load_default="", validate=validate.Length(max=2000))
    decided_by = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))


class AppointmentDecisionBody(_Strict):
    """A decision on a proposed grade appointment (docs/rules.md §10.3)."""

    decision = fields.String(required=True, validate=validate.OneOf(["approve", "refuse"]))
    note = fields.String(load_default="", validate=validate.Length(max=2000))
    decided_by = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))
    decided_on = fields.Date(load_default=None, allow_none=True)


class AsOfBody(_Strict):
    as_of = fields.Date(required=True)


class SweepBody(AsOfBody):
    business_line = f.line(load_default=None, allow_none=True)


class RoleBody(_Strict):
    role = fields.String(required=True, validate=validate.OneOf(["reader", "clerk", "manager", "admin"]))
    scope = fields.String(
        load_default="line",
        validate=validate.OneOf(["line", "branch", "self"]),
        metadata={"description": "line: the whole line; branch: that branch's people; self: the person only"},
    )
    branch = f.ident(
        load_default=None, allow_none=True, metadata={"description": "the branch a branch grant covers"}
    )
    person = f.ident(
        load_default=None,
        allow_none=True,
        metadata={"description": "who the principal is on the line (required by scope self)"},
    )


class TokenBody(_Strict):
    days = fields.Integer(load_default=90, validate=validate.Range(min=1, max=366))
    note = fields.String(load_default=None, allow_none=True, validate=[validate.Length(max=200), f.PLAIN])


class RecordListQuery(_Strict):
    """list_records' query (services.intake.schemas.ListQuery) as query parameters."""

    page = ListQuery._declared_fields["page"]
    page_size = ListQuery._declared_fields["page_size"]
    day_from = ListQuery._declared_fields["day_from"]
    day_to = ListQuery._declared_fields["day_to"]


class AuditQuery(_Strict):
    """list_audit's filters (services.common.mixins), as query parameters."""

    business_line = f.line(load_default=None)
    principal = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    target = fields.String(load_default=None, validate=validate.Length(min=1, max=200))
    period = fields.String(load_default=None, validate=validate.Length(min=1, max=16))
    outcome = fields.String(load_default=None, validate=validate.OneOf(["done", "refused"]))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=PAGE_MAX))
    page_size = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class PersonQuery(_Strict):
    person = f.ident(load_default=None, allow_none=True)


class MessageQuery(_Strict):
    kind = _Messages._declared_fields["kind"]


class SheetQuery(PersonQuery, f.Paging):
    """get_sheet's query: one person's lines, page by page, of one kind."""


class CloseQuery(_Strict):
    """A close or run on what the service holds though intake has sent more: why (audited)."""

    accept_missing = f.optional_reason()


class ReplayQuery(_Strict):
    version = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=1_000_000),
        metadata={"description": "the version to replay (default: the newest)"},
    )


class CompareBody(_Strict):
    """Another plugin and/or parameters to run the period's stored facts under (nothing stored)."""

    plugin = fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "default: the plugin the period was (or would be) computed with"},
    )
    parameters = fields.Dict(
        keys=fields.String(),
        load_default=dict,
        allow_none=True,
        metadata={
            "description": "over the base's parameters (same plugin) or the other plugin's defaults; "
            "null or none: none changed"
        },
    )
    lines = fields.Boolean(
        load_default=False,
        truthy={True},
        falsy={False},
        metadata={"description": "answer both runs' lines too"},
    )


class RuleSetBody(_Strict):
    """A plugin and parameters in force from a month on (docs/rules.md §9.1)."""

    effective_from = RuleSetSchema._declared_fields["effective_from"]
    plugin = RuleSetSchema._declared_fields["plugin"]
    parameters = RuleSetSchema._declared_fields["parameters"]
    reason = RuleSetSchema._declared_fields["reason"]
    set_by = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "who sets it: only with access control off (else the caller)"},
    )


class InquiryBody(_Strict):
    """What a person questions (services.common.periods.inquiries.InquiryBody)."""

    person = _Inquiry._declared_fields["person"]
    line = _Inquiry._declared_fields["line"]
    record = _Inquiry._declared_fields["record"]
    reason_code = _Inquiry._declared_fields["reason_code"]
    text = _Inquiry._declared_fields["text"]


class InquiryQuery(_Strict):
    status = InquiryList._declared_fields["status"]
    person = InquiryList._declared_fields["person"]


class InquiryDecision(_Strict):
    decision = InquiryAnswer._declared_fields["decision"]
    answer = InquiryAnswer._declared_fields["answer"]


class OpportunityQuery(_Strict):
    opportunity = f.ident(load_default=None, allow_none=True)


class DeadlinesQuery(_Strict):
    as_of = fields.Date(load_default=None, allow_none=True)


# --- answers ------------------------------------------------------------------------------------


class ErrorItem(Schema):
    field = fields.String(required=True, metadata={"description": "the argument or record field at fault"})
    message = fields.String(required=True)
    correlation_id = fields.String(metadata={"description": "an internal error's id in the services' logs"})


class Error(Schema):
    """Every refusal: a code and each problem by field. Nothing was done."""

    error = fields.String(
        required=True,
        metadata={
            "description": "invalid_facts, not_found, conflict, unauthorized, forbidden, unavailable, ..."
        },
    )
    errors = fields.List(fields.Nested(ErrorItem), required=True)


class RecordAnswer(Schema):
    business_line = fields.String(required=True)
    kind = fields.String(required=True)
    key = fields.String(required=True)
    version = fields.Integer(required=True)
    change = fields.String(metadata={"description": "created or updated (absent on a read)"})
    record = fields.Dict(required=True)


class RecordPage(Schema):
    items = fields.List(fields.Dict(), required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    total = fields.Integer(required=True)


class Summary(Schema):
    """A closed month's or quarter's summary: totals per person and unit, how many lines, which
    version; the lines themselves are read page by page."""

    class Meta:
        unknown = "include"

    business_line = fields.String()
    period = fields.String()
    version = fields.Integer()
    status = fields.String()
    line_count = fields.Integer()
    totals = fields.Dict(keys=fields.String(), values=fields.Dict())
    indicator_count = fields.Integer(
        metadata={"description": "how many lines the indicator section holds (docs/rules.md §6)"}
    )
    lines = fields.List(fields.Dict(), metadata={"description": "the sheet's explained lines (points, pay)"})
    indicators = fields.List(
        fields.Dict(),
        metadata={
            "description": "the indicator section: lines of kind indicator (inputs: indicator, period, "
            "numerator, denominator, standard, met, applicable; figure null when not applicable) and "
            "scorecard; present when the sheet is read whole or for one person, else read with "
            "kind=indicator"
        },
    )


class AuditEntry(Schema):
    id = fields.Integer(required=True)
    at = fields.String(required=True)
    principal = fields.String(
        required=True,
        metadata={"description": "'-' when access control is off; 'token:<id>' for an unknown token"},
    )
    service = fields.String(required=True)
    action = fields.String(required=True)
    outcome = fields.String(required=True, metadata={"description": "done or refused"})
    business_line = fields.String(allow_none=True)
    target = fields.String(allow_none=True)
    period = fields.String(allow_none=True)
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    correlation_id = fields.String(required=True)
    detail = fields.String(allow_none=True)


class AuditPage(Schema):
    items = fields.List(fields.Nested(AuditEntry), required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    total = fields.Integer(required=True)


class NewToken(Schema):
    token = fields.String(
        required=True, metadata={"description": "kam_<id>_<secret>: shown in this answer only"}
    )
    token_id = fields.String(required=True)
    principal = fields.String()
    expires_at = fields.String()


class ProbeCheck(Schema):
    name = fields.String(required=True)
    ok = fields.Boolean(required=True)
    detail = fields.String(required=True)


class Probe(Schema):
    """/livez and /readyz (services.common.telemetry): the state, and what was checked."""

    status = fields.String(required=True)
    service = fields.String(required=True)
    checks = fields.List(fields.Nested(ProbeCheck))


class Health(Schema):
    status = fields.String(required=True)
