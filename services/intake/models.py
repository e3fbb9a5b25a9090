"""intake's tables: the records themselves, plus the shared reliability tables."""
from sqlalchemy import JSON, Column, Date, DateTime, Index, Integer, String, UniqueConstraint

from services.common.db import new_base, reliability_tables, utcnow

Base = new_base()
AppliedEvent, IdempotentCall, OutboxEvent = reliability_tables(Base)


class Record(Base):
    """One record of the system of record: a facts-format document of one kind
    (shared.records.KINDS) in one business line, keyed by its natural key."""

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
        return {"business_line": self.business_line, "kind": self.kind, "key": self.key,
                "version": self.version, "record": self.doc}
