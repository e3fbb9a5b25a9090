"""The service item (002/ZL 二2; docs/rules.md §16.4): dispensers cleaned (standard 100, 4 each
above it) and barrels delivered (standard 1,000, 2 each above it), weight 80% of the 2,300 bonus.
A shortfall of one standard may be made up by the other's surplus at ``barrels_per_dispenser``;
one not fully made up: no bonus for the item (无此项奖金).

Counted from the assistant's own reports (本岗位提供报告), read as cases [reading, docs/rules.md
§16.5]: a case of kind ``cleaning_case_kind`` or ``delivery_case_kind`` whose person is the
assistant, opened in the month, with a whole ``units`` attribute (how many dispensers or barrels)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from kamkit.explain import INFO, Line
from kamkit.facts import Facts, Person
from kamkit.periods import Month

from .clauses import CLEANING, DELIVERY, RECORDS, SERVICE
from .lines import not_applicable, paid
from .params import ITEM
from .wording import yuan

ZERO = Decimal(0)
UNITS = "units"
CLEAN, DELIVER = "cleaning", "delivery"


@dataclass(frozen=True)
class Counts:
    dispensers: int
    barrels: int
    cleaning_cases: tuple[str, ...]  # the cases counted, by kind
    delivery_cases: tuple[str, ...]
    invalid: tuple[str, ...]  # cases of the two kinds whose units are missing or not a whole number >= 0

    @property
    def cases(self) -> tuple[str, ...]:
        return self.cleaning_cases + self.delivery_cases


def units_of(value) -> int | None:
    """A case's units: a whole number >= 0 (a Decimal from the facts file), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return None
    if value < 0 or value != int(value):
        return None
    return int(value)


def counts(facts: Facts, person: Person, month: Month, p) -> Counts:
    kinds = {p["cleaning_case_kind"]: CLEAN, p["delivery_case_kind"]: DELIVER}
    totals = {CLEAN: 0, DELIVER: 0}
    counted: dict[str, list[str]] = {CLEAN: [], DELIVER: []}
    invalid = []
    for case in sorted(facts.cases, key=lambda c: c.id):
        if case.person != person.id or case.kind not in kinds or not month.contains(case.opened):
            continue
        units = units_of(case.attributes.get(UNITS))
        if units is None:
            invalid.append(case.id)
            continue
        totals[kinds[case.kind]] += units
        counted[kinds[case.kind]].append(case.id)
    return Counts(
        totals[CLEAN], totals[DELIVER], tuple(counted[CLEAN]), tuple(counted[DELIVER]), tuple(invalid)
    )


def _ceil(x: Decimal) -> int:
    """Whole units: part of a dispenser or a barrel used to make up a shortfall is used whole."""
    whole = int(x)
    return whole + (whole < x)


@dataclass(frozen=True)
class Outcome:
    """How the month's counts meet the two standards."""

    dispensers: int
    barrels: int
    cleaning_met: bool  # by its own count or by a complete offset
    delivery_met: bool
    offset: str  # none | barrels_for_dispensers | dispensers_for_barrels | failed | both_short
    needed: int  # units of the other kind a shortfall needs (0: none)
    used_dispensers: int  # surplus dispensers spent on the barrels' shortfall
    used_barrels: int  # surplus barrels spent on the dispensers' shortfall
    cleaning_extra_units: int
    delivery_extra_units: int

    def inputs(self) -> dict:
        return dict(self.__dict__)


def outcome(dispensers: int, barrels: int, p) -> Outcome:
    s1, s2, rate = p["cleaning_standard"], p["delivery_standard"], p["barrels_per_dispenser"]
    surplus1, surplus2 = max(dispensers - s1, 0), max(barrels - s2, 0)
    short1, short2 = max(s1 - dispensers, 0), max(s2 - barrels, 0)
    met1, met2 = short1 == 0, short2 == 0
    offset, needed, used1, used2 = "none", 0, 0, 0
    if short1 and short2:
        offset = "both_short"  # no surplus on either side to offset with
    elif short1:
        needed = _ceil(short1 * rate)  # barrels that make up the missing dispensers
        if surplus2 >= needed:
            offset, used2, met1 = "barrels_for_dispensers", needed, True
        else:
            offset, used2 = "failed", 0 if p["failed_offset_keeps_extras"] else surplus2
    elif short2:
        needed = _ceil(short2 / rate)  # dispensers that make up the missing barrels
        if surplus1 >= needed:
            offset, used1, met2 = "dispensers_for_barrels", needed, True
        else:
            offset, used1 = "failed", 0 if p["failed_offset_keeps_extras"] else surplus1
    earn = p["offset_units_earn_extra"]
    return Outcome(
        dispensers,
        barrels,
        met1,
        met2,
        offset,
        needed,
        used1,
        used2,
        surplus1 - (0 if earn else used1),
        surplus2 - (0 if earn else used2),
    )


