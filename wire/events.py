"""Event names and payload schemas: the one place publisher and subscriber agree on.

Every payload carries ``event_id`` (a UUID, the unit of idempotency: a subscriber records the ids
it has applied and ignores a redelivery) and the ``business_line`` it belongs to. Publishers
validate a payload with ``make_event`` before dispatching; subscribers may ``check_event``.

Source service and event type, as nameko's ``@event_handler(source, type)`` wants them:
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Mapping
from typing import Any

from marshmallow import INCLUDE, RAISE, Schema, ValidationError, fields, validate, validates_schema

from kamkit.errors import InvalidFacts, SuiteError, flatten

from .records import KINDS, record_key, validate_record

INTAKE = "intake"
ESCALATION = "escalation"
ASSESSMENT = "assessment"
COMPENSATION = "compensation"
NOTIFY = "notify"

# --- intake: one event per accepted change of a record ------------------------------------------
RECORD_CHANGED = "record_changed"  # any record kind created or updated (see wire.records.KINDS)
# the records of one record_batch, up to RECORDS_PER_EVENT of one kind an event: a subscriber
# applies them as it applies record_changed, in one transaction
RECORDS_CHANGED = "records_changed"
RECORDS_PER_EVENT = 1000

# a principal's roles and tokens (hashes only) as they now stand, for every service to check
# calls with; business_line "*" (services.common.access.rules)
ACCESS_CHANGED = "access_changed"

# --- escalation -----------------------------------------------------------------------------
OWNER_ASSIGNED = "owner_assigned"
OPPORTUNITY_ESCALATED = "opportunity_escalated"
DEADLINE_ESCALATED = "deadline_escalated"  # a case's step past its due day (docs/rules.md §10.2)
WARNING_DUE = "warning_due"  # something falls due soon, or waits for a decision (kamkit.warnings)

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
    record = fields.Dict(required=True)  # the facts-format document (wire.records)
    change = fields.String(required=True, validate=validate.OneOf(["created", "updated"]))

    @validates_schema
    def record_is_valid(self, data, **kwargs):
        """The record is checked exactly as intake checks it, so a forged or corrupted event
        (an amount of "-5") is refused by every consumer instead of blocking a period."""
        if data["kind"] not in KINDS:
            raise ValidationError(f"unknown record kind; known: {', '.join(sorted(KINDS))}", "kind")
        try:
            doc = validate_record(data["kind"], data["record"])
        except InvalidFacts as exc:
            raise ValidationError({f"record.{e['field']}": [e["message"]] for e in exc.errors}) from None
        if record_key(data["kind"], doc) != data["key"]:
            raise ValidationError("does not match the record's own key", "key")


class ChangedRecord(Schema):
    """One record of a records_changed event (the fields of record_changed but kind)."""

    class Meta:
        unknown = RAISE

    key = fields.String(required=True)
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))
    record = fields.Dict(required=True)
    change = fields.String(required=True, validate=validate.OneOf(["created", "updated"]))


class RecordsChanged(_Envelope):
    kind = fields.String(required=True)
    records = fields.List(
        fields.Nested(ChangedRecord), required=True, validate=validate.Length(min=1, max=RECORDS_PER_EVENT)
    )

    @validates_schema
    def records_are_valid(self, data, **kwargs):
        """Every record checked as intake checks it (see RecordChanged), each named by its index."""
        if data["kind"] not in KINDS:
            raise ValidationError(f"unknown record kind; known: {', '.join(sorted(KINDS))}", "kind")
        errors: dict[str, list[str]] = {}
        for i, item in enumerate(data["records"]):
            try:
                doc = validate_record(data["kind"], item["record"])
            except InvalidFacts as exc:
                errors.update({f"records.{i}.record.{e['field']}": [e["message"]] for e in exc.errors})
                continue
            if record_key(data["kind"], doc) != item["key"]:
                errors[f"records.{i}.key"] = ["does not match the record's own key"]
        if errors:
            raise ValidationError(errors)


def changes_of(payload: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Each record an intake event carries, shaped as a record_changed payload: the event itself
    for record_changed, each record of a records_changed (with the batch's event_id). A
    subscriber applies both kinds of event through this one loop."""
    if "records" not in payload:
        return [payload]
    common = {
        "event_id": payload["event_id"],
        "business_line": payload["business_line"],
        "kind": payload["kind"],
        "as_of": payload.get("as_of"),
    }
    return [{**common, **item} for item in payload["records"]]


class OwnerAssigned(_Envelope):
    opportunity = fields.String(required=True)
    # the opportunity's n-th assignment: of two arriving out of order the higher stands (absent
    # from an escalation older than this field: applied as it comes)
    assignment = fields.Integer(load_default=None, validate=validate.Range(min=1))
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


