"""assessment's RPC argument schemas."""
from marshmallow import RAISE, Schema

from services.common.messaging import rpc_fields as f


class MonthRef(Schema):
    class Meta:
        unknown = RAISE

    business_line = f.line(required=True)
    month = f.month(required=True)
    person = f.ident(load_default=None, allow_none=True)


class SheetQuery(MonthRef, f.Paging):
    pass


class Close(MonthRef):
    accept_missing = f.optional_reason()  # close on what is held though intake sent more: why


class Reopen(MonthRef):
    reason = f.reason()


LineRef = f.LineRef  # projection_status / projection_versions
