"""Closed periods: immutable, versioned sheets of explained lines (assessment's monthly sheets,
compensation's quarterly statements).

Closing a period stores version 1 with every line; closing it again returns the stored version
unchanged. Changing a closed period takes ``reopen`` with a reason: the current version is marked
reopened (kept, with the reason) and the next close stores version n + 1. Nothing is deleted.

Where a period starts from the one before (compensation's carried state), reopening a period
marks every later closed period of the line ``stale`` (``mark_later_stale``): still readable, and
saying why, but the next close recomputes it as a new version whose ``reason`` says it was
recomputed, so nothing is left standing on carried state that has changed.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import is_
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    case,
    func,
    insert,
    literal,
)
from sqlalchemy.exc import IntegrityError

from kamkit.activity import Window
from kamkit.errors import Conflict, NotFound
from kamkit.explain import CLAUSE, CNY, INDICATOR_KINDS, INFO, Line, LineTable, derived_inputs, plain
from kamkit.money import report
from services.common.storage.bulk import insert_rows
from services.common.storage.db import utcnow
from services.common.storage.locks import lock

CLOSED, REOPENED, STALE = "closed", "reopened", "stale"
TABLE_ROWS = 1000  # a LineTable's rows stored a row at most this many: what a page may parse
log = logging.getLogger("kam.ledger")


def ledger_tables(Base):
    """(Sheet, SheetLine) models on a service's declarative Base."""

    class Sheet(Base):
        __tablename__ = "sheets"
        __table_args__ = (UniqueConstraint("business_line", "period", "version", name="uq_sheet_version"),)
        id = Column(Integer, primary_key=True, autoincrement=True)
        business_line = Column(String(100), nullable=False)
        period = Column(String(16), nullable=False)  # 2026-03 or 2026-Q1
        version = Column(Integer, nullable=False)
        status = Column(String(16), nullable=False, default=CLOSED)
        plugin = Column(String(100), nullable=False)
        totals = Column(JSON, nullable=False)  # person -> unit -> figure (str)
        carried_in = Column(JSON, nullable=True)  # compensation: state the run started from
        carried_out = Column(JSON, nullable=True)  # compensation: state handed to the next quarter
        closed_at = Column(DateTime, nullable=False, default=utcnow)
        reopened_at = Column(DateTime, nullable=True)
        reopen_reason = Column(Text, nullable=True)
        reason = Column(Text, nullable=True)  # why this version was made (None: the first close)
        stale_since = Column(DateTime, nullable=True)
        stale_reason = Column(Text, nullable=True)  # what changed under a stale version
        # what a replay needs (docs/rules.md §9.2): the plugin's version and the parameters in
        # force, the month their set is in force from, and the tick of the line's fact clock the
        # close read the facts at (None on sheets closed before they were kept)
        plugin_version = Column(String(40), nullable=True)
        parameters = Column(JSON, nullable=True)
        rules_from = Column(String(16), nullable=True)
        facts_seq = Column(Integer, nullable=True)
        # the closed versions whose lines this one holds first (a quarter of monthly pay: its
        # months' statements), [{period, version}], in order
        sources = Column(JSON, nullable=True)

    class SheetLine(Base):
        __tablename__ = "sheet_lines"
        __table_args__ = (Index("ix_sheet_lines_person", "sheet_id", "person"),)
        id = Column(Integer, primary_key=True, autoincrement=True)
        sheet_id = Column(Integer, ForeignKey("sheets.id"), nullable=False)
        seq = Column(Integer, nullable=False)
        person = Column(String(100), nullable=False)
        role = Column(String(64), nullable=False)
        figure = Column(
            String(40), nullable=False
        )  # exact Decimal as text (a table: its sum); reported form in line
        unit = Column(String(16), nullable=False)
        kind = Column(String(64), nullable=False)
        clause = Column(String(64), nullable=False)
        # how many lines the row holds: 1 (a Line), or a LineTable's rows (``line`` then holds the
        # table: its reason templates, input names and rows); ``seq`` is its first line's place
        line_count = Column(Integer, nullable=False, default=1, server_default="1")
        line = Column(JSON, nullable=False)  # Line.to_dict(): reasons and inputs

    return Sheet, SheetLine


