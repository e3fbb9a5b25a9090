"""RPC argument schemas of intake (the record bodies themselves are in wire.records)."""

from marshmallow import RAISE, Schema, fields, validate

from kamkit.limits import ID_MAX, PAGE_MAX
from wire.records import KINDS


class ListQuery(Schema):
    """list_records(business_line, kind, filters): paging and filters."""

    class Meta:
        unknown = RAISE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=PAGE_MAX))
    page_size = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    day_from = fields.Date(load_default=None)  # on the record's main date (e.g. discovered)
    day_to = fields.Date(load_default=None)
    match = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=64)),  # field -> value
        values=fields.Raw(),
        load_default=dict,
        validate=validate.Length(max=20),
    )


class Call(Schema):
    """The arguments every intake method shares, type-checked before anything is read."""

    class Meta:
        unknown = RAISE

    business_line = fields.String(
        validate=[
            validate.Length(min=1, max=64),
            validate.Regexp(r"^[^\x00-\x1f\x7f]*$", error="must not contain control characters"),
        ]
    )
    kind = fields.String(validate=validate.OneOf(sorted(KINDS)))
    key = fields.String(validate=validate.Length(min=1, max=200))
    # scoped per business line: "k1" of one line never answers for another
    idempotency_key = fields.String(
        allow_none=True,
        validate=[
            validate.Length(min=1, max=128),
            validate.Regexp(r"^[^\x00-\x1f\x7f]*$", error="must not contain control characters"),
        ],
    )
    changes = fields.Dict(keys=fields.String())


class DecideCall(Call):
    """decide_target_change(business_line, change, decision, note, decided_by)."""

    change = fields.String(required=True, validate=validate.Length(min=1, max=200))
    decision = fields.String(required=True, validate=validate.OneOf(["approve", "reject"]))
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))
    decided_by = fields.String(allow_none=True, validate=validate.Length(min=1, max=100))


class PlanDecideCall(Call):
    """decide_development_plan(business_line, plan, decision, note, decided_by)."""

    plan = fields.String(required=True, validate=validate.Length(min=1, max=200))
    decision = fields.String(required=True, validate=validate.OneOf(["approve", "return"]))
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))
    decided_by = fields.String(allow_none=True, validate=validate.Length(min=1, max=100))


class AppointmentDecideCall(Call):
    """decide_appointment(business_line, appointment, decision, note, decided_by)."""

    appointment = fields.String(required=True, validate=validate.Length(min=1, max=200))
    decision = fields.String(required=True, validate=validate.OneOf(["approve", "refuse"]))
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))
    decided_by = fields.String(allow_none=True, validate=validate.Length(min=1, max=100))
    decided_on = fields.Date(allow_none=True)


BATCH_MAX = 5000  # records per record_batch call: a reply and a transaction of bounded size


class Batch(Call):
    records = fields.List(fields.Raw(), required=True, validate=validate.Length(min=1, max=BATCH_MAX))


_NO_CONTROL = validate.Regexp(r"^[^\x00-\x1f\x7f]*$", error="must not contain control characters")


class PrincipalBody(Schema):
    """create_principal(principal): a person or a calling system."""

    class Meta:
        unknown = RAISE

    id = fields.String(
        required=True,
        validate=[
            validate.Length(min=1, max=100),
            validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._@-]*$", error="letters, digits and . _ @ - only"),
        ],
    )
    name = fields.String(required=True, validate=[validate.Length(min=1, max=200), _NO_CONTROL])
    kind = fields.String(required=True, validate=validate.OneOf(["person", "system"]))


_ID_LENGTH = validate.Length(min=1, max=ID_MAX)  # a branch's or a person's id, as records hold them


class AccessCall(Schema):
    """The arguments of the access RPCs (services.intake.access)."""

    class Meta:
        unknown = RAISE

    principal = fields.Raw()  # a PrincipalBody in create_principal, an id elsewhere
    business_line = fields.String(validate=[validate.Length(min=1, max=64), _NO_CONTROL])  # or "*"
    role = fields.String(validate=validate.OneOf(["reader", "clerk", "manager", "admin"]))
    scope = fields.String(load_default="line", validate=validate.OneOf(["line", "branch", "self"]))
    branch = fields.String(load_default=None, allow_none=True, validate=[_ID_LENGTH, _NO_CONTROL])
    person = fields.String(load_default=None, allow_none=True, validate=[_ID_LENGTH, _NO_CONTROL])
    days = fields.Integer(validate=validate.Range(min=1, max=366))
    note = fields.String(allow_none=True, validate=[validate.Length(max=200), _NO_CONTROL])
    token_id = fields.String(validate=validate.Length(equal=16))