OFFSET_SAID = {
    "none": ("两项均达标", "both standards met"),
    "both_short": ("两项均未达标，无可抵消", "both standards short: nothing to offset with"),
    "barrels_for_dispensers": ("洗机不足，以送水量抵消", "dispensers short, made up by barrels"),
    "dispensers_for_barrels": ("送水不足，以洗机量抵消", "barrels short, made up by dispensers"),
    "failed": ("不足部分不能完全抵消", "the shortfall cannot be fully offset"),
}


def _counted(o: Outcome, p) -> tuple[str, str]:
    return (
        f"洗机 {o.dispensers}/{p['cleaning_standard']} 台，送水 {o.barrels}/{p['delivery_standard']} 桶",
        f"{o.dispensers}/{p['cleaning_standard']} dispensers cleaned, {o.barrels}/{p['delivery_standard']} "
        f"barrels delivered",
    )


def bonus_line(person: Person, month: Month, o: Outcome, inputs: dict, p) -> Line:
    share = p["performance_bonus"] * p["service_weight"]
    if p["service_forfeit"] == ITEM:
        pay = share if o.cleaning_met and o.delivery_met else ZERO
    else:  # each standard carries half the share and forfeits only its own
        pay = share / 2 * (o.cleaning_met + o.delivery_met)
    zh, en = _counted(o, p)
    how_zh, how_en = OFFSET_SAID[o.offset]
    if o.offset in ("barrels_for_dispensers", "dispensers_for_barrels"):
        used = f"{o.used_barrels} 桶" if o.used_barrels else f"{o.used_dispensers} 台"
        used_en = f"{o.used_barrels} barrel(s)" if o.used_barrels else f"{o.used_dispensers} dispenser(s)"
        how_zh += f"（用去 {used}，1 台 = {p['barrels_per_dispenser']} 桶）"
        how_en += f" ({used_en} used, 1 dispenser = {p['barrels_per_dispenser']} barrels)"
    elif o.offset == "failed":
        how_zh += f"（需 {o.needed}，1 台 = {p['barrels_per_dispenser']} 桶）"
        how_en += f" ({o.needed} needed, 1 dispenser = {p['barrels_per_dispenser']} barrels)"
    verdict = (
        (f"服务完成率奖 {yuan(pay)} 元", f"service bonus {yuan(pay)}")
        if pay
        else ("无此项奖金", "no service bonus")
    )
    return paid(
        person,
        month,
        "service_bonus",
        SERVICE,
        pay,
        (f"{verdict[0]}：{zh}，{how_zh}", f"{verdict[1]}: {en}; {how_en}"),
        {**inputs, "share": share, "forfeit": p["service_forfeit"], "rater_role": "marketing_manager"},
    )


@dataclass(frozen=True)
class Standard:
    """One of the two standards of row 2, for its extra-pay line."""

    clause: str
    count: int  # units done in the month
    standard: int
    extra_units: int  # units that earn the extra
    used: int  # surplus units spent making up the other standard
    rate: Decimal  # extra pay per unit
    unit: tuple[str, str]  # (zh, en)

    @property
    def surplus(self) -> int:
        return max(self.count - self.standard, 0)


def standards(o: Outcome, p) -> tuple[Standard, Standard]:
    """(cleaning, delivery)."""
    return (
        Standard(
            CLEANING,
            o.dispensers,
            p["cleaning_standard"],
            o.cleaning_extra_units,
            o.used_dispensers,
            p["cleaning_extra_pay"],
            ("台", "dispensers"),
        ),
        Standard(
            DELIVERY,
            o.barrels,
            p["delivery_standard"],
            o.delivery_extra_units,
            o.used_barrels,
            p["delivery_extra_pay"],
            ("桶", "barrels"),
        ),
    )


