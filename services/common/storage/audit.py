"""The audit trail (issue 11): who did what, when, to which record or period, with the state before
and after, under which correlation id; and every call refused, with why.

Each service keeps its own append-only ``audit_log`` (``audit_table``), written in the same
transaction as the change it describes, so an entry exists exactly when the change does. The
principal is the one the access check found (services.common.access.guard via SafeRpc, which puts it in
the worker's context data as ``principal``, replacing anything a caller sent under that name);
with access control off it is ``-``. The correlation id is the gateway's (``X-Correlation-Id``)
or nameko's call id. The database itself refuses UPDATE and DELETE on the table (triggers made by
each service's first revision, services.common.storage.baseline).

A change writes its entry through its unit of work (services.common.storage.uow:
``u.audit(action, business_line=..., target=..., period=..., before=..., after=...)``, a
``Writer`` underneath); ``entries`` answers the ``list_audit`` RPC every service has.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, Integer, String, Text, insert
from sqlalchemy.orm import Session

from services.common.storage.db import utcnow

DONE, REFUSED, READ = "done", "refused", "read"
NOBODY = "-"  # access control off: the call was not checked
PAGE_SIZE_MAX = 500


def audit_table(Base):
    class AuditEntry(Base):
        __tablename__ = "audit_log"
        __table_args__ = (
            Index("ix_audit_line_at", "business_line", "at"),
            Index("ix_audit_principal", "principal"),
            Index("ix_audit_target", "target"),
            Index("ix_audit_period", "period"),
        )
        id = Column(Integer, primary_key=True, autoincrement=True)
        at = Column(DateTime, nullable=False, default=utcnow)
        principal = Column(String(100), nullable=False)
        service = Column(String(32), nullable=False)
        action = Column(String(64), nullable=False)  # the RPC
        outcome = Column(String(16), nullable=False)  # done | refused
        business_line = Column(String(100), nullable=True)
        target = Column(String(200), nullable=True)  # "opportunity:o1", "principal:ann", "token:…"
        period = Column(String(16), nullable=True)  # 2026-03, 2026-Q1
        before = Column(JSON, nullable=True)
        after = Column(JSON, nullable=True)
        correlation_id = Column(String(64), nullable=False)
        detail = Column(Text, nullable=True)  # a refusal's reason

    return AuditEntry


def correlation_of(context: Mapping[str, Any], call_id: str | None = None) -> str:
    return str(context.get("correlation_id") or call_id or "")[:64]


class Writer:
    """Audit entries of one call (its principal, correlation id and action), written into the
    caller's transaction (a unit of work's, services.common.storage.uow)."""

    def __init__(self, AuditEntry, service: str, context: Mapping[str, Any], call_id: str):
        self.AuditEntry, self.service = AuditEntry, service
        self.principal = str(context.get("principal") or NOBODY)
        self.correlation_id = correlation_of(context, call_id)
        self.action = call_id.split(".")[1] if call_id and call_id.count(".") >= 2 else ""

    def done(
        self,
        session,
        action: str | None = None,
        *,
        business_line: str | None = None,
        target: str | None = None,
        period: str | None = None,
        before: Any = None,
        after: Any = None,
    ):
        # one Core INSERT, not an ORM object: every intake write makes one (the unit of work
        # cost ~1 ms a call, half the write's budget)
        session.execute(
            insert(self.AuditEntry.__table__),
            self.entry(
                action, business_line=business_line, target=target, period=period, before=before, after=after
            ),
        )

    def entry(
        self,
        action: str | None = None,
        *,
        business_line: str | None = None,
        target: str | None = None,
        period: str | None = None,
        before: Any = None,
        after: Any = None,
    ) -> dict[str, Any]:
        """The row ``done`` writes, as column values: for a caller that writes it in a statement
        of its own (intake's one-round-trip create)."""
        return dict(
            at=utcnow(),
            principal=self.principal,
            service=self.service,
            action=action or self.action,
            outcome=DONE,
            business_line=business_line,
            target=target,
            period=period,
            before=before,
            after=after,
            correlation_id=self.correlation_id,
        )


@dataclass(frozen=True)
class Call:
    """Who called what, for an entry written apart from any change (a refusal, a read)."""

    service: str
    action: str
    arguments: Mapping[str, Any]
    context: Mapping[str, Any]
    principal: str


def refused(engine, AuditEntry, call: Call, *, why: str) -> None:
    """A call the access check refused, in its own transaction (nothing else was done)."""
    _alone(engine, AuditEntry, call, outcome=REFUSED, detail=why[:2000])


def read(engine, AuditEntry, call: Call, *, reach: str) -> None:
    """A read answered to a checked principal: who read what (the call's arguments) and with what
    reach (``line``, ``branch:b1``, ``self:p1``), in its own transaction."""
    arguments = call.arguments
    target = ":".join(
        str(arguments[k]) for k in ("kind", "key", "person", "opportunity") if arguments.get(k) is not None
    )
    period = next((arguments[k] for k in ("month", "quarter") if arguments.get(k) is not None), None)
    _alone(
        engine,
        AuditEntry,
        call,
        outcome=READ,
        target=(target or None) and target[:200],
        period=None if period is None else str(period)[:16],
        after={"reach": reach},
    )


def _alone(engine, AuditEntry, call: Call, **columns) -> None:
    line = call.arguments.get("business_line")
    with Session(engine) as session:
        session.add(
            AuditEntry(
                principal=call.principal[:100],
                service=call.service,
                action=call.action[:64],
                business_line=line if isinstance(line, str) else None,
                correlation_id=correlation_of(call.context, (call.context.get("call_id_stack") or [""])[-1]),
                **columns,
            )
        )
        session.commit()


def entries(
    session,
    AuditEntry,
    *,
    business_line=None,
    principal=None,
    target=None,
    period=None,
    outcome=None,
    page: int = 1,
    page_size: int = 100,
) -> dict[str, Any]:
    rows = session.query(AuditEntry)
    for column, value in (
        ("business_line", business_line),
        ("principal", principal),
        ("target", target),
        ("period", period),
        ("outcome", outcome),
    ):
        if value is not None:
            rows = rows.filter(getattr(AuditEntry, column) == value)
    total = rows.count()
    page_rows = rows.order_by(AuditEntry.id).offset((page - 1) * page_size).limit(page_size)
    return {"items": [_entry(r) for r in page_rows], "page": page, "page_size": page_size, "total": total}


def _entry(row) -> dict[str, Any]:
    return {
        "id": row.id,
        "at": _iso(row.at),
        "principal": row.principal,
        "service": row.service,
        "action": row.action,
        "outcome": row.outcome,
        "business_line": row.business_line,
        "target": row.target,
        "period": row.period,
        "before": row.before,
        "after": row.after,
        "correlation_id": row.correlation_id,
        "detail": row.detail,
    }


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
