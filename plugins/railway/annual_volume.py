"""The year's volume (年运量确定), 002/TL 第七–十一条 — docs/rules.md §15.2.

A case of kind ``annual_volume`` is one customer's volume for one year, the year planned in its
``year`` attribute. It is fixed in December of the year before: the customer submits the form by
early December (第八条), the bureau signs it by mid-December (第十条), the ministry by the end of
December (第十一条); it is in force once all three have signed (第七条), and fixed once a year.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from kamkit.activity import Window
from kamkit.deadlines import DAYS, DeadlineRule
from kamkit.errors import ConfigError
from kamkit.explain import FLAG, INFO, Line
from kamkit.facts import Facts
from kamkit.params import Param
from kamkit.work_records import Case

VOLUME = "annual_volume"
SUBMITTED, BUREAU_SIGNED, MINISTRY_SIGNED = "submitted", "bureau_signed", "ministry_signed"
BUREAU, MINISTRY = "bureau", "ministry"
ONCE_A_YEAR, SUBMIT, BUREAU_CLAUSE, MINISTRY_CLAUSE = (
    "002/TL §第七条",
    "002/TL §第八条",
    "002/TL §第十条",
    "002/TL §第十一条",
)
DAY_PARAMS = ("submit_by", "bureau_sign_by", "ministry_sign_by")

PARAMS = (
    Param(
        "submit_by",
        "12-10",
        "text",
        SUBMIT,
        "Month-day (MM-DD) of the year before the year planned by which the customer submits the "
        "signed and sealed volume form to the bureau: 12月上旬前 read as 'by the end of the first ten "
        "days of December'. The other reading, literally 'before the first ten days of December', is "
        "11-30 (the last day before 1 December), or 12-01 if 前 is read as 'by'.",
        "reading",
    ),
    Param(
        "bureau_sign_by",
        "12-20",
        "text",
        BUREAU_CLAUSE,
        "Month-day by which the bureau signs, seals and reports the agreed volume to the ministry: "
        "12月中旬前 read as 'by the end of mid-December' (the 20th), as submit_by is read; the other "
        "reading, before mid-December begins, is 12-10.",
        "reading",
    ),
    Param(
        "ministry_sign_by",
        "12-31",
        "text",
        MINISTRY_CLAUSE,
        "Month-day by which the ministry signs and seals the form, fixing the volume (12月底前).",
    ),
)

RULES = (
    DeadlineRule(
        "volume_submitted",
        "大客户年度运量表报铁路局",
        "year volume form submitted to the bureau",
        VOLUME,
        "opened",
        SUBMITTED,
        "submit_by",
        SUBMIT,
        unit=DAYS,  # the days late of a fixed-date rule are counted in its unit: calendar days here
        fixed_param="submit_by",
        year_offset=-1,  # the volume of year Y is fixed in December of Y-1
        owner_role=None,  # the customer submits
    ),
    DeadlineRule(
        "volume_bureau_signed",
        "铁路局签字盖章报铁道部",
        "signed by the bureau and reported to the ministry",
        VOLUME,
        "opened",
        BUREAU_SIGNED,
        "bureau_sign_by",
        BUREAU_CLAUSE,
        unit=DAYS,
        fixed_param="bureau_sign_by",
        year_offset=-1,
        owner_role=BUREAU,
    ),
    DeadlineRule(
        "volume_ministry_signed",
        "铁道部签字盖章确定年度运量",
        "signed by the ministry, the volume fixed",
        VOLUME,
        "opened",
        MINISTRY_SIGNED,
        "ministry_sign_by",
        MINISTRY_CLAUSE,
        unit=DAYS,
        fixed_param="ministry_sign_by",
        year_offset=-1,
        owner_role=MINISTRY,
    ),
)


def check_days(params: Mapping[str, Any]) -> None:
    """A month-day parameter must be a day every year has (MM-DD; 02-29 is not): refused by name,
    before any sheet is computed with it."""
    errors = []
    for name in DAY_PARAMS:
        text = str(params[name])
        try:
            month, day = (int(x) for x in text.split("-"))
            date(2001, month, day)  # a year without 29 February
            ok = len(text) == 5
        except ValueError:
            ok = False
        if not ok:
            errors.append(
                {"field": name, "message": f"must be a day of the year as MM-DD, e.g. 12-10, not {text!r}"}
            )
    if errors:
        raise ConfigError(errors)


def year_of(case: Case) -> int | None:
    """The year planned, None when it is not recorded as a whole year. The kit falls back to the year
    the case was opened, which is the year before the one planned (see docs/rules.md §15.2)."""
    value = case.attributes.get("year")
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isdigit() and len(value) == 4:
        return int(value)
    if isinstance(value, (int, Decimal)) and value == int(value) and 1000 <= value <= 9999:
        return int(value)
    return None


def datable(facts: Facts) -> Facts:
    """The facts without the volume cases whose year planned is not recorded as a whole year: the kit
    would date them from the year opened (a year early for a form opened in December) or, for a year
    such as "2027.5", raise and take the whole sheet down."""
    return replace(facts, cases=tuple(c for c in facts.cases if c.kind != VOLUME or year_of(c) is not None))


def findings(cases: Sequence[Case], window: Window, roles: Mapping[str, str]) -> Iterable[Line]:
    """What the sheet states of the volume cases besides their deadlines: a year not recorded, a
    volume fixed twice for one customer and year, and a volume put in force by the ministry's
    signature in the month."""
    volumes = [c for c in cases if c.kind == VOLUME]
    seen: set[tuple[str, int]] = set()
    for case in sorted(volumes, key=lambda c: (c.opened, c.id)):
        year = year_of(case)
        if year is None:
            if window.contains(case.opened):
                yield _line(
                    case,
                    roles,
                    ONCE_A_YEAR,
                    None,
                    kind="volume_year_missing",
                    zh=f"{case.id} 未记录运量所属年度（year），无法确定报送期限",
                    en=f"{case.id}: the year planned is not recorded; its deadlines cannot be dated",
                    inputs={"year": case.attributes.get("year")},
                )
            continue
        pair = (case.customer, year)
        if case.customer is not None and pair in seen and window.contains(case.opened):
            yield _line(
                case,
                roles,
                ONCE_A_YEAR,
                Decimal(1),
                kind="volume_twice",
                zh=f"{case.id} 客户 {case.customer} 的 {year} 年运量已确定过一次（每年确定一次）",
                en=f"{case.id}: customer {case.customer}'s volume for {year} is fixed a second time "
                f"(once a year)",
                inputs={"year": year},
            )
        if case.customer is not None:
            seen.add(pair)
        yield from _in_force(case, year, window, roles)


def _in_force(case: Case, year: int, window: Window, roles: Mapping[str, str]) -> Iterable[Line]:
    signed = case.step(MINISTRY_SIGNED)
    if not window.contains(signed):
        return
    steps = {name: case.step(name) for name in (SUBMITTED, BUREAU_SIGNED, MINISTRY_SIGNED)}
    missing = [name for name, day in steps.items() if day is None]
    since = None if missing else max(steps.values())
    lacking = ", ".join(missing)
    yield _line(
        case,
        roles,
        ONCE_A_YEAR,
        Decimal(int(not missing)),
        kind="volume_in_force",
        zh=f"{case.id} {year} 年运量：三方签字盖章，自 {since} 生效"
        if since
        else f"{case.id} {year} 年运量：铁道部已签，缺 {'、'.join(missing)}，未生效",
        en=f"{case.id} volume for {year}: signed and sealed by all three, in force from {since}"
        if since
        else f"{case.id} volume for {year}: signed by the ministry without {lacking}; not in force",
        inputs={"year": year, **steps, "missing": missing, "in_force_from": since},
    )


def _line(case: Case, roles, clause: str, figure, *, kind: str, zh: str, en: str, inputs) -> Line:
    return Line(
        case.person,
        roles.get(case.person, ""),
        figure,
        FLAG if kind == "volume_twice" else INFO,
        kind,
        clause,
        zh,
        en,
        {"case": case.id, "case_kind": case.kind, "customer": case.customer, **inputs},
    )
