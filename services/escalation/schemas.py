"""escalation's RPC argument schemas."""

from marshmallow import RAISE, Schema, fields

from services.common.messaging import rpc_fields as f


class _Args(Schema):
    class Meta:
        unknown = RAISE


class Sweep(_Args):
    as_of = fields.Date(required=True)
    business_line = f.line(load_default=None, allow_none=True)


class OpportunityRef(_Args):
    business_line = f.line(required=True)
    opportunity = f.ident(load_default=None, allow_none=True)


class DeadlinesQuery(_Args):
    business_line = f.line(required=True)
    as_of = fields.Date(load_default=None, allow_none=True)