class DeadlineEscalated(_Envelope):
    case = fields.String(required=True)
    case_kind = fields.String(required=True)
    rule = fields.String(required=True)  # the deadline rule's key
    step = fields.Integer(required=True)  # 1: the rung above the owner, 2: the next, ...
    role = fields.String(required=True)  # the rung notified
    person = fields.String(allow_none=True, required=True)  # who holds it (None: vacant)
    owner = fields.String(allow_none=True, load_default=None)  # the case's person
    owner_role = fields.String(allow_none=True, load_default=None)
    due = fields.String(required=True)  # ISO date the step fell due
    days_late = fields.Integer(required=True)
    clause = fields.String(required=True)
    inputs = fields.Dict(load_default=dict)


class WarningDue(_Envelope):
    what = fields.String(
        required=True,
        validate=validate.OneOf(
            ["follow_up", "visit_plan", "target_change", "development_plan", "inquiry", "deadline"]
        ),
    )
    key = fields.String(required=True)
    person = fields.String(allow_none=True, required=True)  # whom it concerns
    tell = fields.List(fields.String(), required=True)  # the people told: the person, a manager
    due = fields.String(required=True)  # ISO date
    dedup = fields.String(required=True, validate=validate.Length(min=1, max=250))
    clause = fields.String(required=True)
    inputs = fields.Dict(load_default=dict)


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


class AccessToken(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=validate.Length(equal=16))
    secret_hash = fields.String(required=True, validate=validate.Length(equal=64))
    expires_at = fields.String(required=True)
    revoked_at = fields.String(required=True, allow_none=True)


class AccessScope(Schema):
    class Meta:
        unknown = RAISE

    scope = fields.String(required=True, validate=validate.OneOf(["line", "branch", "self"]))
    branch = fields.String(allow_none=True, load_default=None)
    person = fields.String(allow_none=True, load_default=None)


class AccessChanged(_Envelope):
    principal = fields.String(required=True, validate=validate.Length(min=1, max=100))
    name = fields.String(required=True)
    principal_kind = fields.String(required=True, validate=validate.OneOf(["person", "system"]))
    version = fields.Integer(required=True, validate=validate.Range(min=1))  # newer wins
    grants = fields.Dict(keys=fields.String(), values=fields.String(), required=True)  # line -> role
    # line -> {scope: line|branch|self, branch, person}: grants narrowed or linked to a person
    # (issue 25; absent from events before it: every grant covered its whole line)
    scopes = fields.Dict(keys=fields.String(), values=fields.Nested(AccessScope), load_default=dict)
    tokens = fields.List(fields.Nested(AccessToken), required=True)


SCHEMAS: dict[str, type[Schema]] = {
    ACCESS_CHANGED: AccessChanged,
    RECORD_CHANGED: RecordChanged,
    RECORDS_CHANGED: RecordsChanged,
    OWNER_ASSIGNED: OwnerAssigned,
    OPPORTUNITY_ESCALATED: OpportunityEscalated,
    DEADLINE_ESCALATED: DeadlineEscalated,
    WARNING_DUE: WarningDue,
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


class _CheckedRecordsChanged(RecordsChanged):
    """The envelope only: intake built each item from a record it had just validated."""

    records = fields.List(fields.Raw(), required=True, validate=validate.Length(min=1, max=RECORDS_PER_EVENT))

    def records_are_valid(self, data, **kwargs):
        return None


@functools.cache
def _checked(event_type: str) -> Schema:
    return {RECORD_CHANGED: _CheckedRecordChanged, RECORDS_CHANGED: _CheckedRecordsChanged}[event_type]()


def make_event(event_type: str, record_checked: bool = False, **payload: Any) -> dict[str, Any]:
    """A validated payload for ``event_type`` with a fresh event_id unless one is given."""
    payload.setdefault("event_id", new_event_id())
    if record_checked and event_type in (RECORD_CHANGED, RECORDS_CHANGED):
        try:
            _checked(event_type).load(dict(payload))
        except ValidationError as exc:
            raise InvalidEvent(flatten(exc.messages)) from None
    else:
        check_event(event_type, payload)
    return payload


@functools.cache
def _schema(event_type: str) -> Schema:
    """One instance per event type (building one deep-copies its fields; load keeps no state)."""
    return SCHEMAS[event_type]()


def check_event(event_type: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(payload, Mapping):
        raise InvalidEvent(f"an event payload is an object, not {type(payload).__name__}", field="payload")
    try:
        return _schema(event_type).load(dict(payload))
    except KeyError:
        raise InvalidEvent(f"unknown event type {event_type!r}", field="event_type") from None
    except ValidationError as exc:
        raise InvalidEvent(flatten(exc.messages)) from None
