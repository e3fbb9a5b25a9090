"""The sales target in force for a person and a period (001 §2.2 第3、5、6条; docs/rules.md §7).

The department manager sets targets (第3条), which may differ by region and product (第5条); a
change during a period counts only once a department manager approves it, otherwise the normal
target stands (第6条). A target or an approved change is set *from* a period — a month, a quarter
or a year — and stays in force for the later periods of that length until another is set from a
later one. For one person, period and (region, product) the entry set from the latest period
wins; set from the same period, the later one (a change approved after the target was set).

A person's targets by region or product are parts: without a target for the whole, the parts
add up to it; with one, the whole is that target and the parts are shown beside it [reading,
docs/rules.md §7]. With no target record at all, the person's own field (``monthly_task``,
``quarterly_target``: the initial target) stands, then the line's default.

Pure: the facts hold the approved changes the caller counts (the services leave out one approved
after the period first closed, docs/rules.md §7).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from typing import Any, NamedTuple

from . import facts as F
from .activity import Window
from .explain import INFO, Line
from .periods import Month, Quarter
from .plugin import Clause

TARGET, CHANGE, PARTS, PERSON, LINE, NONE = "target", "change", "parts", "person", "line", "none"


@dataclass(frozen=True)
class Entry:
    """A target or an approved change, as one candidate for the target in force."""

    kind: str  # target | change
    id: str
    length: str  # month | quarter | year
    period: str  # the period it is set from
    start: Any  # that period's first day
    stamp: datetime  # when it was set or approved: the later of two from one period wins
    amount: Decimal
    region: str | None
    product: str | None
    by: str | None  # set by / approved by
    requested_by: str | None = None
    reason: str = ""

    def inputs(self) -> dict[str, Any]:
        out = {"kind": self.kind, "id": self.id, "from": self.period, "amount": self.amount}
        if self.region or self.product:
            out.update(region=self.region, product=self.product)
        if self.kind == CHANGE:
            out.update(
                requested_by=self.requested_by,
                reason=self.reason,
                approved_by=self.by,
                approved_at=self.stamp,
            )
        else:
            out["set_by"] = self.by
        return out


@dataclass(frozen=True)
class InForce:
    """A person's target for a period and where it comes from."""

    amount: Decimal | None  # None: nothing sets one
    source: str  # target | change | parts (their sum) | person (their own field) | line | none
    entry: Entry | None = None  # the whole's target or change (None: from parts or a field)
    parts: tuple[Entry, ...] = ()  # by region or product

    def inputs(self) -> dict[str, Any]:
        """What a line shows of the target: its figure, source, who set or approved it, parts."""
        out: dict[str, Any] = {"amount": self.amount, "source": self.source}
        if self.entry is not None:
            out.update(self.entry.inputs())
        if self.parts:
            out["parts"] = [p.inputs() for p in self.parts]
        return out


def _stamp(day) -> datetime:
    return datetime.combine(day, time.min) if day is not None else datetime.min


def _entries(facts: F.Facts) -> dict[str | None, list[Entry]]:
    """Every target and approved change by person, parsed once a facts bundle."""
    held = facts.__dict__.get("_target_entries")
    if held is not None:
        return held
    out: dict[str | None, list[Entry]] = defaultdict(list)
    for t in facts.targets:
        w = Window.parse(t.period)
        out[t.person].append(
            Entry(
                kind=TARGET,
                id=t.id,
                length=w.kind,
                period=w.label,
                start=w.first,
                stamp=_stamp(t.set_on),
                amount=t.amount,
                region=t.region,
                product=t.product,
                by=t.set_by,
            )
        )
    for c in facts.target_changes:
        if c.status != F.APPROVED:
            continue  # pending or rejected: the target before it stands (第6条)
        w = Window.parse(c.period)
        out[c.person].append(
            Entry(
                kind=CHANGE,
                id=c.id,
                length=w.kind,
                period=w.label,
                start=w.first,
                stamp=c.decided_at or datetime.min,
                amount=c.amount,
                region=c.region,
                product=c.product,
                by=c.decided_by,
                requested_by=c.requested_by,
                reason=c.reason,
            )
        )
    facts.__dict__["_target_entries"] = dict(out)
    return facts.__dict__["_target_entries"]


