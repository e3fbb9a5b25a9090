"""notify's tables: what it knows of opportunities (for the bulletin), messages and deliveries."""

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)

from services.common.access.guard import access_table
from services.common.storage.db import new_base, utcnow
from services.common.storage.projection import lines_table
from services.common.storage.uow import reliability

Base = new_base("notify")  # its migrations: services/notify/migrations
TABLES = reliability(Base)  # applied events, idempotency answers, outbox, audit trail (append-only)
AccessPrincipal = access_table(Base)  # who may do what, as intake announced it


class Opportunity(Base):
    """Projection for the weekly bulletin: the record, its assignment and its last follow-up."""

    __tablename__ = "opportunities"
    business_line = Column(String(100), primary_key=True)
    id = Column(String(100), primary_key=True)
    version = Column(Integer, nullable=False, default=0)
    doc = Column(JSON, nullable=True)
    tier = Column(String(64), nullable=True)
    owner = Column(String(100), nullable=True)
    owner_role = Column(String(64), nullable=True)
    in_bulletin = Column(Boolean, nullable=False, default=False)
    last_follow_up = Column(Date, nullable=True)
    escalations = Column(Integer, nullable=False, default=0)
    assignment = Column(Integer, nullable=False, default=0, server_default="0")  # the newest applied (0002)


class Message(Base):
    """A rendered message; ``dedup`` (the source event id, or line + week for a bulletin) makes
    each one once."""

    __tablename__ = "messages"
    id = Column(Integer, primary_key=True, autoincrement=True)
    dedup = Column(String(200), nullable=False, unique=True)
    business_line = Column(String(100), nullable=False)
    kind = Column(String(32), nullable=False)
    subject = Column(Text, nullable=False)
    markdown = Column(Text, nullable=False)
    html = Column(Text, nullable=False)
    data = Column(JSON, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class Delivery(Base):
    """One message on one channel: pending -> sent, or failed and retried with back-off."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("message_id", "channel", name="uq_delivery"),)
    id = Column(Integer, primary_key=True, autoincrement=True)
    message_id = Column(Integer, ForeignKey("messages.id"), nullable=False)
    channel = Column(String(64), nullable=False)
    status = Column(String(16), nullable=False, default="pending")  # pending | sent | failed
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(Text, nullable=True)
    next_attempt = Column(DateTime, nullable=False, default=utcnow)
    sent_at = Column(DateTime, nullable=True)


Line = lines_table(Base)  # each line's plugin and parameters


class Person(Base):
    """A person's name, so a notice says 王芳, not am1 (revision 0004)."""

    __tablename__ = "people"
    business_line = Column(String(100), primary_key=True)
    id = Column(String(100), primary_key=True)
    name = Column(String(200), nullable=False, default="")
    branch = Column(String(100), nullable=True)  # where a branch manager's grant reaches
    version = Column(Integer, nullable=False, default=0)
