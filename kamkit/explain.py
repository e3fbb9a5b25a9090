"""Explained output: every figure the suite produces is a Line citing its clause and inputs (or a
row of a LineTable: many lines alike, held compactly, standing for exactly the Lines it gives)."""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from .frozen import quick_init
from .money import report

# Units a line's figure can be in.
POINTS = "points"
CNY = "CNY"
FLAG = "flag"  # figure 1: a finding such as the annual veto flag or a promotion finding
INFO = "info"  # figure is a score/coefficient/count shown for the reader, not paid or docked
# An ``info`` line's figure may be None: an indicator that is not applicable (a ratio over nothing),
# which is neither 0 nor 0%; its inputs say why.


# Kinds of line that form a sheet's indicator section (kamkit.indicators, kamkit.kpi's sheet):
# shown apart from the points and pay in every JSON, workbook and page.
INDICATOR_KINDS = frozenset({"indicator", "scorecard"})


def in_indicator_section(line) -> bool:
    """Whether a line (or its dict) belongs to the indicator section rather than the lines."""
    kind = line["kind"] if isinstance(line, Mapping) else line.kind
    return kind in INDICATOR_KINDS


_AS_IS = frozenset({str, int, bool, float, type(None)})


def plain(value: Any) -> Any:
    """JSON-friendly copy of an inputs value: Decimal -> str, date -> ISO, tuples -> lists."""
    kind = type(value)
    if kind in _AS_IS:  # the common cases first, by exact type: a quarter writes a million lines
        return value
    if kind is Decimal:
        return str(value)
    if kind is dict:
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    if hasattr(value, "__str__") and type(value).__module__.startswith("kamkit."):
        return str(value)  # Month, Quarter
    return value


