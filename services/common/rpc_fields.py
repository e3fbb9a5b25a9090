"""marshmallow fields the services' RPC argument schemas share."""
from marshmallow import fields, validate

from shared.facts_schema import PeriodField
from shared.periods import Month, Quarter


def line(**kw):
    return fields.String(validate=validate.Length(min=1, max=100), **kw)


def month(**kw):
    return PeriodField(Month, **kw)


def quarter(**kw):
    return PeriodField(Quarter, **kw)


def reason():
    return fields.String(required=True, validate=validate.Regexp(r"\S", error="give a reason"))
