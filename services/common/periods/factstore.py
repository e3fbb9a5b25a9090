"""A service's local projection of intake's records, and set-based reads of a period's facts.

assessment and compensation each keep their own copy (their own database); both are built from
``record_changed`` events with ``apply_record`` and read back with ``period_document``, which
reads one query per record kind bounded by the period (indexed on business_line, kind, day), so
closing a month costs the month's records, not the whole history, and never an RPC per record.

Every change applied gets the line's next tick of a clock (``fact_clock``): a row keeps the tick
it was written at (``seq``) and the version it replaces moves to ``fact_history`` with the tick
that replaced it. A close reads the facts as of the clock's tick when it began and records that
tick with its sheet; a replay reads the facts as of the same tick and gets the very records the
close computed from, whatever has changed since (docs/rules.md §9).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import orjson
from sqlalchemy import JSON, Column, Date, Index, Integer, String

from wire.records import KINDS, record_day

# Record kinds with no date of their own: the whole roster is part of every period.
# An appointment too: a grade stands on its appointment, whenever it was made (docs/rules.md §10.3).
UNDATED = ("branch", "person", "contract", "customer", "target", "target_change", "calendar", "appointment")


def fact_table(Base):
    """The projection table on a service's declarative Base."""

    class Fact(Base):
        __tablename__ = "facts"
        __table_args__ = (
            Index("ix_facts_line_kind_day", "business_line", "kind", "day"),
            # projection_versions, before every close, from the index alone: 0.06 s
            # for a million records, 0.9 s from the table
            Index("ix_facts_line_kind_version", "business_line", "kind", "version"),
        )
        business_line = Column(String(100), primary_key=True)
        kind = Column(String(32), primary_key=True)
        key = Column(String(200), primary_key=True)
        version = Column(Integer, nullable=False)
        day = Column(Date, nullable=True)
        period = Column(String(16), nullable=True, index=True)  # KPI quarter, portfolio month
        doc = Column(JSON, nullable=False)
        seq = Column(Integer, nullable=True)  # the clock's tick it was written at (None: before the clock)

    return Fact


def fact_history_tables(Base):
    """(FactHistory, FactClock) on a service's declarative Base: the versions a change replaced,
    and each line's clock."""

    class FactHistory(Base):
        __tablename__ = "fact_history"
        __table_args__ = (Index("ix_fact_history_replaced", "business_line", "kind", "replaced_seq"),)
        id = Column(Integer, primary_key=True, autoincrement=True)
        business_line = Column(String(100), nullable=False)
        kind = Column(String(32), nullable=False)
        key = Column(String(200), nullable=False)
        version = Column(Integer, nullable=False)
        day = Column(Date, nullable=True)
        period = Column(String(16), nullable=True)
        doc = Column(JSON, nullable=False)
        seq = Column(Integer, nullable=True)  # when it was written (None: before the clock)
        replaced_seq = Column(Integer, nullable=False)  # the tick of the change that replaced it

    class FactClock(Base):
        __tablename__ = "fact_clock"
        business_line = Column(String(100), primary_key=True)
        seq = Column(Integer, nullable=False, default=0)

    return FactHistory, FactClock


def clock_now(session, Clock, business_line: str) -> int:
    """The line's clock as committed: every change at or below it is stored, none above it is."""
    row = session.get(Clock, business_line, populate_existing=True)
    return 0 if row is None else row.seq


def clock_set(session, Clock, business_line: str, tick: int) -> None:
    """The line's clock moved to ``tick``, the change being applied (taken under the line's facts
    lock, so the ticks follow the order the changes commit in)."""
    row = session.get(Clock, business_line)
    if row is None:
        session.add(Clock(business_line=business_line, seq=tick))
    else:
        row.seq = tick


