"""Explained output: every figure the suite produces is a Line citing its clause and inputs."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Iterable, Mapping

from .frozen import quick_init
from .money import report

# Units a line's figure can be in.
POINTS = "points"
CNY = "CNY"
FLAG = "flag"  # figure 1: a finding such as the annual veto flag or a promotion finding
INFO = "info"  # figure is a score/coefficient/count shown for the reader, not paid or docked


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
    if hasattr(value, "__str__") and type(value).__module__.startswith("shared."):
        return str(value)  # Month, Quarter
    return value


@quick_init  # a quarter makes a million lines
@dataclass(frozen=True, slots=True)
class Line:
    person: str
    role: str
    figure: Decimal
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
            "person": self.person, "role": self.role, "figure": str(figure), "unit": self.unit,
            "kind": self.kind, "clause": self.clause, "reason_zh": self.reason_zh,
            "reason_en": self.reason_en, "inputs": plain(self.inputs),  # always a new dict
        }
        if figure != self.figure:  # sub-cent: kept so that reported totals are sums of exact lines
            out["exact"] = str(self.figure)
        return out


def totals(lines: Iterable[Line], unit: str) -> dict[str, Decimal]:
    """Sum of figures per person for one unit (e.g. points docked, CNY paid)."""
    out: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        if line.unit == unit:
            out[line.person] += line.figure
    return dict(out)
