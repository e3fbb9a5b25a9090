"""escalation's tables: its projection of the roster and opportunities, and what it escalated."""

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Index, Integer, String, UniqueConstraint

from services.common.access.guard import access_table
from services.common.storage.db import new_base, utcnow
from services.common.storage.projection import lines_table
from services.common.storage.uow import reliability

Base = new_base("escalation")  # its migrations: services/escalation/migrations
TABLES = reliability(Base)  # applied events, idempotency answers, outbox, audit trail (append-only)
OutboxEvent = TABLES.outbox  # read by tests: what escalation announced
AccessPrincipal = access_table(Base)  # who may do what, as intake announced it


Line = lines_table(Base)  # each line's plugin and parameters


class Person(Base):
    __tablename__ = "people"
    business_line = Column(String(100), primary_key=True)
    id = Column(String(100), primary_key=True)
    role = Column(String(64), nullable=False)
    branch = Column(String(100), nullable=True, index=True)
    grade = Column(String(32), nullable=True)  # banking grade: some tiers need a minimum grade
    version = Column(Integer, nullable=False, default=0)


class Opportunity(Base):
    """An opportunity with its tier, owner and follow-up clock."""

    __tablename__ = "opportunities"
    __table_args__ = (Index("ix_opportunities_due", "open", "due"),)
    business_line = Column(String(100), primary_key=True)
    id = Column(String(100), primary_key=True)
    version = Column(Integer, nullable=False, default=0)
    doc = Column(JSON, nullable=False)
    branch = Column(String(100), nullable=True)
    open = Column(Boolean, nullable=False, default=True)
    tier = Column(String(64), nullable=True)
    owner_role = Column(String(64), nullable=True)
    owner = Column(String(100), nullable=True)
    confirming_role = Column(String(64), nullable=True)
    confirmer = Column(String(100), nullable=True)
    follow_up_days = Column(Integer, nullable=True)  # None: this tier has no follow-up cadence
    clock = Column(Date, nullable=True)  # last follow-up, or when it was entered/discovered
    due = Column(Date, nullable=True)  # clock + follow_up_days: first overdue day
    # owner_assigned events sent for it so far: each carries its number, so a subscriber that
    # gets two out of order keeps the newer (revision 0002)
    assignment = Column(Integer, nullable=False, default=0, server_default="0")
    # confirm | reject by its confirming role (revision 0003): a rejected one is not followed up
    decision = Column(String(16), nullable=True)


class Escalation(Base):
    """One rung notified for one overdue week of one follow-up period: written once."""

    __tablename__ = "escalations"
    __table_args__ = (
        UniqueConstraint("business_line", "opportunity", "clock", "week", "role", name="uq_escalation_once"),
    )
    id = Column(Integer, primary_key=True, autoincrement=True)
    business_line = Column(String(100), nullable=False)
    opportunity = Column(String(100), nullable=False)
    clock = Column(Date, nullable=False)
    week = Column(Integer, nullable=False)
    role = Column(String(64), nullable=False)
    person = Column(String(100), nullable=True)
    as_of = Column(Date, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class DeadlineEscalation(Base):
    """One rung notified for one step of one case past its due day: written once (revision 0007).
    ``due`` is part of the key: a step whose due day moves (a later start) climbs anew."""

    __tablename__ = "deadline_escalations"
    __table_args__ = (
        UniqueConstraint("business_line", "case", "rule", "due", "step", "role", name="uq_deadline_once"),
    )
    id = Column(Integer, primary_key=True, autoincrement=True)
    business_line = Column(String(100), nullable=False)
    case = Column(String(100), nullable=False)
    rule = Column(String(100), nullable=False)
    due = Column(Date, nullable=False)
    step = Column(Integer, nullable=False)
    role = Column(String(64), nullable=False)
    person = Column(String(100), nullable=True)
    as_of = Column(Date, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class FollowUp(Base):
    """Follow-ups applied (the opportunity's clock keeps only the latest)."""

    __tablename__ = "follow_ups"
    business_line = Column(String(100), primary_key=True)
    id = Column(String(100), primary_key=True)
    opportunity = Column(String(100), nullable=False)
    date = Column(Date, nullable=False)


class Awaiting(Base):
    """What warnings are made of besides follow-ups (kamkit.warnings): visit plans, development
    plans, target changes and the line's calendars, as intake last sent them (revision 0005).
    ``since``: when it began waiting for a decision (a change's requested_at, else first seen)."""

    __tablename__ = "awaiting"
    business_line = Column(String(100), primary_key=True)
    kind = Column(String(32), primary_key=True)
    key = Column(String(200), primary_key=True)
    version = Column(Integer, nullable=False)
    doc = Column(JSON, nullable=False)
    since = Column(DateTime, nullable=False, default=utcnow)


class WarningSent(Base):
    """Each warning announced once (kamkit.warnings: its dedup key), with when."""

    __tablename__ = "warnings_sent"
    business_line = Column(String(100), primary_key=True)
    dedup = Column(String(250), primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow)