def apply_record(
    session,
    Fact,
    payload: Mapping[str, Any],
    kinds: Iterable[str],
    stored: Mapping[str, Any] | None = None,
    *,
    tick: int | None = None,
    History=None,
) -> bool:
    """Upsert the record of a record_changed payload if it is of a wanted kind and newer.
    ``stored``: the rows of this kind already read by key (``preload``), else each is read.
    ``tick``: the clock's tick of this change; the version it replaces goes to ``History``."""
    kind = payload["kind"]
    if kind not in kinds:
        return False
    pk = (payload["business_line"], kind, payload["key"])
    row = session.get(Fact, pk) if stored is None else stored.get(pk[2])
    if row is not None and row.version >= payload["version"]:
        return False  # a redelivered or overtaken event: the stored version is as new or newer
    doc = payload["record"]
    if row is None:
        row = Fact(business_line=pk[0], kind=kind, key=pk[2])
        session.add(row)
    elif History is not None:
        session.add(
            History(
                business_line=pk[0],
                kind=kind,
                key=pk[2],
                version=row.version,
                day=row.day,
                period=row.period,
                doc=row.doc,
                seq=row.seq,
                replaced_seq=tick,
            )
        )
    row.seq = tick
    row.version, row.doc, row.day = payload["version"], doc, record_day(kind, doc)
    row.period = doc.get("quarter") or doc.get("month")
    return True


def preload(session, Fact, business_line: str, kind: str, keys: list[str]) -> dict[str, Any]:
    """{key: stored row} of these keys, one query per 900 keys instead of one per key (a batch's
    records; the keys of a batch are distinct)."""
    rows = {}
    for start in range(0, len(keys), 900):  # under SQLite's bound-parameter limit
        rows.update(
            (row.key, row)
            for row in session.query(Fact).filter(
                Fact.business_line == business_line,
                Fact.kind == kind,
                Fact.key.in_(keys[start : start + 900]),
            )
        )
    return rows


def period_records(
    session,
    Fact,
    business_line: str,
    *,
    first: date,
    last: date,
    kinds: Iterable[str],
    lookback_days: int = 0,
    periods: Iterable[str] = (),
    build=lambda kind, doc: doc,
    pause=lambda: None,
    chunk: int = 5000,
    as_of: AsOf | None = None,
) -> dict[str, list]:
    """The records of one business line for [first, last], per kind, each passed through
    ``build(kind, doc)`` as it is read (services.common.periods.stored_facts turns them into facts).

    Dated records are read when their day falls in [first - lookback_days, last]; opportunities
    named by a loss review decided in the window are added whatever their age; undated roster
    records are always read; period-tagged records (KPI ratings, portfolios) when their period
    is in ``periods``. Rows stream ``chunk`` at a time and ``pause()`` runs between chunks, so a
    million-row month neither holds every row twice nor keeps the service's hub from its
    heartbeats. ``as_of``: each record as it stood at that tick of the line's clock (see the
    module's docstring), in key order either way.
    """
    kinds = set(kinds)
    periods = list(periods)
    out: dict[str, list] = {}
    window = (str(first - timedelta(days=lookback_days)), str(last))  # Date columns compare as ISO text
    own = (str(first), str(last))

    def read(kind, condition="", *params):
        got = out.setdefault(kind, [])
        start, keys, later = len(got), [], []
        query = dict(business_line=business_line, kind=kind, condition=condition, params=params, chunk=chunk)
        loads, tick = orjson.loads, None if as_of is None else as_of.tick
        for rows in _documents(session, Fact.__tablename__, **query):
            for key, seq, text in rows:
                if tick is not None and seq is not None and seq > tick:
                    later.append(len(got))  # written after the tick: its version then, found below
                    got.append(None)
                else:
                    got.append(build(kind, loads(text)))
                keys.append(key)
            pause()
        if as_of is not None:
            _as_of(got, start, keys, later, _history_then(session, as_of, query), lambda d: build(kind, d))
        return got

    for kind in sorted(kinds):
        if kind in UNDATED:
            read(kind)
        elif KINDS[kind].period_required or KINDS[kind].period_field:
            if periods:
                read(kind, f" AND period IN ({', '.join('{}' for _ in periods)})", *periods)
            else:
                out.setdefault(kind, [])
        elif kind == "loss_review":
            read(kind, " AND (day IS NULL OR day BETWEEN {} AND {})", *window)
        else:
            read(kind, " AND day BETWEEN {} AND {}", *(window if KINDS[kind].lookback else own))
    if "loss_review" in kinds and "opportunity" in kinds:
        # built records or documents (dicts): a million opportunities, so the plain type test, not
        # the Mapping ABC's (a third of this pass)
        reviews = [(r["opportunity"] if isinstance(r, dict) else r.opportunity) for r in out["loss_review"]]
        have = {(o["id"] if isinstance(o, dict) else o.id) for o in out["opportunity"]}
        wanted = sorted(set(reviews) - have)
        for i in range(0, len(wanted), 500):
            keys = wanted[i : i + 500]
            read("opportunity", f" AND key IN ({', '.join('{}' for _ in keys)})", *keys)
    return out


