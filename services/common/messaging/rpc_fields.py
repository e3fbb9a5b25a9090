"""marshmallow fields the services' RPC argument schemas share (limits as in kamkit.limits)."""

from marshmallow import RAISE, Schema, fields, validate

from kamkit.facts_schema import PeriodField
from kamkit.limits import ID_MAX, NOT_BLANK, PAGE_MAX, TEXT_MAX
from kamkit.periods import Month, Quarter, Year

_PLAIN = validate.Regexp(r"^[^\x00-\x1f\x7f\ud800-\udfff]*$", error="must not contain control characters")
PLAIN = _PLAIN  # text without control characters, as every service checks it


def line(**kw):
    return fields.String(validate=[validate.Length(min=1, max=ID_MAX), _PLAIN], **kw)


def ident(**kw):
    """An id of a person, an opportunity, a record."""
    return fields.String(validate=[validate.Length(min=1, max=ID_MAX), _PLAIN], **kw)


def month(**kw):
    return PeriodField(Month, **kw)


def quarter(**kw):
    return PeriodField(Quarter, **kw)


class _AnyPeriod(PeriodField):
    def __init__(self, **kw):
        super().__init__(Quarter, **kw)

    def _deserialize(self, value, attr, data, **kwargs):
        text = str(value).strip()
        self.kind = Quarter if "Q" in text.upper() else Month if "-" in text else Year
        return super()._deserialize(value, attr, data, **kwargs)


def any_period(**kw):
    """A month (2026-03), a quarter (2026-Q1) or a year (2026): any closed period."""
    return _AnyPeriod(**kw)


def year(**kw):
    return PeriodField(Year, **kw)


class LineRef(Schema):
    """A call about a whole business line (projection status and versions)."""

    class Meta:
        unknown = RAISE

    business_line = line(required=True)


class Paging(Schema):
    """page / page_size / kind of a sheet read: its lines page by page (None: every line)."""

    page = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1, max=PAGE_MAX)
    )
    page_size = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1, max=5000)
    )
    kind = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64))


_GIVEN = validate.Regexp(NOT_BLANK, error="give a reason")


def reason():
    return fields.String(required=True, validate=[_GIVEN, validate.Length(max=TEXT_MAX)])


def optional_reason():
    """A reason given only to do something on purpose (a close behind intake)."""
    return fields.String(
        load_default=None,
        allow_none=True,
        validate=[_GIVEN, validate.Length(max=TEXT_MAX)],
    )


class StrictBoolean(fields.Boolean):
    """true or false, nothing else: marshmallow's Boolean reads 0, 1, "yes" ... as booleans (and 0
    is False in a set), which a JSON client's document does not allow."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value
