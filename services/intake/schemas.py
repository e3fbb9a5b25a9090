"""RPC argument schemas of intake (the record bodies themselves are in shared.records)."""
from marshmallow import RAISE, Schema, fields, validate


class ListQuery(Schema):
    """list_records(business_line, kind, filters): paging and filters."""

    class Meta:
        unknown = RAISE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    day_from = fields.Date(load_default=None)  # on the record's main date (e.g. discovered)
    day_to = fields.Date(load_default=None)
    match = fields.Dict(keys=fields.String(), values=fields.Raw(), load_default=dict)  # field -> value
