"""The RPC argument schemas of a period service, for a period named ``month`` or ``quarter``."""

from __future__ import annotations

from dataclasses import dataclass

from marshmallow import RAISE, Schema, fields, validate

from kamkit.limits import NOT_BLANK
from services.common.messaging import rpc_fields as f
from services.common.periods.inquiries import InquiryBody


@dataclass(frozen=True)
class PeriodSchemas:
    ref: type[Schema]  # business_line, the period, optionally a person
    query: type[Schema]  # ... and paging (page, page_size, kind)
    close: type[Schema]  # ... and accept_missing: close on what is held, and why
    reopen: type[Schema]  # ... and the reason
    replay: type[Schema]  # ... and the version to replay (None: the newest)
    compare: type[Schema]  # ... and the other plugin and parameters, and whether to answer lines
    adjust: type[Schema]  # ... and the reason
    inquiry: type[Schema]  # ... and what a person questions (services.common.periods.inquiries)
    year: type[Schema]  # business_line, the year, accept_missing: the annual close
    year_query: type[Schema]  # business_line, the year, a person, paging: reading it


def period_schemas(period: str, period_field, any_period=None) -> PeriodSchemas:
    """Schemas whose period argument is called ``period`` ("month", "quarter"), of ``period_field``
    (rpc_fields.month or .quarter); a replay's and a comparison's is called ``period``, of
    ``any_period`` (default ``period_field``: a service with months and quarters takes either)."""
    ref = type(
        f"{period.title()}Ref",
        (Schema,),
        {
            "Meta": type("Meta", (), {"unknown": RAISE}),
            "business_line": f.line(required=True),
            period: period_field(required=True),
            "person": f.ident(load_default=None, allow_none=True),
        },
    )
    any_ref = type(
        f"{period.title()}AnyRef",
        (Schema,),
        {
            "Meta": type("Meta", (), {"unknown": RAISE}),
            "business_line": f.line(required=True),
            "period": (any_period or period_field)(required=True),
        },
    )
    year = type(
        f"{period.title()}Year",
        (Schema,),
        {
            "Meta": type("Meta", (), {"unknown": RAISE}),
            "business_line": f.line(required=True),
            "year": f.year(required=True),
            "accept_missing": f.optional_reason(),
        },
    )
    year_query = type(
        f"{period.title()}YearQuery",
        (Schema,),
        {
            "Meta": type("Meta", (), {"unknown": RAISE}),
            "business_line": f.line(required=True),
            "year": f.year(required=True),
            "person": f.ident(load_default=None, allow_none=True),
            **f.Paging._declared_fields,
        },
    )
    return PeriodSchemas(
        year=year,
        year_query=year_query,
        adjust=type(f"{period.title()}Adjust", (any_ref,), {"reason": f.reason()}),
        inquiry=type(
            f"{period.title()}Inquiry",
            (any_ref,),
            {
                "inquiry": fields.Nested(InquiryBody, required=True),
                "idempotency_key": fields.String(
                    load_default=None, allow_none=True, validate=validate.Length(min=1, max=200)
                ),
            },
        ),
        ref=ref,
        query=type(f"{period.title()}Query", (ref, f.Paging), {}),
        close=type(f"{period.title()}Close", (ref,), {"accept_missing": f.optional_reason()}),
        reopen=type(f"{period.title()}Reopen", (ref,), {"reason": f.reason()}),
        replay=type(
            f"{period.title()}Replay",
            (any_ref,),
            {"version": fields.Integer(load_default=None, allow_none=True, strict=True, validate=_VERSION)},
        ),
        compare=type(
            f"{period.title()}Compare",
            (any_ref,),
            {
                "plugin": f.ident(load_default=None, allow_none=True),
                "parameters": fields.Dict(keys=fields.String(), load_default=dict, allow_none=True),
                # true or false only: 0 and "yes" are not a yes or no here
                "lines": f.StrictBoolean(load_default=False),
            },
        ),
    )


_VERSION = validate.Range(min=1, max=1_000_000)


class InquiryAnswer(Schema):
    class Meta:
        unknown = RAISE

    business_line = f.line(required=True)
    inquiry = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))
    decision = fields.String(required=True, validate=validate.OneOf(["accept", "reject"]))
    answer = fields.String(
        required=True, validate=[validate.Regexp(NOT_BLANK, error="say why"), validate.Length(max=2000)]
    )


class InquiryList(Schema):
    class Meta:
        unknown = RAISE

    business_line = f.line(required=True)
    status = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(["open", "accepted", "rejected"])
    )
    person = f.ident(load_default=None, allow_none=True)