def add_totals(parts: Iterable[Mapping[str, Mapping[str, str]]]) -> dict[str, dict[str, str]]:
    """Sheets' totals (person -> unit -> exact figure) added up."""
    out: dict[str, dict[str, Decimal]] = {}
    for totals in parts:
        for person, units in totals.items():
            per = out.setdefault(person, {})
            for unit, figure in units.items():
                per[unit] = per.get(unit, Decimal(0)) + Decimal(figure)
    return {p: {u: str(v) for u, v in units.items()} for p, units in sorted(out.items())}


def totals_of(blocks: Iterable[Line | LineTable]) -> dict[str, dict[str, str]]:
    """Per person, the sum of each unit's exact figures: points, CNY, the count of findings.
    ``info`` lines (scores, credits shown to explain) add up to nothing a person could read."""
    out: dict[str, dict[str, Decimal]] = {}
    for block in blocks:
        if block.unit == INFO:
            continue
        per = out.setdefault(block.person, {})
        figure = sum((row[0] for row in block.rows), Decimal(0)) if type(block) is LineTable else block.figure
        per[block.unit] = per.get(block.unit, Decimal(0)) + figure
    return {p: {u: str(v) for u, v in units.items()} for p, units in sorted(out.items())}


def _json_default(value: Any) -> Any:
    """What orjson does not write itself, written as kamkit.explain.plain writes it."""
    if type(value) is Decimal:  # most inputs are amounts: checked first, by exact type
        return str(value)
    if isinstance(value, Mapping):
        return dict(value)
    return plain(value)


def line_json(line: Line) -> str:
    """``line.to_dict()`` as JSON text, written by orjson straight from the line's inputs (dates,
    tuples and nested dicts natively; Decimal, periods (dataclasses, passed through) and the rest
    through ``plain``)."""
    figure = report(line.figure) if line.unit == CNY else line.figure
    out = {
        "person": line.person,
        "role": line.role,
        "figure": None if figure is None else str(figure),
        "unit": line.unit,
        "kind": line.kind,
        "clause": line.clause,
        "reason_zh": line.reason_zh,
        "reason_en": line.reason_en,
        "inputs": line.inputs,
    }
    if figure != line.figure:
        out["exact"] = str(line.figure)
    return orjson.dumps(
        out, default=_json_default, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS
    ).decode()


def table_json(table: LineTable, rows: list) -> str:
    """Some rows of a LineTable as JSON text (table_chunk)."""
    return table_chunk(table, rows)[1]


def table_chunk(table: LineTable, rows: list) -> tuple[Decimal, str]:
    """(their figures' sum, JSON text) of some rows of a LineTable: its reason templates, input
    names and rows. An input holding the same value in every row (a rate, a zero, the clause: the
    same object, so the same text) is written once under ``same``; one holding in every row the
    value of the figure or of an input before it (a credit's net that is its amount) is named
    under ``alias`` instead of written again; ``inputs`` keeps the table's order of them. Values
    as ``plain`` writes them (Decimals by the encoder's callback). The rows are read once, into
    columns: a million credits' rows lie scattered in memory, and every pass over them costs."""
    by_column = list(zip(*rows))  # (figures, first input's column, ...)
    same, alias, kept, names = {}, {}, [by_column[0]], ["figure"]
    for name, column in zip(table.columns, by_column[1:]):
        first = column[0]
        if all(map(is_, column, itertools.repeat(first))):  # stops at the first row that differs
            same[name] = first
            continue
        for earlier, values in zip(names, kept):
            if values[0] is first and all(map(is_, column, values)):
                alias[name] = earlier
                break
        else:
            kept.append(column)
            names.append(name)
    # an indicator not applicable has no figure (None): it adds nothing
    return sum((f for f in by_column[0] if f is not None), Decimal(0)), orjson.dumps(
        {
            "person": table.person,
            "role": table.role,
            "unit": table.unit,
            "kind": table.kind,
            "clause": table.clause,
            "reason_zh": table.reason_zh,
            "reason_en": table.reason_en,
            "inputs": table.columns,
            **({"derived": table.derived} if table.derived else {}),
            "same": same,
            "alias": alias,
            "columns": names[1:],
            "rows": list(zip(*kept)),
        },
        default=_json_default,
        option=orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS,
    ).decode()


