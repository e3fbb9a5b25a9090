"""Event names and payload schemas: the one place publisher and subscriber agree on.

Every payload carries ``event_id`` (a UUID, the unit of idempotency: a subscriber records the ids
it has applied and ignores a redelivery) and the ``business_line`` it belongs to. Publishers
validate a payload with ``make_event`` before dispatching; subscribers may ``check_event``.

Source service and event type, as nameko's ``@event_handler(source, type)`` wants them:
"""
from __future__ import annotations

import uuid
from typing import Any, Mapping

from marshmallow import INCLUDE, RAISE, Schema, ValidationError, fields, validate, validates_schema

from .errors import SuiteError, flatten

INTAKE = "intake"
ESCALATION = "escalation"
ASSESSMENT = "assessment"
COMPENSATION = "compensation"
NOTIFY = "notify"

# --- intake: one event per accepted change of a record ------------------------------------------
RECORD_CHANGED = "record_changed"  # any record kind created or updated (see shared.records.KINDS)

# --- escalation -----------------------------------------------------------------------------
OWNER_ASSIGNED = "owner_assigned"
OPPORTUNITY_ESCALATED = "opportunity_escalated"

# --- assessment / compensation --------------------------------------------------------------
MONTH_CLOSED = "month_closed"
QUARTER_CLOSED = "quarter_closed"
PERIOD_STALE = "period_stale"  # compensation: a closed quarter's carried state changed under it

# --- notify ---------------------------------------------------------------------------------
MESSAGE_DELIVERED = "message_delivered"


class InvalidEvent(SuiteError):
    code = "invalid_event"


class _Envelope(Schema):
    class Meta:
        unknown = RAISE

    # lengths as every consumer stores them (applied_events.event_id, business_line columns)
    event_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    business_line = fields.String(required=True, validate=validate.Length(min=1, max=100))
    as_of = fields.String(load_default=None, allow_none=True)  # ISO date the change is effective


class RecordChanged(_Envelope):
    kind = fields.String(required=True)
    key = fields.String(required=True)
    # 1, 2, ...: newer wins in projections
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))
    record = fields.Dict(required=True)  # the facts-format document (shared.records)
    change = fields.String(required=True, validate=validate.OneOf(["created", "updated"]))

    @validates_schema
    def record_is_valid(self, data, **kwargs):
        """The record is checked exactly as intake checks it, so a forged or corrupted event
        (an amount of "-5") is refused by every consumer instead of blocking a period."""
        from .errors import InvalidFacts
        from .records import KINDS, record_key, validate_record

        if data["kind"] not in KINDS:
            raise ValidationError(f"unknown record kind; known: {', '.join(sorted(KINDS))}", "kind")
        try:
            doc = validate_record(data["kind"], data["record"])
        except InvalidFacts as exc:
            raise ValidationError({f"record.{e['field']}": [e["message"]] for e in exc.errors}) from None
        if record_key(data["kind"], doc) != data["key"]:
            raise ValidationError("does not match the record's own key", "key")


class OwnerAssigned(_Envelope):
    opportunity = fields.String(required=True)
    tier = fields.String(required=True)
    owner_role = fields.String(allow_none=True, required=True)
    owner = fields.String(allow_none=True, required=True)  # person id, None when the role is vacant
    confirming_role = fields.String(allow_none=True, load_default=None)
    confirmer = fields.String(allow_none=True, load_default=None)
    follow_up_days = fields.Integer(allow_none=True, load_default=None)
    in_bulletin = fields.Boolean(required=True)
    clause = fields.String(required=True)
    reason_zh = fields.String(required=True)
    reason_en = fields.String(required=True)
    inputs = fields.Dict(load_default=dict)


class OpportunityEscalated(_Envelope):
    opportunity = fields.String(required=True)
    week = fields.Integer(required=True)  # overdue week 1, 2, ...
    role = fields.String(required=True)  # the rung notified
    person = fields.String(allow_none=True, required=True)  # who holds it (None: vacant)
    owner = fields.String(allow_none=True, load_default=None)
    owner_role = fields.String(required=True)
    last_follow_up = fields.String(required=True)  # ISO date the clock last reset
    days_overdue = fields.Integer(required=True)
    clause = fields.String(required=True)


class PeriodClosed(_Envelope):
    period = fields.String(required=True)  # 2026-03 or 2026-Q1
    version = fields.Integer(required=True)
    totals = fields.Dict(required=True)  # person -> {unit: figure as string}
    lines = fields.Integer(required=True)  # number of explained lines on the sheet/statements
    plugin = fields.String(required=True)
    reason = fields.String(load_default=None, allow_none=True)  # why this version (None: first close)

    class Meta:
        unknown = INCLUDE


class PeriodStale(_Envelope):
    period = fields.String(required=True)  # the stale period, e.g. 2026-Q2
    version = fields.Integer(required=True)  # its current (now stale) version
    because_of = fields.String(required=True)  # the reopened period it depends on
    reason = fields.String(required=True)


class MessageDelivered(_Envelope):
    message = fields.String(required=True)
    channel = fields.String(required=True)
    status = fields.String(required=True)


SCHEMAS: dict[str, type[Schema]] = {
    RECORD_CHANGED: RecordChanged,
    OWNER_ASSIGNED: OwnerAssigned,
    OPPORTUNITY_ESCALATED: OpportunityEscalated,
    MONTH_CLOSED: PeriodClosed,
    QUARTER_CLOSED: PeriodClosed,
    PERIOD_STALE: PeriodStale,
    MESSAGE_DELIVERED: MessageDelivered,
}


def new_event_id() -> str:
    return uuid.uuid4().hex


class _CheckedRecordChanged(RecordChanged):
    """RecordChanged for a producer that has just validated the record itself (intake): the
    envelope is checked, the record is not checked twice."""

    def record_is_valid(self, data, **kwargs):
        return None


def make_event(event_type: str, record_checked: bool = False, **payload: Any) -> dict[str, Any]:
    """A validated payload for ``event_type`` with a fresh event_id unless one is given."""
    payload.setdefault("event_id", new_event_id())
    if record_checked and event_type == RECORD_CHANGED:
        try:
            _CheckedRecordChanged().load(dict(payload))
        except ValidationError as exc:
            raise InvalidEvent(flatten(exc.messages)) from None
    else:
        check_event(event_type, payload)
    return payload


def check_event(event_type: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(payload, Mapping):
        raise InvalidEvent(f"an event payload is an object, not {type(payload).__name__}", field="payload")
    try:
        return SCHEMAS[event_type]().load(dict(payload))
    except KeyError:
        raise InvalidEvent(f"unknown event type {event_type!r}", field="event_type") from None
    except ValidationError as exc:
        raise InvalidEvent(flatten(exc.messages)) from None