@quick_init  # a quarter makes a million lines
@dataclass(frozen=True, slots=True)
class Line:
    person: str
    role: str
    figure: Decimal | None  # None only on an info line: not applicable
    unit: str
    kind: str  # short machine key: missed_report, commission, bonus, veto_flag, ...
    clause: str  # e.g. "000 §(三)(一)2"
    reason_zh: str
    reason_en: str
    inputs: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Reported form: money rounded half-up to 0.01 (and the exact figure as ``exact`` when
        rounding changed it), everything JSON-serialisable."""
        figure = report(self.figure) if self.unit == CNY else self.figure
        out = {
            "person": self.person,
            "role": self.role,
            "figure": None if figure is None else str(figure),
            "unit": self.unit,
            "kind": self.kind,
            "clause": self.clause,
            "reason_zh": self.reason_zh,
            "reason_en": self.reason_en,
            "inputs": plain(self.inputs),  # always a new dict
        }
        if figure != self.figure:  # sub-cent: kept so that reported totals are sums of exact lines
            out["exact"] = str(self.figure)
        return out


@dataclass(frozen=True, slots=True)
class LineTable:
    """Lines of one person alike in all but their figure and inputs, held as rows: a large
    quarter credits a million collections, and a row costs a tuple where a Line costs the line,
    its inputs dict and two sentences. It stands for exactly the Lines ``lines()`` gives: the
    reasons are its templates (``str.format``) filled with a row's inputs and ``figure``.

    ``columns`` names the inputs; each row is ``(figure, *inputs in column order)``. Rows are
    appended while the table is built; a plugin hands it over in a result's lines like a Line.
    A column named ``clause`` gives each row's line its own clause (not an input; ``clause`` is then
    the table's own, for what reads the table whole): one table holds a person's figures of
    several clauses, as the indicators of docs/rules.md §6 do."""

    person: str
    role: str
    unit: str
    kind: str
    clause: str
    reason_zh: str  # e.g. "回款 {collection} 计入任务 {figure}"
    reason_en: str
    columns: tuple[str, ...]
    rows: list = field(default_factory=list)
    derived: str = ""  # a key of DERIVERS: inputs computed from the stored ones on reading

    def __post_init__(self):
        if "figure" in self.columns:  # the templates' name for the row's figure
            raise ValueError(f"a LineTable's inputs cannot be named 'figure': {self.columns}")

    def __len__(self) -> int:
        return len(self.rows)

    def lines(self) -> Iterator[Line]:
        person, role, unit, kind, clause = self.person, self.role, self.unit, self.kind, self.clause
        zh, en, columns = self.reason_zh, self.reason_en, self.columns
        if CLAUSE in columns or self.derived:
            yield from self._lines_with_clauses()
            return
        for figure, *values in self.rows:
            inputs = dict(zip(columns, values))
            yield Line(
                person,
                role,
                figure,
                unit,
                kind,
                clause,
                zh.format(figure=figure, **inputs),
                en.format(figure=figure, **inputs),
                inputs,
            )

    def _lines_with_clauses(self) -> Iterator[Line]:
        # apart from lines(): that loop is a million credited collections' path, kept as lean
        at = self.columns.index(CLAUSE) if CLAUSE in self.columns else None
        names = [c for c in self.columns if c != CLAUSE]
        for figure, *values in self.rows:
            clause = self.clause if at is None else values.pop(at)
            inputs = dict(zip(names, values))
            if self.derived:
                inputs = derived_inputs(self.derived, figure, inputs)
            yield Line(
                self.person,
                self.role,
                figure,
                self.unit,
                self.kind,
                clause,
                self.reason_zh.format(figure=figure, **inputs),
                self.reason_en.format(figure=figure, **inputs),
                inputs,
            )


CLAUSE = "clause"  # a LineTable column giving each row's line its own clause

# Inputs a LineTable's rows need not store, named by its ``derived``: the kit module that wrote the
# rows gives them from the stored ones (``derived_inputs(figure, inputs)``, every input in its
# order) as the lines are read. An indicator's names, kinds and figures as text follow from its
# definition and figures: stored in every row they were half of a quarter's sheet. The modules are
# named here, not by stored data, so a stored table can name only these.
DERIVERS = {"indicator": "kamkit.indicators"}


def derived_inputs(name: str, figure: Any, inputs: dict[str, Any]) -> dict[str, Any]:
    """Every input of a row of a table ``derived`` by ``name``, from its figure and stored inputs
    (Decimals, or their JSON text as the services store them)."""
    return importlib.import_module(DERIVERS[name]).derived_inputs(figure, inputs)


class Lines(Sequence[Line]):
    """A result's lines as a plugin gave them: Lines and LineTables (``blocks``) in order. Read,
    it is the sequence of Lines they stand for; the services store the blocks as they are."""

    __slots__ = ("blocks", "_all")

    def __init__(self, blocks: Iterable[Line | LineTable] = ()):
        self.blocks = tuple(blocks)
        self._all: tuple[Line, ...] | None = None

    @classmethod
    def of(cls, lines: Iterable[Line | LineTable]) -> Lines:
        return lines if isinstance(lines, Lines) else cls(lines)

    def __iter__(self) -> Iterator[Line]:
        for block in self.blocks:
            if type(block) is LineTable:
                yield from block.lines()
            else:
                yield block

    def __len__(self) -> int:
        return sum(len(b) if type(b) is LineTable else 1 for b in self.blocks)

    def __getitem__(self, index):
        if self._all is None:
            self._all = tuple(self)
        return self._all[index]

    def __add__(self, other) -> tuple[Line, ...]:  # as the tuple of lines a result held before
        return tuple(self) + tuple(other)

    def __radd__(self, other) -> tuple[Line, ...]:
        return tuple(other) + tuple(self)

    def __eq__(self, other) -> bool:
        if isinstance(other, (Lines, tuple, list)):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"Lines({list(self)!r})"


def totals(lines: Iterable[Line], unit: str) -> dict[str, Decimal]:
    """Sum of figures per person for one unit (e.g. points docked, CNY paid)."""
    out: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        if line.unit == unit:
            out[line.person] += line.figure
    return dict(out)
