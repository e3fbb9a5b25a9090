"""compensation's RPC argument schemas."""
from marshmallow import RAISE, Schema

from services.common.messaging import rpc_fields as f


class QuarterRef(Schema):
    class Meta:
        unknown = RAISE

    business_line = f.line(required=True)
    quarter = f.quarter(required=True)
    person = f.ident(load_default=None, allow_none=True)


class StatementQuery(QuarterRef, f.Paging):
    pass


class Run(QuarterRef):
    accept_missing = f.optional_reason()  # run on what is held though intake sent more: why


class Reopen(QuarterRef):
    reason = f.reason()


LineRef = f.LineRef  # projection_status / projection_versions
