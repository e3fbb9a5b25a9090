"""Weighted scorecards: items with full marks and score rules, measured from the records or rated
by managers, the person and customers inside an assessment window (docs/rules.md §10.4).

A plugin declares a ``Form``: its ``Item``s, each either *measured* (a function of the period's
activity gives the value its score rule scores) or *rated* (the raters' points, kamkit.facts
Appraisal records). A rated item's points are each rater kind's mean, weighted by ``rater_weights``
among the kinds that rated it (a kind that did not rate leaves its weight to the others); an
appraisal submitted outside the window (days ``window_first_day``..``window_last_day`` of the month
after the period) is not counted, and the sheet says so. An item with nothing to score (no plan, no
rating) is *not scored*: its line says why and the total is stated out of the items scored — never
a silent 0 or a silent full mark.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from .activity import Activity, Window
from .explain import INFO, Line
from .facts import Facts, Person
from .scoring import Scored, shown
from .work_records import Appraisal

ZERO = Decimal(0)
ITEM_KIND, TOTAL_KIND, LATE_KIND = "appraisal_item", "appraisal_total", "appraisal_late"
MEASURED, RATED = "measured", "rated"


@dataclass(frozen=True)
class Value:
    """What a measured item counted: the value its rule scores (None: nothing to score) and why."""

    value: Decimal | None
    inputs: Mapping[str, Any]
    why: str = ""  # why there is nothing to score


@dataclass(frozen=True)
class Item:
    key: str
    zh: str
    en: str
    group: str  # the form's group: performance, ability, attitude
    clause: str
    source: str  # measured | rated
    rule: Callable[[Mapping[str, Any]], Any]  # params -> the item's score rule (kamkit.scoring)
    measure: Callable[[Activity, Person, Mapping[str, Any]], Value] | None = None


@dataclass(frozen=True)
class Form:
    key: str
    zh: str
    en: str
    clause: str  # the form's own clause (the total, the window)
    items: tuple[Item, ...]


def window_of(period: Window, params: Mapping[str, Any]) -> tuple[date, date]:
    """The assessment window: days first..last of the month after the period (a quarter's in the
    next quarter's first month; a year's in January)."""
    after = period.months[-1].next()
    return (
        date(after.year, after.month, int(params["window_first_day"])),
        date(after.year, after.month, int(params["window_last_day"])),
    )


@dataclass(frozen=True)
class RatedPoints:
    points: Decimal | None
    by_kind: Mapping[str, Decimal]  # each rater kind's mean
    weights: Mapping[str, Decimal]  # the weights used (renormalised over the kinds present)
    counted: int
    late: tuple[str, ...]  # appraisals outside the window


def rated(item: Item, appraisals: Sequence[Appraisal], params: Mapping[str, Any], window) -> RatedPoints:
    first, last = window
    weights_all = {k: Decimal(str(v)) for k, v in params["rater_weights"].items()}
    points: dict[str, list[Decimal]] = {}
    late = []
    for a in appraisals:
        if item.key not in a.items:
            continue
        if not first <= a.submitted <= last:
            late.append(a.id)
            continue
        points.setdefault(a.rater_kind, []).append(a.items[item.key])
    means = {k: sum(v, ZERO) / len(v) for k, v in points.items() if weights_all.get(k, ZERO) > 0}
    total_weight = sum((weights_all[k] for k in means), ZERO)
    if not means or total_weight == 0:
        return RatedPoints(None, means, {}, 0, tuple(late))
    weights = {k: weights_all[k] / total_weight for k in means}
    # one division, at the end: the weighted sum over the weights present
    value = sum((means[k] * weights_all[k] for k in means), ZERO) / total_weight
    return RatedPoints(value, means, weights, sum(len(v) for v in points.values()), tuple(late))


def form_lines(
    form: Form, facts: Facts, period: Window, params: Mapping[str, Any], people: Iterable[Person]
) -> list[Line]:
    """Every person's items and total for the period, in person order then item order."""
    activity = Activity.indexed(facts, period)
    window = window_of(period, params)
    by_person: dict[str, list[Appraisal]] = {}
    for a in facts.appraisals:
        if a.period == period.label:
            by_person.setdefault(a.person, []).append(a)
    out: list[Line] = []
    for person in sorted(people, key=lambda p: p.id):
        mine = by_person.get(person.id, [])
        scored_total, full_total, unscored = ZERO, ZERO, []
        late: set[str] = set()
        for item in form.items:
            line, full = _item_line(item, person, activity, params, mine, window, period)
            out.append(line)
            late.update(line.inputs.get("late_appraisals") or ())
            if line.figure is None:
                unscored.append(item.key)
            else:
                scored_total += line.figure
                full_total += full
        out.append(
            _total_line(form, person, period, scored_total, full_total, unscored, window, sorted(late))
        )
    return out


def _item_line(item, person, activity, params, mine, window, period) -> tuple[Line, Decimal]:
    rule = item.rule(params)
    full = rule.full
    base = {
        "period": period.label,
        "item": item.key,
        "group": item.group,
        "source": item.source,
        "full": full,
    }
    if item.source == MEASURED:
        value = item.measure(activity, person, params)
        if value.value is None:
            scored = Scored(None, {}, f"不计分：{value.why}", f"not scored: {value.why}")
        else:
            scored = rule.score(value.value)
        inputs = {**base, **value.inputs, **scored.inputs}
    else:
        got = rated(item, mine, params, window)
        if got.points is None:
            outside_zh = f"（期外 {len(got.late)} 份）" if got.late else ""
            outside_en = f" ({len(got.late)} outside it)" if got.late else ""
            scored = Scored(
                None,
                {},
                f"不计分：评估期内无评分{outside_zh}",
                f"not scored: no rating in the window{outside_en}",
            )
        else:
            scored = rule.score(got.points)
        inputs = {
            **base,
            **scored.inputs,
            "by_rater": dict(got.by_kind),
            "weights": dict(got.weights),
            "ratings": got.counted,
            "late_appraisals": list(got.late),
            "window": [window[0], window[1]],
        }
    line = Line(
        person.id,
        person.role,
        scored.points,
        INFO,
        ITEM_KIND,
        item.clause,
        f"{item.zh}（{period.label}）：{scored.reason_zh}",
        f"{item.en} ({period.label}): {scored.reason_en}",
        inputs,
    )
    return line, full


def _total_line(form, person, period, total, full, unscored, window, late) -> Line:
    more_zh = f"；未计分项目：{'、'.join(unscored)}" if unscored else ""
    more_en = f"; not scored: {', '.join(unscored)}" if unscored else ""
    return Line(
        person.id,
        person.role,
        total if full else None,
        INFO,
        TOTAL_KIND,
        form.clause,
        f"{form.zh}（{period.label}）：{_n(total)} 分，满分 {_n(full)}（已计分项目）{more_zh}",
        f"{form.en} ({period.label}): {_n(total)} of {_n(full)} (items scored){more_en}",
        {
            "period": period.label,
            "total": total,
            "full_of_scored": full,
            "not_scored": unscored,
            "window": [window[0], window[1]],
            "late_appraisals": late,
        },
    )


def _n(value: Decimal) -> str:
    return shown(value)