def extra_line(person: Person, month: Month, kind: str, s: Standard, inputs: dict) -> Line:
    """Extra pay for the units above the standard (额外计算薪资), paid on top of the 2,300
    [reading]; units spent on an offset earn it only where ``offset_units_earn_extra``."""
    pay = s.extra_units * s.rate
    zh, en = s.unit
    spent = s.used and s.extra_units < s.surplus
    spent_zh = f"（其中 {s.used} {zh}已用于抵消，不另计）" if spent else ""
    spent_en = f" ({s.used} used to offset, earning no extra)" if spent else ""
    return paid(
        person,
        month,
        kind,
        s.clause,
        pay,
        (
            f"超标准额外薪资：{s.count} {zh}，超出 {s.standard} {zh}{spent_zh}计 {s.extra_units} {zh} "
            f"× {yuan(s.rate)} 元 = {yuan(pay)} 元",
            f"extra pay: {s.count} {en}, above {s.standard}{spent_en}: {s.extra_units} x {yuan(s.rate)} "
            f"= {yuan(pay)}",
        ),
        {**inputs, "extra_units": s.extra_units, "per_unit": s.rate},
    )


def service_lines(facts: Facts, person: Person, month: Month, p) -> list[Line]:
    """The service bonus and the two extras, or — when a case's units cannot be read — why none of
    the three is computed (a count without that case would underpay, silently)."""
    c = counts(facts, person, month, p)
    if c.invalid:
        said = (
            f"报告 {', '.join(c.invalid)} 的数量（units）缺失或不是非负整数",
            f"case {', '.join(c.invalid)} has no whole, non-negative units",
        )
        return [
            not_applicable(
                person,
                month,
                part,
                RECORDS,
                (f"{name}：{said[0]}", f"{name_en}: {said[1]}"),
                {"invalid_cases": list(c.invalid)},
            )
            for part, name, name_en in (
                ("service_bonus", "服务完成率奖", "service bonus"),
                ("cleaning_extra", "洗机额外薪资", "cleaning extra"),
                ("delivery_extra", "送水额外薪资", "delivery extra"),
            )
        ]
    o = outcome(c.dispensers, c.barrels, p)
    inputs = {
        **o.inputs(),
        "cases": list(c.cases),
        "cleaning_standard": p["cleaning_standard"],
        "delivery_standard": p["delivery_standard"],
        "barrels_per_dispenser": p["barrels_per_dispenser"],
    }
    cleaning, delivery = standards(o, p)
    return [
        bonus_line(person, month, o, inputs, p),
        extra_line(person, month, "cleaning_extra", cleaning, inputs),
        extra_line(person, month, "delivery_extra", delivery, inputs),
    ]


@dataclass(frozen=True)
class Tally:
    """One count of the assessment sheet: what was done against its standard."""

    clause: str
    count: int
    standard: int
    cases: tuple[str, ...]
    name: tuple[str, str]  # (zh, en)


def tally_line(person: Person, month: Month, kind: str, t: Tally, invalid: tuple[str, ...]) -> Line:
    bad = ", ".join(invalid)
    if invalid:
        figure, zh, en = (
            None,
            f"—：报告 {bad} 数量无效，不适用",
            f"-: case {bad} has invalid units, not applicable",
        )
    else:
        figure, zh, en = Decimal(t.count), str(t.count), str(t.count)
    return Line(
        person.id,
        person.role,
        figure,
        INFO,
        kind,
        t.clause,
        f"{month} {t.name[0]} {zh}（标准 {t.standard}）",
        f"{month}: {t.name[1]} {en} (standard {t.standard})",
        {
            "month": month,
            "count": t.count,
            "standard": t.standard,
            "cases": list(t.cases),
            "invalid_cases": list(invalid),
        },
    )


def sheet_lines(facts: Facts, person: Person, month: Month, p) -> list[Line]:
    """The month's counts against their standards, on the assessment sheet; None (not applicable)
    while a case's units cannot be read."""
    c = counts(facts, person, month, p)
    cleaning = Tally(
        CLEANING, c.dispensers, p["cleaning_standard"], c.cleaning_cases, ("清洗饮水机", "dispensers cleaned")
    )
    delivery = Tally(
        DELIVERY, c.barrels, p["delivery_standard"], c.delivery_cases, ("送水", "barrels delivered")
    )
    return [
        tally_line(person, month, "dispensers_cleaned", cleaning, c.invalid),
        tally_line(person, month, "barrels_delivered", delivery, c.invalid),
    ]