def lines_of(stored: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The lines a stored row holds, each as Line.to_dict() gives it: the row's line, or every
    line of its table (reasons filled in from the exact figure, as LineTable.lines() does)."""
    if "rows" not in stored:
        return [stored]
    base = {k: stored[k] for k in ("person", "role")}
    unit, kind, clause, zh, en, columns = (
        stored[k] for k in ("unit", "kind", "clause", "reason_zh", "reason_en", "columns")
    )
    # rows stored before inputs alike were written once have no ``same``, before aliases no ``alias``
    same, alias = stored.get("same") or {}, stored.get("alias") or {}
    order = stored.get("inputs", columns)
    derived = stored.get("derived")
    out = []
    for exact, *values in stored["rows"]:
        inputs = dict(zip(columns, values))
        if same or alias:
            inputs["figure"] = exact
            inputs = {name: same[name] if name in same else inputs[alias.get(name, name)] for name in order}
        rounded = report(Decimal(exact)) if unit == CNY else None
        # a table of several clauses gives each row's (kamkit.explain.LineTable, CLAUSE)
        own = inputs.pop(CLAUSE) if CLAUSE in order else clause
        if derived:  # inputs its rows do not store (kamkit.explain.DERIVERS)
            inputs = derived_inputs(derived, exact, inputs)
        line = {
            **base,
            "figure": exact if rounded is None else str(rounded),
            "unit": unit,
            "kind": kind,
            "clause": own,
            "reason_zh": zh.format(figure=exact, **inputs),
            "reason_en": en.format(figure=exact, **inputs),
            "inputs": inputs,
        }
        if rounded is not None and rounded != Decimal(exact):  # as Line.to_dict: the exact one too
            line["exact"] = exact
        out.append(line)
    return out


def stored_rows(
    sheet_id: int, blocks: Iterable[Line | LineTable], table_rows: int = TABLE_ROWS, start: int = 0
) -> Iterator[tuple]:
    """The sheet_lines rows of a sheet's lines: one a Line, one per ``table_rows`` rows of a
    LineTable (a page of lines never parses more than that), ``seq`` the first line's place
    (from ``start``)."""
    seq = start
    for block in blocks:
        if type(block) is LineTable:
            for start in range(0, len(block.rows), table_rows):
                rows = block.rows[start : start + table_rows]
                figure, text = table_chunk(block, rows)
                yield (
                    sheet_id,
                    seq,
                    block.person,
                    block.role,
                    str(figure),
                    block.unit,
                    block.kind,
                    block.clause,
                    len(rows),
                    text,
                )
                seq += len(rows)
        else:
            yield (
                sheet_id,
                seq,
                block.person,
                block.role,
                "" if block.figure is None else str(block.figure),  # not applicable (an indicator)
                block.unit,
                block.kind,
                block.clause,
                1,
                line_json(block),
            )
            seq += 1


def _ledger_key(business_line: str) -> str:
    return f"ledger:{business_line}"


@dataclass(frozen=True)
class Computed:
    """What a period's computation made: its lines (Lines and LineTables, a result's
    ``lines.blocks``), the carried state it started from and hands on, and the tick of the line's
    fact clock its facts were read at."""

    blocks: Sequence[Line | LineTable]
    carried_in: Any = None
    carried_out: Any = None
    tick: int | None = None
    copied: Sequence[Any] = ()  # closed sheets whose lines come first, as stored (not recomputed)
    adjusted: Sequence[int] = ()  # the adjustments (of earlier periods) whose lines it posts
    summed: Sequence[Any] = ()  # closed sheets it sums (a year: its months or quarters)


@dataclass(frozen=True)
class Rules:
    """The rules a sheet was computed with, recorded with it for a replay."""

    plugin: str
    plugin_version: str
    parameters: Mapping[str, Any]
    rules_from: str | None = None


@dataclass(frozen=True)
class Ledger:
    """A period service's closed periods: its sheets (a period's versions) and their lines."""

    sheet: type
    line: type

    def current(self, session, business_line: str, period: str):
        """The period's newest version, or None."""
        Sheet = self.sheet
        return (
            session.query(Sheet)
            .filter_by(business_line=business_line, period=period)
            .order_by(Sheet.version.desc())
            .first()
        )

    def version(self, session, business_line: str, period: str, version: int):
        """One version of the period, or None."""
        return (
            session.query(self.sheet)
            .filter_by(business_line=business_line, period=period, version=version)
            .one_or_none()
        )

    def periods(self, session, business_line: str) -> list[dict[str, Any]]:
        """Every period of the line with its newest version: period, version, status, closed_at;
        newest period first. What a person's page lists (no figures: any reader may see it)."""
        Sheet = self.sheet
        newest = (
            session.query(Sheet.period, func.max(Sheet.version).label("version"))
            .filter_by(business_line=business_line)
            .group_by(Sheet.period)
            .subquery()
        )
        rows = (
            session.query(Sheet)
            .join(newest, (Sheet.period == newest.c.period) & (Sheet.version == newest.c.version))
            .filter(Sheet.business_line == business_line)
            .order_by(Sheet.period.desc())
        )
        return [
            {
                "period": r.period,
                "version": r.version,
                "status": r.status,
                "closed_at": r.closed_at.isoformat(timespec="seconds"),
            }
            for r in rows
        ]

    def first_closed_at(self, session, business_line: str, period: str):
        """When the period was first closed (its version 1), or None: a target change approved
        after it does not rewrite the period (docs/rules.md §7)."""
        Sheet = self.sheet
        row = (
            session.query(Sheet.closed_at)
            .filter_by(business_line=business_line, period=period, version=1)
            .first()
        )
        return None if row is None else row[0]

    def close(
        self,
        session,
        business_line: str,
        period: str,
        *,
        rules: Rules,
        compute: Callable[[], Computed],
        pause: Callable[[], Any] = lambda: None,
        chunk: int = 5000,
        note: str | None = None,
    ):
        """Return (sheet, created). ``compute`` runs only when the period is not closed yet (or was
        reopened); ``rules`` are recorded with the new version; ``note`` is added to its reason.
        The lines are written ``chunk`` at a time with
        ``pause()`` between, all in the caller's transaction: a close interrupted anywhere leaves no
        sheet at all, never part of one. The line's ledger is locked first: a reopening of the
        previous period committed while this one computed would find no later sheet to mark stale,
        and this one would stand on carried state that no longer holds."""
        Sheet, SheetLine = self.sheet, self.line
        lock(session, _ledger_key(business_line), long=True)
        latest = self.current(session, business_line, period)
        if latest is not None and latest.status == CLOSED:
            return latest, False
        began = time.perf_counter()
        made = compute()
        blocks = made.blocks
        computed = time.perf_counter()
        totals = add_totals([*(c.totals for c in made.copied), totals_of(blocks)])
        reason = (
            None
            if latest is None
            else (
                f"reopened: {latest.reopen_reason}"
                if latest.status == REOPENED
                else f"recomputed because {latest.stale_reason}"
            )
        )
        # e.g. closed on purpose behind intake (services.common.periods.catch_up): said with the version
        if note:
            reason = note if reason is None else f"{reason}; {note}"
        sheet = Sheet(
            business_line=business_line,
            period=period,
            version=(latest.version + 1) if latest else 1,
            status=CLOSED,
            plugin=rules.plugin,
            plugin_version=rules.plugin_version,
            parameters=dict(rules.parameters),
            rules_from=rules.rules_from,
            facts_seq=made.tick,
            sources=[{"period": c.period, "version": c.version} for c in (*made.copied, *made.summed)]
            + [{"adjustment": a} for a in made.adjusted]
            or None,
            totals=totals,
            carried_in=made.carried_in,
            carried_out=made.carried_out,
            reason=reason,
        )
        if latest is not None and latest.status == STALE:
            latest.status = REOPENED  # superseded; its stale_reason says why
            latest.reopened_at, latest.reopen_reason = utcnow(), f"recomputed: {latest.stale_reason}"
        session.add(sheet)
        try:
            session.flush()
        except IntegrityError:  # another instance closed it at the same moment: theirs stands
            session.rollback()
            return self.current(session, business_line, period), False
        # each line's JSON written by orjson and the rows by the driver's bulk path: a million-line
        # quarter spent most of its write in the stdlib encoder and per-row type processing
        columns = (
            "sheet_id",
            "seq",
            "person",
            "role",
            "figure",
            "unit",
            "kind",
            "clause",
            "line_count",
            "line",
        )
        written = self._copy_lines(session, sheet.id, made.copied)
        rows = stored_rows(sheet.id, blocks, start=written)
        while chunk_rows := list(itertools.islice(rows, chunk)):
            insert_rows(session, SheetLine.__table__, columns, chunk_rows)
            written += sum(r[8] for r in chunk_rows)
            pause()
        # what an operator asks of a slow close: how big, and whether reading and rules or writing
        log.info(
            "%s %s v%d: %d lines; facts and rules %.1f s, lines written %.1f s",
            business_line,
            period,
            sheet.version,
            written,
            computed - began,
            time.perf_counter() - computed,
        )
        return sheet, True

    def _copy_lines(self, session, sheet_id: int, copied) -> int:
        """The stored lines of ``copied`` sheets, in order, as the first lines of ``sheet_id``: one
        statement in the database, nothing parsed or computed again. Answers how many lines."""
        SheetLine, offset = self.line, 0
        names = ("person", "role", "figure", "unit", "kind", "clause", "line_count", "line")
        for source in copied:
            rows = session.query(
                literal(sheet_id), SheetLine.seq + offset, *(getattr(SheetLine, n) for n in names)
            ).filter(SheetLine.sheet_id == source.id)
            session.execute(insert(SheetLine).from_select(("sheet_id", "seq", *names), rows))
            count = session.query(func.coalesce(func.sum(SheetLine.line_count), 0))
            offset += int(count.filter(SheetLine.sheet_id == source.id).scalar())
        return offset

    def reopen(self, session, business_line: str, period: str, reason: str):
        """Mark the period's current version reopened, with ``reason``; the next close makes the next."""
        if not isinstance(reason, str) or not reason.strip():
            raise Conflict("reopening a closed period needs a reason", field="reason")
        lock(session, _ledger_key(business_line), long=True)
        latest = self.current(session, business_line, period)
        if latest is None:
            raise NotFound(f"{period} of {business_line!r} was never closed", field="period")
        if latest.status == REOPENED:
            raise Conflict(f"{period} of {business_line!r} is already reopened", field="period")
        latest.status, latest.reopened_at, latest.reopen_reason = REOPENED, utcnow(), reason.strip()
        return latest

    def mark_later_stale(self, session, business_line: str, period: str, why: str) -> list:
        """Mark stale the current version of every closed quarter or year of the line that stands on
        ``period``: a reopened quarter's later quarters (its carried state), a reopened month's
        quarter and the quarters after it (a quarter of monthly pay holds its months), and the year
        holding either (it sums them). Months stand on nothing before them. Returns them."""
        Sheet, reopened = self.sheet, Window.parse(period)
        later = [
            s
            for s in session.query(Sheet)
            .filter(Sheet.business_line == business_line, Sheet.status == CLOSED, Sheet.period != period)
            .order_by(Sheet.period)
            if ("Q" in s.period and Window.parse(s.period).last >= reopened.first)
            or (len(s.period) == 4 and Window.parse(s.period).contains(reopened.first))
        ]
        now = utcnow()
        for sheet in later:
            sheet.status, sheet.stale_since, sheet.stale_reason = STALE, now, why
        return later

    def sheet_dict(
        self,
        session,
        sheet,
        *,
        person: str | None = None,
        page: int | None = None,
        page_size: int | None = None,
        kind: str | None = None,
        people: frozenset[str] | None = None,
    ) -> dict[str, Any]:
        """The sheet with its lines: all of them, or one page (``page`` from 1, ``page_size`` lines,
        in the sheet's order), optionally one person's (or only ``people``'s: a grant narrowed to
        a branch) and one kind of line. The indicator section
        (kamkit.explain.INDICATOR_KINDS) comes apart from the lines, as ``indicators``: whole when
        the sheet is read whole or for one person; a page of it is read with ``kind``."""
        SheetLine = self.line
        rows = session.query(SheetLine).filter_by(sheet_id=sheet.id)
        if person is not None:
            rows = rows.filter_by(person=person)
        if people is not None:
            rows = rows.filter(SheetLine.person.in_(sorted(people)))
        section = None
        if kind is not None:
            rows = rows.filter_by(kind=kind)
        else:
            if (page is None and page_size is None) or person is not None or people is not None:
                section = [
                    line
                    for r in rows.filter(SheetLine.kind.in_(INDICATOR_KINDS)).order_by(SheetLine.seq)
                    for line in lines_of(r.line)
                ]
            rows = rows.filter(SheetLine.kind.notin_(INDICATOR_KINDS))
        paging = {}
        if page is not None or page_size is not None:
            page, page_size = page or 1, page_size or 500
            total = rows.with_entities(func.coalesce(func.sum(SheetLine.line_count), 0)).scalar()
            paging = {"page": page, "page_size": page_size, "total_lines": int(total)}
            lines = self._page(session, rows, (page - 1) * page_size, page * page_size)
        else:
            lines = [line for r in rows.order_by(SheetLine.seq) for line in lines_of(r.line)]
        return {
            **paging,
            "business_line": sheet.business_line,
            "period": sheet.period,
            "version": sheet.version,
            "status": sheet.status,
            **recorded_rules(sheet),
            "closed_at": sheet.closed_at.isoformat(),
            "reopen_reason": sheet.reopen_reason,
            "reason": sheet.reason,
            "stale": sheet.status == STALE,
            "stale_reason": sheet.stale_reason,
            "totals": _totals_of(sheet.totals, person, people),
            "carried_in": sheet.carried_in,
            "carried_out": sheet.carried_out,
            "lines": lines,
            **({} if section is None else {"indicators": section}),
        }

    def _page(self, session, rows, start: int, end: int) -> list[dict[str, Any]]:
        """Lines [start, end) of the rows' lines in order: the rows holding them found by the running
        count of lines (a row may hold a table of many), then cut to the page."""
        SheetLine = self.line
        first = func.sum(SheetLine.line_count).over(order_by=SheetLine.seq) - SheetLine.line_count
        placed = rows.with_entities(SheetLine.id.label("id"), first.label("first")).subquery()
        found = (
            session.query(SheetLine.line, placed.c.first)
            .join(placed, placed.c.id == SheetLine.id)
            .filter(placed.c.first < end, placed.c.first + SheetLine.line_count > start)
            .order_by(SheetLine.seq)
        )
        out: list[dict[str, Any]] = []
        for stored, at in found:
            out += lines_of(stored)[max(start - at, 0) : end - at]
        return out

    def summary_dict(self, session, sheet) -> dict[str, Any]:
        """What a close answers, whatever the period's size: the version, its status and reason, the
        totals per person and unit and how many lines there are (read them with sheet_dict's paging)."""
        SheetLine = self.line
        section = SheetLine.kind.in_(INDICATOR_KINDS)
        counted = session.query(
            func.coalesce(func.sum(case((section, 0), else_=SheetLine.line_count)), 0),
            func.coalesce(func.sum(case((section, SheetLine.line_count), else_=0)), 0),
        )
        count, indicators = counted.filter(SheetLine.sheet_id == sheet.id).one()
        return {
            "business_line": sheet.business_line,
            "period": sheet.period,
            "version": sheet.version,
            "status": sheet.status,
            **recorded_rules(sheet),
            "closed_at": sheet.closed_at.isoformat(),
            "reason": sheet.reason,
            "stale": sheet.status == STALE,
            "stale_reason": sheet.stale_reason,
            "totals": sheet.totals,
            "line_count": int(count),
            "indicator_count": int(indicators),  # read with kind=indicator (or scorecard)
        }

    def history(self, session, business_line: str, period: str) -> list[dict[str, Any]]:
        """Every version of the period, oldest first, with why each was reopened or recomputed."""
        Sheet = self.sheet
        return [
            {
                "version": s.version,
                "status": s.status,
                "closed_at": s.closed_at.isoformat(),
                "reopened_at": s.reopened_at.isoformat() if s.reopened_at else None,
                "reopen_reason": s.reopen_reason,
                "reason": s.reason,
                "stale_reason": s.stale_reason,
                **recorded_rules(s),
                "totals": s.totals,
            }
            for s in session.query(Sheet)
            .filter_by(business_line=business_line, period=period)
            .order_by(Sheet.version)
        ]


def recorded_rules(sheet) -> dict[str, Any]:
    """The rules a version was computed with and the fact clock's tick it read (docs/rules.md §9)."""
    return {
        "plugin": sheet.plugin,
        "plugin_version": sheet.plugin_version,
        "parameters": sheet.parameters,
        "rules_from": sheet.rules_from,
        "facts_tick": sheet.facts_seq,
        "sources": sheet.sources,
    }


def _totals_of(totals, person, people):
    """The sheet's totals, of one person or only of ``people`` when the lines are."""
    if person is not None:
        return {person: totals.get(person, {})}
    if people is not None:
        return {p: t for p, t in totals.items() if p in people}
    return totals
