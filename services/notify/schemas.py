"""notify's RPC argument schemas."""

from marshmallow import RAISE, Schema, fields, validate

from services.common.messaging import rpc_fields as f

KINDS = (
    "owner_assigned",
    "escalation",
    "monthly_sheet",
    "quarterly_statement",
    "monthly_pay",
    "annual_result",
    "annual_pay",
    "stale_statement",
    "weekly_bulletin",
    "warning",
)
STATUSES = ("pending", "retrying", "sent", "failed")


class _Args(Schema):
    class Meta:
        unknown = RAISE


class Bulletin(_Args):
    as_of = fields.Date(required=True)
    business_line = f.line(load_default=None, allow_none=True)


class MessageQuery(_Args):
    business_line = f.line(load_default=None, allow_none=True)
    kind = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(KINDS))


class DeliveryQuery(_Args):
    status = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(STATUSES))


class Retry(_Args):
    as_of_now = fields.NaiveDateTime(load_default=None, allow_none=True)