@dataclass(frozen=True)
class AsOf:
    """Read the projection as it stood at ``tick`` of the line's clock; ``history`` is the
    service's fact_history table name."""

    tick: int
    history: str = "fact_history"


def _history_then(session, as_of: AsOf, query) -> dict[str, dict]:
    """{key: document} of the replaced versions that stood at the tick, in the same window. Read
    after the current rows: a change committed between the two reads is then seen in one of them
    (its old version still current, or already in the history), never in neither."""
    condition = query["condition"] + " AND (seq IS NULL OR seq <= {}) AND replaced_seq > {}"
    found = {}
    for rows in _documents(
        session,
        as_of.history,
        **{**query, "condition": condition, "params": (*query["params"], as_of.tick, as_of.tick)},
    ):
        found.update((key, orjson.loads(text)) for key, _seq, text in rows)
    return found


def _as_of(got: list, start: int, keys: list, later: list, then: dict, build) -> None:
    """Fill in ``got[start:]`` (one entry per key, in key order) the versions that stood at the
    tick: a record written since is replaced by its version then, or dropped when it had none in
    the window; one whose version then lay in the window and now lies outside it is added."""
    for at in later:
        doc = then.get(keys[at - start])
        if doc is not None:
            got[at] = build(doc)
    seen = set(keys) if then else ()
    added = [(key, build(doc)) for key, doc in then.items() if key not in seen]
    if not later and not added:
        return
    pairs = [(k, r) for k, r in zip(keys, got[start:]) if r is not None] + added
    pairs.sort(key=lambda pair: pair[0])  # the query's order: code points (COLLATE "C")
    got[start:] = [r for _k, r in pairs]


def _documents(
    session, table: str, business_line: str, *, kind: str, condition: str, params, chunk: int
) -> Iterator[list[tuple[str, int | None, str]]]:
    """(key, seq, document's JSON text) of the stored records of one kind of a line (``condition``: more SQL
    with ``{}`` where each of ``params`` goes), ``chunk`` at a time in key order (code points,
    whatever the database's collation), read straight off the driver's cursor (the caller parses
    them with orjson): SQLAlchemy's rows and JSON processing cost twice the read itself (a million
    collections: 8.5 s against 2.1). In the session's transaction; PostgreSQL streams through a
    server-side cursor."""
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    mark = "%s" if postgres else "?"
    sql = (
        f"SELECT key, seq, {'doc::text' if postgres else 'doc'} FROM {table} "
        f"WHERE business_line = {mark} AND kind = {mark}"
        + condition.format(*(mark for _ in params))
        + (' ORDER BY key COLLATE "C"' if postgres else " ORDER BY key")
    )
    dbapi = connection.connection
    cursor = dbapi.cursor(f"kam_docs_{uuid.uuid4().hex[:12]}") if postgres else dbapi.cursor()
    try:
        if postgres:
            cursor.itersize = chunk
        cursor.execute(sql, (business_line, kind, *params))
        while rows := cursor.fetchmany(chunk):
            yield rows
    finally:
        cursor.close()


def period_document(
    session,
    Fact,
    business_line: str,
    *,
    first: date,
    last: date,
    kinds: Iterable[str],
    lookback_days: int = 0,
    periods: Iterable[str] = (),
) -> dict[str, Any]:
    """The same records as a facts document (docs/facts-format.md), for load_facts."""
    records = period_records(
        session,
        Fact,
        business_line,
        first=first,
        last=last,
        kinds=kinds,
        lookback_days=lookback_days,
        periods=periods,
        build=strip,
    )
    return {KINDS[kind].facts_key: docs for kind, docs in records.items()}


def strip(kind: str, doc: Mapping[str, Any]) -> dict[str, Any]:
    """The facts-format body of a stored record (drops the period tag a KPI rating carries)."""
    if KINDS[kind].period_required:
        return {k: v for k, v in doc.items() if k != KINDS[kind].period_required}
    return dict(doc)
