"""Stored records back into kamkit.facts, without validating them a second time.

A service's projection only holds records that intake validated (wire.records.validate_record)
and that the service checked again when the event arrived, stored as sent. Loading a period of a
large organisation through marshmallow costs ~140 µs a record (144 s for a million); this module
converts each field by its declared type instead (~3 µs), reading values exactly as the schema
reads them: numbers through ``Decimal(str(v).strip())``, booleans through marshmallow's truthy and
falsy sets, ISO dates, periods, nested shares and scorecards. tests/services/common/
test_stored_facts.py holds it equal to ``load_facts`` record for record.

Ids that repeat across records (people, branches, contracts) and dates are shared, not copied, so
a million opportunities fit in a few hundred MiB.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import MISSING, fields
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from marshmallow import fields as mfields

from kamkit import facts as F
from kamkit import work_records as W
from kamkit.periods import Month, Quarter
from wire.records import KINDS

_TRUTHY, _FALSY = mfields.Boolean.truthy, mfields.Boolean.falsy


def _bool(value):
    if value is True or value is False:
        return value
    if value in _TRUTHY:  # "yes", "1", 1 ... as marshmallow reads them
        return True
    if value in _FALSY:
        return False
    raise ValueError(f"not a boolean: {value!r}")


@lru_cache(maxsize=8192)
def _date(value: str) -> date:
    return date.fromisoformat(value)


def _number(value) -> Decimal:
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())


def _optional(convert):
    return lambda v: None if v is None else convert(v)


# Field annotations (strings: kamkit.facts uses postponed annotations) -> converter; text is
# taken as stored, or interned (_builder).
_BY_TYPE: dict[str, Callable[[Any], Any]] = {
    "int": int,
    "int | None": _optional(int),
    "bool": _bool,
    "Decimal": _number,
    "Decimal | None": _optional(_number),
    "date": _date,
    "date | None": _optional(_date),
    "Month": lambda v: Month.parse(str(v)),
    "Quarter": lambda v: Quarter.parse(str(v)),
    "datetime": lambda v: datetime.fromisoformat(str(v)),
    "datetime | None": _optional(lambda v: datetime.fromisoformat(str(v))),
    "tuple[str, ...]": lambda v: tuple(str(x) for x in v or ()),
    "tuple[date, ...]": lambda v: tuple(_date(str(x)) for x in v or ()),
    "bool | None": _optional(_bool),
    # kamkit.work_records: a case's dated steps and attributes, an appraisal's points
    "Mapping[str, date]": lambda v: {str(k): _date(str(x)) for k, x in (v or {}).items()},
    "Mapping[str, Any]": lambda v: {str(k): _attribute(x) for k, x in (v or {}).items()},
    "Mapping[str, Decimal]": lambda v: {str(k): _number(x) for k, x in (v or {}).items()},
}


def _attribute(value):
    """A case attribute as its schema reads it: text and true/false as they are, numbers exact."""
    return value if isinstance(value, (str, bool)) else _number(value)


# Text fields that point at other records (people, branches, roles ...) repeat across a period's
# records: they are interned, so a million opportunities share ten thousand names. Their own
# ids and free text are unique and left alone.
_UNIQUE_TEXT = {"id", "name", "customer"}


def _builder(record: type) -> Callable[[Mapping[str, Any]], Any]:
    """A function building ``record`` from a stored document, written out field by field (as
    dataclasses writes its __init__): a loop over converters cost twice as much a record."""
    env: dict[str, Any] = {"R": record, "intern": sys.intern}
    args = []
    for i, f in enumerate(fields(record)):
        interned = False
        if f.type == "Scorecard | None":
            convert = _optional(lambda v: _SCORECARD(v))
        elif f.type == "tuple[Share, ...]":
            convert = lambda v: tuple(_SHARE(s) for s in v or ())  # noqa: E731
        elif f.type == "tuple[StatusChange, ...]":
            convert = lambda v: tuple(_CHANGE(c) for c in v or ())  # noqa: E731
        elif f.type == "tuple[PlanItem, ...]":
            convert = lambda v: tuple(_PLAN_ITEM(i) for i in v or ())  # noqa: E731
        elif f.type in ("str", "str | None"):
            convert, interned = None, f.name not in _UNIQUE_TEXT
        else:
            convert = _BY_TYPE[f.type]  # a new field type must be taught here
        env[f"c{i}"] = convert
        value = f"d[{f.name!r}]" if convert is None else f"c{i}(d[{f.name!r}])"
        if interned:  # written out, not a call a field: a tenth of a million opportunities' build
            value = f"(intern(t) if type(t := d[{f.name!r}]) is str else t)"
        if f.default is not MISSING or f.default_factory is not MISSING:
            env[f"v{i}"] = f.default if f.default is not MISSING else f.default_factory()
            value = f"({value} if {f.name!r} in d else v{i})"
        args.append(f"{f.name}={value}")
    source = "def build(d):\n    return R(" + ", ".join(args) + ")\n"
    exec(compile(source, f"<stored_facts {record.__name__}>", "exec"), env)
    build = env["build"]
    build.field_names = frozenset(f.name for f in fields(record))
    return build


_SCORECARD = _builder(F.Scorecard)
_SHARE = _builder(F.Share)
_CHANGE = _builder(F.StatusChange)
_PLAN_ITEM = _builder(W.PlanItem)
# record kind -> builder, for every kind a plugin reads
BUILDERS: dict[str, Callable[[Mapping[str, Any]], Any]] = {}
_RECORD_OF = {
    "branch": F.Branch,
    "person": F.Person,
    "opportunity": F.Opportunity,
    "loss_review": F.LossReview,
    "confirmation": F.Confirmation,
    "deal": F.Deal,
    "collection": F.Collection,
    "contract": F.Contract,
    "kpi": F.KpiRating,
    "loan": F.Loan,
    "portfolio": F.Portfolio,
    "customer": F.Customer,
    "visit_plan": F.VisitPlan,
    "visit": F.Visit,
    "development_plan": F.DevelopmentPlan,
    "complaint": F.Complaint,
    "feedback_request": F.FeedbackRequest,
    "budget": F.Budget,
    "expense": F.Expense,
    "attendance": F.Attendance,
    "featured_service": F.FeaturedService,
    "calendar": F.Calendar,
    "target": F.Target,
    "target_change": F.TargetChange,
    "case": W.Case,
    "survey": W.Survey,
    "work_plan": W.WorkPlan,
    "call_log": W.CallLog,
    "incident": W.Incident,
    "standard_check": W.StandardCheck,
    "appraisal": W.Appraisal,
    "appointment": W.Appointment,
}
for _kind, _record in _RECORD_OF.items():
    BUILDERS[_kind] = _builder(_record)


def build_record(kind: str, doc: Mapping[str, Any]):
    """The kamkit.facts record of one stored document (its period tag, if any, is not a field)."""
    return BUILDERS[kind](doc)


def build_facts(records: Mapping[str, Iterable[Any]], **top: Any) -> F.Facts:
    """Facts from records already built, grouped by kind (``{"opportunity": [Opportunity, ...]}``);
    ``top`` gives business_line, month, quarter, carried (periods as text or objects)."""
    for name, kind in (("month", Month), ("quarter", Quarter)):
        if isinstance(top.get(name), str):
            top[name] = kind.parse(top[name])
    return F.Facts(**{KINDS[kind].facts_key: tuple(items) for kind, items in records.items()}, **top)
