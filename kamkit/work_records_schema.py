"""marshmallow schemas of kamkit.work_records (docs/facts-format.md, docs/rules.md §10)."""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from . import work_records as W
from .facts_schema import Flag, Number, PeriodField, _Base, _id, _one_of
from .periods import Month

_PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


def period_label(**kw):
    """A month (2026-03), a quarter (2026-Q1) or a year (2026)."""
    return fields.String(
        validate=validate.Regexp(_PERIOD, error="must be a month (2026-03), a quarter (2026-Q1) or a year"),
        **kw,
    )


def _key(**kw):
    return fields.String(validate=validate.Regexp(_KEY, error="must be a key: a-z, 0-9 and _"), **kw)


class _Attribute(fields.Field):
    """A case's attribute: text, a whole or decimal number, or true/false."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or isinstance(value, str):
            return value
        return Number(minimum=None).deserialize(value)


class CaseSchema(_Base):
    record = W.Case
    id = _id(required=True)
    kind = _key(required=True)
    person = _id(required=True)
    opened = fields.Date(required=True)
    customer = fields.String(load_default=None, allow_none=True)
    steps = fields.Dict(keys=_key(), values=fields.Date(), load_default=dict)
    attributes = fields.Dict(keys=_key(), values=_Attribute(), load_default=dict)
    note = fields.String(load_default="")

    @validates_schema
    def steps_after_opening(self, data, **kwargs):
        opened = data.get("opened")
        for name, day in (data.get("steps") or {}).items():
            if opened and day < opened:
                raise ValidationError(f"cannot be before opened ({opened})", field_name=f"steps.{name}")


class SurveySchema(_Base):
    record = W.Survey
    id = _id(required=True)
    date = fields.Date(required=True)
    score = Number(required=True, maximum=100)
    subject = _one_of(*W.SURVEY_SUBJECTS, default=W.SERVICE)
    customer = fields.String(load_default=None, allow_none=True)
    person = fields.String(load_default=None, allow_none=True)
    department = fields.String(load_default="")
    plan = fields.String(load_default=None, allow_none=True)


class PlanItemSchema(_Base):
    record = W.PlanItem
    id = _id(required=True)
    name = fields.String(load_default="")
    done = fields.Date(load_default=None, allow_none=True)


class WorkPlanSchema(_Base):
    record = W.WorkPlan
    id = _id(required=True)
    period = period_label(required=True)
    plan = _key(required=True)
    items = fields.List(fields.Nested(PlanItemSchema), load_default=())
    person = fields.String(load_default=None, allow_none=True)

    @validates_schema
    def items_unique(self, data, **kwargs):
        seen = set()
        for i, item in enumerate(data.get("items") or ()):
            if item.id in seen:
                raise ValidationError({i: {"id": [f"duplicate item {item.id!r}"]}}, field_name="items")
            seen.add(item.id)

    @post_load
    def build(self, data, **kwargs):
        return W.WorkPlan(**{**data, "items": tuple(data.get("items", ()))})


def _count(**kw):
    return fields.Integer(strict=True, validate=validate.Range(min=0), load_default=0, **kw)


class CallLogSchema(_Base):
    record = W.CallLog
    month = PeriodField(Month, required=True)
    inbound = _count()
    outbound = _count()
    answered = _count()
    transferred = _count()
    blocked = _count()
    abandoned = _count()
    person = fields.String(load_default=None, allow_none=True)

    @validates_schema
    def counts_add_up(self, data, **kwargs):
        calls = data.get("inbound", 0) + data.get("outbound", 0)
        if data.get("answered", 0) + data.get("blocked", 0) + data.get("abandoned", 0) > calls:
            raise ValidationError(
                "answered + blocked + abandoned cannot exceed inbound + outbound", field_name="answered"
            )
        if data.get("transferred", 0) > data.get("answered", 0):
            raise ValidationError("cannot exceed answered", field_name="transferred")


class IncidentSchema(_Base):
    record = W.Incident
    id = _id(required=True)
    person = _id(required=True)
    date = fields.Date(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(W.INCIDENT_KINDS))
    note = fields.String(load_default="")
    recorded_by = fields.String(load_default=None, allow_none=True)


class StandardCheckSchema(_Base):
    record = W.StandardCheck
    id = _id(required=True)
    person = _id(required=True)
    date = fields.Date(required=True)
    passed = Flag(required=True)
    standard = fields.String(load_default="")


class AppraisalSchema(_Base):
    record = W.Appraisal
    id = _id(required=True)
    person = _id(required=True)
    period = period_label(required=True)
    rater_kind = fields.String(required=True, validate=validate.OneOf(W.RATER_KINDS))
    submitted = fields.Date(required=True)
    items = fields.Dict(keys=_key(), values=Number(), load_default=dict)
    rater = fields.String(load_default=None, allow_none=True)
    customer = fields.String(load_default=None, allow_none=True)

    @validates_schema
    def who_rated(self, data, **kwargs):
        kind = data.get("rater_kind")
        if kind == W.CUSTOMER and not data.get("customer"):
            raise ValidationError("a customer's appraisal names the customer", field_name="customer")
        if kind == W.SELF and data.get("rater") not in (None, data.get("person")):
            raise ValidationError("a self-appraisal is by the person appraised", field_name="rater")
        if kind == W.MANAGER and not data.get("rater"):
            raise ValidationError("a manager's appraisal names the rater", field_name="rater")


class AppointmentSchema(_Base):
    record = W.Appointment
    id = _id(required=True)
    person = _id(required=True)
    grade = _id(required=True)
    proposed_by = _id(required=True)
    proposed_on = fields.Date(required=True)
    status = _one_of(*W.APPOINTMENT_STATUSES, default=W.PROPOSED)
    decided_by = fields.String(load_default=None, allow_none=True)
    decided_on = fields.Date(load_default=None, allow_none=True)
    note = fields.String(load_default="")

    @validates_schema
    def decision_complete(self, data, **kwargs):
        decided = data.get("decided_by") and data.get("decided_on")
        if data.get("status") != W.PROPOSED and not decided:
            raise ValidationError(
                f"an appointment {data.get('status')} names decided_by and decided_on", "status"
            )
        if data.get("status") == W.PROPOSED and (data.get("decided_by") or data.get("decided_on")):
            raise ValidationError("a proposed appointment has no decision yet", "decided_by")
        if data.get("decided_on") and data.get("proposed_on") and data["decided_on"] < data["proposed_on"]:
            raise ValidationError("cannot be before proposed_on", "decided_on")


SCHEMAS: dict[str, type[Schema]] = {
    "cases": CaseSchema,
    "surveys": SurveySchema,
    "work_plans": WorkPlanSchema,
    "call_logs": CallLogSchema,
    "incidents": IncidentSchema,
    "standard_checks": StandardCheckSchema,
    "appraisals": AppraisalSchema,
    "appointments": AppointmentSchema,
}
