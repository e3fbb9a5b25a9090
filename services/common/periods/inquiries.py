"""Inquiries on a closed period (docs/rules.md §9.6): a person questions a line of their sheet or
statement, or says a record is missing from it, with a reason code; the line's manager answers —
rejected with a reason, or accepted, which posts the correction as an adjustment (§9.5). Who
raised it, who answered and when are kept with it and in the service's audit trail."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import JSON, Column, DateTime, Index, Integer, String, Text

from kamkit.limits import NOT_BLANK, TEXT_MAX
from services.common.messaging import rpc_fields as f
from services.common.storage.db import utcnow

OPEN, ACCEPTED, REJECTED = "open", "accepted", "rejected"
CLAUSE = "rules §9.6"
# why a line is questioned (SAP's dispute reason codes, Oracle's disputes on a credit or a
# missing transaction): what the manager looks at first
REASONS = ("wrong_figure", "missing_record", "not_mine", "wrong_rule", "other")


def inquiry_table(Base):
    class Inquiry(Base):
        __tablename__ = "inquiries"
        __table_args__ = (Index("ix_inquiries_line_status", "business_line", "status"),)
        id = Column(Integer, primary_key=True, autoincrement=True)
        business_line = Column(String(100), nullable=False)
        period = Column(String(16), nullable=False)
        version = Column(Integer, nullable=False)  # the version questioned
        person = Column(String(100), nullable=False)  # whose line
        line = Column(Integer, nullable=True)  # its place in the person's statement, from 0
        quoted = Column(JSON, nullable=True)  # the line as it read when questioned
        record = Column(Text, nullable=True)  # a record said to be missing
        reason_code = Column(String(32), nullable=False)
        text = Column(Text, nullable=False)
        raised_by = Column(String(100), nullable=True)
        raised_at = Column(DateTime, nullable=False, default=utcnow)
        status = Column(String(16), nullable=False, default=OPEN)
        answered_by = Column(String(100), nullable=True)
        answered_at = Column(DateTime, nullable=True)
        answer = Column(Text, nullable=True)
        adjustment = Column(Integer, nullable=True)  # the adjustment an accepted one posted
        warned_at = Column(DateTime, nullable=True)  # warned of once, when it grew old

    return Inquiry


class InquiryBody(Schema):
    """What a person says: whose line (theirs), which line or which record is missing, why."""

    class Meta:
        unknown = RAISE

    person = f.ident(required=True)
    line = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(min=0, max=10_000_000)
    )
    record = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=200))
    reason_code = fields.String(required=True, validate=validate.OneOf(REASONS))
    text = fields.String(
        required=True,
        validate=[validate.Regexp(NOT_BLANK, error="say what is wrong"), validate.Length(max=TEXT_MAX)],
    )

    @validates_schema
    def _about_something(self, data, **kwargs):
        if data.get("line") is None and not data.get("record"):
            raise ValidationError("name the line questioned, or the record missing", "line")


def inquiry_dict(row) -> dict[str, Any]:
    return {
        "id": row.id,
        "business_line": row.business_line,
        "period": row.period,
        "version": row.version,
        "person": row.person,
        "line": row.line,
        "quoted": row.quoted,
        "record": row.record,
        "reason_code": row.reason_code,
        "text": row.text,
        "raised_by": row.raised_by,
        "raised_at": row.raised_at.isoformat(timespec="seconds"),
        "status": row.status,
        "answered_by": row.answered_by,
        "answered_at": row.answered_at.isoformat(timespec="seconds") if row.answered_at else None,
        "answer": row.answer,
        "adjustment": row.adjustment,
    }
