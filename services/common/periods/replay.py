"""Trust in a closed period, and what-if (docs/rules.md §9.2, §9.3).

A replay recomputes a closed version from the facts it was closed on (the line's fact clock at
the tick the sheet records) under the plugin version and parameters recorded with it, and holds
every stored row against the row the recomputation makes: "identical", or every line that differs.
A comparison computes the same stored facts under another plugin or parameters and sets each
person's totals side by side; nothing is stored by either.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import Text, cast

from kamkit.explain import LineTable
from services.common.periods.ledger import Computed, add_totals, lines_of, stored_rows, totals_of

IDENTICAL, DIFFERENT, NOT_REPLAYED = "identical", "different", "not_replayed"
SHOWN = 200  # differing lines listed at most; all are counted
LINES_ANSWERED = 20_000  # a comparison answers both runs' lines up to this many (a workbook's worth)
_FIELDS = ("person", "role", "figure", "unit", "kind", "clause", "line_count")


@dataclass(frozen=True)
class Row:
    """A stored sheet row, or the row a recomputation makes of a block (ledger.stored_rows)."""

    seq: int
    person: str
    role: str
    figure: str
    unit: str
    kind: str
    clause: str
    line_count: int
    text: str  # the row's line (or table chunk) as JSON text


def recorded_rows(session, ledger, sheet, chunk: int = 2000) -> Iterator[Row]:
    """A sheet's stored rows in order, their JSON as stored (the ``json`` type keeps its text)."""
    SheetLine = ledger.line
    query = (
        session.query(
            SheetLine.seq,
            SheetLine.person,
            SheetLine.role,
            SheetLine.figure,
            SheetLine.unit,
            SheetLine.kind,
            SheetLine.clause,
            SheetLine.line_count,
            cast(SheetLine.line, Text),
        )
        .filter(SheetLine.sheet_id == sheet.id)
        .order_by(SheetLine.seq)
        .yield_per(chunk)
    )
    for r in query:
        yield Row(*r)


def recomputed_rows(session, ledger, computed: Computed) -> Iterator[Row]:
    """The rows a recomputation makes: the lines of the closed versions it holds first, as they
    are stored, then its computed blocks'."""
    offset = 0
    for source in computed.copied:
        end = offset
        for row in recorded_rows(session, ledger, source):
            yield replace(row, seq=row.seq + offset)
            end = max(end, row.seq + offset + row.line_count)
        offset = end
    for r in stored_rows(0, computed.blocks, start=offset):
        yield Row(*r[1:])


def _same(a: Row | None, b: Row | None) -> bool:
    if a is None or b is None:
        return False
    if any(getattr(a, f) != getattr(b, f) for f in _FIELDS):
        return False
    return a.text == b.text or orjson.loads(a.text) == orjson.loads(b.text)


def _lines(row: Row | None) -> list[dict[str, Any]]:
    return [] if row is None else lines_of(orjson.loads(row.text))


def _shown(line: dict[str, Any] | None) -> dict[str, Any] | None:
    if line is None:
        return None
    return {k: line.get(k) for k in ("figure", "unit", "reason_en", "reason_zh", "inputs")}


def line_differences(recorded: Iterable[Row], replayed: Iterable[Row]) -> tuple[int, int, list[dict]]:
    """(lines compared, lines that differ, the first SHOWN of them) between two row streams."""
    compared = differ = 0
    listed: list[dict[str, Any]] = []
    for old, new in itertools.zip_longest(recorded, replayed):
        count = max(old.line_count if old else 0, new.line_count if new else 0)
        compared += count
        if _same(old, new):
            continue
        base = (old or new).seq
        for i, (a, b) in enumerate(itertools.zip_longest(_lines(old), _lines(new))):
            if a == b:
                continue
            differ += 1
            if len(listed) < SHOWN:
                who = a or b
                listed.append(
                    {
                        "line": base + i,
                        "person": who["person"],
                        "kind": who["kind"],
                        "clause": who["clause"],
                        "recorded": _shown(a),
                        "replayed": _shown(b),
                    }
                )
    return compared, differ, listed


