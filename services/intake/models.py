"""intake's tables: the records themselves, plus the shared reliability tables."""

from sqlalchemy import JSON, Column, Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint

from services.common.storage.db import new_base, utcnow
from services.common.storage.uow import reliability

Base = new_base("intake")  # its migrations: services/intake/migrations
TABLES = reliability(Base)  # applied events, idempotency answers, outbox, audit trail (append-only)
IdempotentCall, OutboxEvent, AuditEntry = TABLES.calls, TABLES.outbox, TABLES.audit


class Record(Base):
    """One record of the system of record: a facts-format document of one kind
    (wire.records.KINDS) in one business line, keyed by its natural key."""

    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("business_line", "kind", "key", name="uq_record_key"),
        Index("ix_records_line_kind_day", "business_line", "kind", "day"),
    )

    id = Column(Integer, primary_key=True, autoincrement=True)
    business_line = Column(String(100), nullable=False)
    kind = Column(String(32), nullable=False)
    key = Column(String(200), nullable=False)
    version = Column(Integer, nullable=False, default=1)
    day = Column(Date, nullable=True)  # the record's main date, for period filters
    doc = Column(JSON, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    def to_dict(self):
        return {
            "business_line": self.business_line,
            "kind": self.kind,
            "key": self.key,
            "version": self.version,
            "record": self.doc,
        }


# --- who may do what (services.common.access.rules) ------------------------------------------------


class Principal(Base):
    """A person or a calling system (HR, payroll, CRM) that holds roles and tokens."""

    __tablename__ = "principals"
    id = Column(String(100), primary_key=True)
    name = Column(String(200), nullable=False)
    kind = Column(String(16), nullable=False)  # person | system
    version = Column(Integer, nullable=False, default=1)  # + 1 on every change: newer wins downstream
    created_at = Column(DateTime, nullable=False, default=utcnow)


class Grant(Base):
    """A principal's role on one business line, or on every line ("*")."""

    __tablename__ = "grants"
    principal = Column(String(100), ForeignKey("principals.id"), primary_key=True)
    business_line = Column(String(100), primary_key=True)
    role = Column(String(16), nullable=False)
    # line (the whole line), branch (only that branch's people), self (only ``person``'s)
    scope = Column(String(16), nullable=False, default="line", server_default="line")
    branch = Column(String(100), nullable=True)
    person = Column(String(100), nullable=True)  # who the principal is on the line, if a person there


class Token(Base):
    """An API token: its secret's SHA-256 only (the secret is shown once), an expiry, a revocation."""

    __tablename__ = "tokens"
    id = Column(String(16), primary_key=True)
    principal = Column(String(100), ForeignKey("principals.id"), nullable=False, index=True)
    secret_hash = Column(String(64), nullable=False)
    note = Column(String(200), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)
    revoked_at = Column(DateTime, nullable=True)