def _order(e: Entry) -> tuple:
    """Later wins: set from a later period, then set or approved later, then a change."""
    return (e.start, e.stamp, e.kind == CHANGE)


def in_force(
    facts: F.Facts,
    person: str | None,
    period: Month | Quarter | int | Window,
    *,
    initial: Decimal | None = None,
    default: Decimal | None = None,
) -> InForce:
    """The target of ``person`` (None: the department) for ``period``: from its target records and
    approved changes, else ``initial`` (the person's own field), else ``default`` (the line's)."""
    window = period if isinstance(period, Window) else Window.of(period)
    latest: dict[tuple[str | None, str | None], Entry] = {}
    for e in _entries(facts).get(person, ()):
        if e.length != window.kind or e.start > window.first:
            continue
        key = (e.region, e.product)
        held = latest.get(key)
        if held is None or (e.start, e.stamp, e.kind == CHANGE) > (
            held.start,
            held.stamp,
            held.kind == CHANGE,
        ):
            latest[key] = e
    if latest:
        whole = latest.pop((None, None), None)
        parts = tuple(sorted(latest.values(), key=lambda e: (e.region or "", e.product or "")))
        if whole is not None:
            return InForce(whole.amount, whole.kind, whole, parts)
        return InForce(sum((p.amount for p in parts), Decimal(0)), PARTS, None, parts)
    if initial is not None:
        return InForce(Decimal(initial), PERSON)
    if default is not None:
        return InForce(Decimal(default), LINE)
    return InForce(None, NONE)


def quarterly_target(facts: F.Facts, person: F.Person, quarter: Quarter, default=None) -> InForce:
    return in_force(facts, person.id, quarter, initial=person.quarterly_target, default=default)


def monthly_task(facts: F.Facts, person: F.Person, month: Month, default=None) -> InForce:
    return in_force(facts, person.id, month, initial=person.monthly_task, default=default)


CLAUSE = "001 §2.2 第3、5、6条"  # set by the department manager, by region and product; changes approved
KIND = "target"


class Said(NamedTuple):
    zh: str
    en: str


def described(target: InForce) -> Said:
    """Where a target in force comes from, as a statement says it."""
    e = target.entry
    if target.source == TARGET and e is not None:
        return Said(
            f"目标 {e.id}（{e.period} 起，{e.by or '未记录'} 设定）",
            f"target {e.id} from {e.period}, set by {e.by or 'unrecorded'}",
        )
    if target.source == CHANGE and e is not None:
        day, asker = f"{e.stamp:%Y-%m-%d}", e.requested_by or "未记录"
        return Said(
            f"调整 {e.id}（{e.period} 起，{asker} 申请，{e.by} 于 {day} 批准：{e.reason}）",
            f"change {e.id} from {e.period}, asked by {e.requested_by or 'unrecorded'}, approved by {e.by} "
            f"on {day}: {e.reason}",
        )
    if target.source == PARTS:
        ids = "、".join(p.id for p in target.parts)
        return Said(
            f"分区域/产品目标之和（{ids}）",
            f"sum of the targets by region or product ({', '.join(p.id for p in target.parts)})",
        )
    if target.source == PERSON:
        return Said("人员档案中的初始目标", "the initial target on the person's record")
    if target.source == LINE:
        return Said("本条线默认目标", "the line's default")
    return Said("未设目标", "no target set")


def target_line(person: str, role: str, target: InForce, period: str) -> Line:
    """An INFO line showing the target a period is measured against and where it comes from."""
    said = described(target)
    amount = "—" if target.amount is None else str(target.amount)
    return Line(
        person,
        role,
        target.amount,
        INFO,
        KIND,
        CLAUSE,
        f"{period} 目标 {amount}：{said.zh}",
        f"{period} target {amount}: {said.en}",
        {"period": period, **target.inputs()},
    )


TARGET_CLAUSES = {
    CLAUSE: Clause(
        "7",
        "Sales targets set by the department manager, by period, region and product; a change "
        "inside a period counts once another manager approves it.",
    )
}