def replay_answer(session, ledger, sheet, computed: Computed) -> dict[str, Any]:
    """What a replay of ``sheet`` found, given its recomputation."""
    compared, differ, listed = line_differences(
        recorded_rows(session, ledger, sheet), recomputed_rows(session, ledger, computed)
    )
    totals = add_totals([*(c.totals for c in computed.copied), totals_of(computed.blocks)])
    carried_same = (computed.carried_out or None) == (sheet.carried_out or None)
    same = differ == 0 and totals == sheet.totals and carried_same
    return {
        **_identity(sheet),
        "outcome": IDENTICAL if same else DIFFERENT,
        "lines_compared": compared,
        "lines_differing": differ,
        "differences": listed,
        "totals_differ": _totals_delta(sheet.totals, totals) if totals != sheet.totals else [],
        "carried_out_differs": not carried_same,
        **(
            {}
            if carried_same
            else {"carried_out": {"recorded": sheet.carried_out, "replayed": computed.carried_out}}
        ),
    }


def not_replayed(sheet, why: str) -> dict[str, Any]:
    """A replay that could not honestly be made, and why (never on another plugin silently)."""
    return {**_identity(sheet), "outcome": NOT_REPLAYED, "why": why}


def _identity(sheet) -> dict[str, Any]:
    return {
        "business_line": sheet.business_line,
        "period": sheet.period,
        "version": sheet.version,
        "status": sheet.status,
        "plugin": sheet.plugin,
        "plugin_version": sheet.plugin_version,
        "parameters": sheet.parameters,
        "rules_from": sheet.rules_from,
        "facts_tick": sheet.facts_seq,
        "sources": sheet.sources,
    }


def _totals_delta(old: Mapping, new: Mapping) -> list[dict[str, Any]]:
    out = []
    for person in sorted(set(old) | set(new)):
        for unit in sorted(set(old.get(person, {})) | set(new.get(person, {}))):
            a, b = old.get(person, {}).get(unit), new.get(person, {}).get(unit)
            if a is None or b is None or Decimal(a) != Decimal(b):
                out.append({"person": person, "unit": unit, "recorded": a, "replayed": b})
    return out


# --- comparison ---------------------------------------------------------------------------


def side_by_side(base: Mapping, other: Mapping, names: Mapping[str, Mapping]) -> dict[str, Any]:
    """Per person and unit the two runs' totals and their difference (other - base); a person
    with no line in a run has 0 there. ``names``: person -> {name, role}."""
    units: list[str] = []
    people = []
    sums: dict[str, list[Decimal]] = {}
    for person in sorted(set(base) | set(other)):
        figures = {}
        for unit in sorted(set(base.get(person, {})) | set(other.get(person, {}))):
            if unit not in units:
                units.append(unit)
            a = Decimal(base.get(person, {}).get(unit, "0"))
            b = Decimal(other.get(person, {}).get(unit, "0"))
            figures[unit] = {"base": str(a), "other": str(b), "delta": str(b - a)}
            total = sums.setdefault(unit, [Decimal(0), Decimal(0)])
            total[0] += a
            total[1] += b
        about = names.get(person) or {}
        people.append(
            {"person": person, "name": about.get("name"), "role": about.get("role"), "figures": figures}
        )
    totals = {u: {"base": str(a), "other": str(b), "delta": str(b - a)} for u, (a, b) in sums.items()}
    return {"units": units, "people": people, "totals": totals}


def line_dicts(blocks) -> list[dict[str, Any]]:
    """A run's lines as a sheet answers them (tables expanded), for a comparison's lines."""
    out: list[dict[str, Any]] = []
    for block in blocks:
        lines = block.lines() if type(block) is LineTable else (block,)
        out += [orjson.loads(orjson.dumps(line.to_dict(), default=str)) for line in lines]
    return out


def line_total(blocks) -> int:
    return sum(len(b.rows) if type(b) is LineTable else 1 for b in blocks)
