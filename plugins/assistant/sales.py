"""The sales item (002/ZL 二1; docs/rules.md §16.3): M = actual sales / the month's target, weight
20% of the 2,300 bonus; below 80% nothing, 80%-100% the share x M, above 100% the share."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from kamkit.explain import INFO, Line
from kamkit.facts import Facts, Person
from kamkit.periods import Month
from kamkit.targets import NONE, PARTS, InForce, in_force, monthly_task, target_line

from .clauses import SALES
from .lines import not_applicable, paid
from .params import REGION
from .wording import percent, yuan

ZERO = Decimal(0)


def region_target(facts: Facts, region: str, month: Month) -> InForce:
    """The region's target for the month: the department's monthly target for that region (a
    target record with no person and ``region`` = the branch, docs/rules.md §7); without one for
    the whole region, its products' targets added up; without either, none."""
    department = in_force(facts, None, month)
    own = [e for e in department.parts if e.region == region]
    whole = next((e for e in own if e.product is None), None)
    if whole is not None:
        return InForce(whole.amount, whole.kind, whole)
    if own:
        return InForce(sum((e.amount for e in own), ZERO), PARTS, None, tuple(own))
    return InForce(None, NONE)


@dataclass(frozen=True)
class Measure:
    """What M is computed from, or why it cannot be."""

    scope: str  # region | person
    region: str | None
    target: InForce
    actual: Decimal
    deals: tuple[str, ...]
    sellers: tuple[str, ...]
    why_not: tuple[str, str] | None = None  # (zh, en): not applicable

    @property
    def completion(self) -> Decimal | None:
        return None if self.why_not else self.actual / self.target.amount

    def inputs(self) -> dict:
        return {
            "measured_for": self.scope,
            "region": self.region,
            "actual": self.actual,
            "target": self.target.amount,
            "target_source": self.target.source,
            "deals": list(self.deals),
            "sellers": list(self.sellers),
        }


def measure(facts: Facts, person: Person, month: Month, p) -> Measure:
    """The month's sales against the month's target, for the region (the people of the assistant's
    branch) or the person, as ``sales_measured_for`` reads it. Agents' deals name no person of a
    branch and are left out of a region's sales."""
    region = person.branch if p["sales_measured_for"] == REGION else None
    if p["sales_measured_for"] == REGION:
        if region is None:
            return Measure(
                REGION,
                None,
                InForce(None, NONE),
                ZERO,
                (),
                (),
                ("无所属片区，区域销售无从计算", "the assistant has no branch: no region to measure"),
            )
        sellers = tuple(sorted(x.id for x in facts.people if x.branch == region))
        target = region_target(facts, region, month)
    else:
        sellers = (person.id,)
        target = monthly_task(facts, person, month)
    chosen = set(sellers)
    deals = sorted(
        (d for d in facts.deals if not d.agent and d.seller in chosen and month.contains(d.date)),
        key=lambda d: d.id,
    )
    actual = sum((d.deal_price for d in deals), ZERO)
    why_not = None
    if target.amount is None or target.amount <= 0:  # a ratio over nothing: not applicable, never 0%
        why_not = ("本月无销售考核指标", "no sales target for the month")
    return Measure(
        p["sales_measured_for"], region, target, actual, tuple(d.id for d in deals), sellers, why_not
    )


def sheet_lines(facts: Facts, person: Person, month: Month, p) -> list[Line]:
    """The month's target and M, on the assessment sheet."""
    m = measure(facts, person, month, p)
    scope = ("片区", "region") if m.scope == REGION else ("个人", "own")
    if m.why_not:
        said = (
            f"{month} 销售指标完成率 M：{m.why_not[0]}，不适用",
            f"{month}: sales completion M: {m.why_not[1]}",
        )
    else:
        said = (
            f"{month} {scope[0]}销售 {yuan(m.actual)} / 考核指标 {yuan(m.target.amount)} = "
            f"{percent(m.completion)}",
            f"{month}: {scope[1]} sales {yuan(m.actual)} / target {yuan(m.target.amount)} = "
            f"{percent(m.completion)}",
        )
    completion = Line(
        person.id,
        person.role,
        m.completion,
        INFO,
        "sales_completion",
        SALES,
        said[0],
        said[1],
        {"month": month, **m.inputs()},
    )
    return [target_line(person.id, person.role, m.target, str(month)), completion]


def sales_line(facts: Facts, person: Person, month: Month, p) -> Line:
    """The month's sales bonus, or why the item is not applicable."""
    m = measure(facts, person, month, p)
    if m.why_not:
        return not_applicable(
            person,
            month,
            "sales_bonus",
            SALES,
            (f"销售指标奖：{m.why_not[0]}", f"sales bonus: {m.why_not[1]}"),
            m.inputs(),
        )
    share = p["performance_bonus"] * p["sales_weight"]
    actual, target = m.actual, m.target.amount
    floor, cap = p["sales_floor"], p["sales_cap"]
    rate = f"M = {yuan(actual)} / {yuan(target)} = {percent(m.completion)}"
    # compared as amounts (actual against floor x target), not through the divided M
    if actual < floor * target:
        pay, said = (
            ZERO,
            (
                f"销售指标奖：{rate}，低于 {percent(floor)}，无此项奖金",
                f"sales bonus: {rate}, below {percent(floor)}: none",
            ),
        )
    elif not p["sales_at_actual_rate"]:
        pay, said = (
            share,
            (
                f"销售指标奖 {yuan(share)} 元：{rate}，达 {percent(floor)}，全额",
                f"sales bonus {yuan(share)}: {rate} reaches {percent(floor)}: in full",
            ),
        )
    elif actual > cap * target:
        pay = share * cap
        said = (
            f"销售指标奖 {yuan(pay)} 元：{rate}，超过 {percent(cap)} 按 {percent(cap)} 计："
            f"{yuan(share)} × {percent(cap)}",
            f"sales bonus {yuan(pay)}: {rate}, above {percent(cap)} counted as {percent(cap)}: "
            f"{yuan(share)} x {percent(cap)}",
        )
    else:
        pay = share * actual / target
        said = (
            f"销售指标奖 {yuan(pay)} 元：{rate}，按实际完成率：{yuan(share)} × M",
            f"sales bonus {yuan(pay)}: {rate}, at the actual rate: {yuan(share)} x M",
        )
    return paid(
        person,
        month,
        "sales_bonus",
        SALES,
        pay,
        said,
        {
            **m.inputs(),
            "completion": m.completion,
            "share": share,
            "floor": floor,
            "cap": cap,
            "at_actual_rate": p["sales_at_actual_rate"],
            "rater_role": "marketing_manager",
        },
    )
