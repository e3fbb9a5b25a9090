"""A service's local projection of intake's records, and set-based reads of a period's facts.

assessment and compensation each keep their own copy (their own database); both are built from
``record_changed`` events with ``apply_record`` and read back with ``period_document``, which
issues one query per record kind bounded by the period (indexed on business_line, kind, day), so
closing a month costs the month's records, not the whole history, and never an RPC per record.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Iterable, Mapping

from sqlalchemy import JSON, Column, Date, Index, Integer, String, or_

from shared.records import KINDS, record_day

# Record kinds with no date of their own: the whole roster is part of every period.
UNDATED = ("branch", "person", "contract")


def fact_table(Base):
    """The projection table on a service's declarative Base."""

    class Fact(Base):
        __tablename__ = "facts"
        __table_args__ = (Index("ix_facts_line_kind_day", "business_line", "kind", "day"),)
        business_line = Column(String(100), primary_key=True)
        kind = Column(String(32), primary_key=True)
        key = Column(String(200), primary_key=True)
        version = Column(Integer, nullable=False)
        day = Column(Date, nullable=True)
        period = Column(String(16), nullable=True, index=True)  # KPI quarter, portfolio month
        doc = Column(JSON, nullable=False)

    return Fact


def apply_record(session, Fact, payload: Mapping[str, Any], kinds: Iterable[str]) -> bool:
    """Upsert the record of a record_changed payload if it is of a wanted kind and newer."""
    kind = payload["kind"]
    if kind not in kinds:
        return False
    pk = (payload["business_line"], kind, payload["key"])
    row = session.get(Fact, pk)
    if row is not None and row.version >= payload["version"]:
        return False  # a redelivered or overtaken event: the stored version is as new or newer
    doc = payload["record"]
    if row is None:
        row = Fact(business_line=pk[0], kind=kind, key=pk[2])
        session.add(row)
    row.version, row.doc, row.day = payload["version"], doc, record_day(kind, doc)
    row.period = doc.get("quarter") or doc.get("month")
    return True


def period_document(session, Fact, business_line: str, first: date, last: date, kinds: Iterable[str],
                    lookback_days: int = 0, periods: Iterable[str] = ()) -> dict[str, Any]:
    """A facts document (docs/facts-format.md) of one business line for [first, last].

    Dated records are read when their day falls in [first - lookback_days, last]; opportunities
    named by a loss review decided in the window are added whatever their age; undated roster
    records are always read; period-tagged records (KPI ratings, portfolios) when their period
    is in ``periods``.
    """
    kinds = set(kinds)
    base = session.query(Fact).filter(Fact.business_line == business_line)
    document: dict[str, list] = {}

    def put(kind, rows):
        key = KINDS[kind].facts_key
        document.setdefault(key, [])
        document[key].extend(strip(kind, r.doc) for r in rows)

    for kind in sorted(kinds):
        rows = base.filter(Fact.kind == kind)
        if kind in UNDATED:
            pass
        elif KINDS[kind].period_required or kind == "portfolio":
            rows = rows.filter(Fact.period.in_(list(periods)))
        else:
            rows = rows.filter(or_(Fact.day.is_(None) if kind == "loss_review" else False,
                                   Fact.day.between(first - timedelta(days=lookback_days), last)))
        put(kind, rows.order_by(Fact.key).all())
    if "loss_review" in kinds and "opportunity" in kinds:
        have = {o["id"] for o in document.get("opportunities", [])}
        wanted = sorted({r["opportunity"] for r in document.get("loss_reviews", [])} - have)
        if wanted:
            put("opportunity", base.filter(Fact.kind == "opportunity", Fact.key.in_(wanted)).all())
    return document


def strip(kind: str, doc: Mapping[str, Any]) -> dict[str, Any]:
    """The facts-format body of a stored record (drops the period tag a KPI rating carries)."""
    if KINDS[kind].period_required:
        return {k: v for k, v in doc.items() if k != KINDS[kind].period_required}
    return dict(doc)
