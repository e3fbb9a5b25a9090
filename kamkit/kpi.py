"""KPI: the seed 003 §十一 scoring sheet and the weighted KPI coefficient (docs/rules.md §4, §2.3.3).

Pure functions shared by every plugin that scales a bonus by a KPI coefficient. A rating is
either a 0-100 score given by a rater or a filled-in §4 sheet (kamkit.facts.Scorecard) that is
scored here. The person's KPI score is the weighted mean of their raters' scores (weights per
rater role, docs/rules.md §2.3.3); the coefficient is score / divisor (100) [default mapping]. The §4
sheet's full mark is 90 (its printed items add up to 90): a sheet's score is scaled to 100 (x 100 /
90) before it is weighted with the raters' 0-100 scores, so a coefficient divides it by its full mark.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any, NamedTuple

from .activity import Activity, Window
from .explain import INFO, Line
from .facts import Facts, KpiRating, Scorecard
from .money import report
from .params import Param
from .plugin import Clause
from .scorecard import Measured, measure

SHEET = "003 §十一"
WEIGHTS = "002/KAD §三3"  # 大客户部考核办法 §三3: KPI考核 部门经理50%, 销售管理20%, 销售总监30%

KPI_CLAUSES = {
    SHEET: Clause(
        "4",
        "Account-manager KPI sheet (full mark 90): sales completion, complaint speed, "
        "collection rate, big customers, relationship, attendance, service, "
        "and rater-scored qualitative items.",
    ),
    WEIGHTS: Clause(
        "2.3",
        "KPI score = weighted rater scores (dept manager 50%, sales management "
        "20%, sales director 30%); coefficient = score / 100; paid bonus scales "
        "with the coefficient.",
    ),
}

# The sheet's constants, one map so an organisation can re-weight a row without code.
_SHEET_DEFAULTS = {
    "sales_max": Decimal(15),
    "sales_standard": Decimal("0.9"),
    "sales_points_per_pct": Decimal(1),
    "complaint_max": Decimal(10),
    "complaint_hours_limit": Decimal(24),
    "collection_max": Decimal(15),
    "collection_step": Decimal("0.1"),
    "collection_step_points": Decimal("1.5"),
    "big_customer_max": Decimal(10),
    "upgraded_points": Decimal(2),
    "new_big_points": Decimal(3),
    "relationship_max": Decimal(10),
    "lost_customer_points": Decimal(5),
    "attendance_max": Decimal(5),
    "late_points": Decimal(2),
    "late_zero_from": Decimal(3),
    "service_max": Decimal(5),
    "complaint_points": Decimal(2),
    "qualitative_max": Decimal(5),
    "featured_service_points": Decimal(2),
    "sheet_max": Decimal(90),
    "full_mark": Decimal(90),
}

KPI_PARAMS = (
    Param(
        "kpi_weights",
        {"deputy_manager": Decimal("0.5"), "city_admin": Decimal("0.2"), "branch_manager": Decimal("0.3")},
        "map",
        WEIGHTS,
        "Weight of each rater role's 0-100 score in the KPI score (dept manager 50%, sales "
        "management 20%, sales director 30%). Missing raters: the present weights are "
        "re-normalised [reading].",
        "seed",
    ),
    Param(
        "kpi_divisor",
        Decimal(100),
        "ratio",
        WEIGHTS,
        "KPI coefficient = KPI score / this divisor.",
        "default",
        positive=True,  # the score is divided by it: 0 was a DivisionByZero in the middle of a run
    ),
    Param(
        "kpi_coefficient_unrated",
        Decimal(1),
        "ratio",
        WEIGHTS,
        "Coefficient of a person nobody rated in the period (no rating is not a zero).",
        "default",
    ),
    Param(
        "kpi_sheet",
        _SHEET_DEFAULTS,
        "map",
        SHEET,
        "Constants of the §4 sheet: item maxima, the 90% sales standard and +/-1 point per "
        "full 1% (truncated), the collection rate's 1.5 points per full 10% short [reading], "
        "big-customer +2/+3 capped at 10, -5 per lost customer, attendance -2 per late "
        "arrival with 3 or more giving 0, -2 per complaint, qualitative items capped at 5; the "
        "sheet's full mark is 90 (the printed items add up to 90): its score is capped there and "
        "scaled to 100 (x 100 / full_mark) before weighting [reading: sales above standard may "
        "add points beyond 15]; innovation +2 per featured service introduced, capped at 5.",
        "reading",
    ),
    Param(
        "kpi_measured_from",
        "records",
        "text",
        SHEET,
        "Where the sheet's measured items come from: 'records' (counted from the period's customers, "
        "complaints, deals, collections, attendance and featured services) or 'typed' (the values "
        "a rater typed on the sheet, for facts from before the records were kept).",
        "default",
    ),
    Param(
        "absence_counts_as_late",
        True,
        "bool",
        SHEET,
        "An absence without leave counts as a late arrival on the attendance item (the seed docks "
        "late arrivals and gives full marks only at 100% attendance).",
        "reading",
    ),
)


def _clamp(value: Decimal, low: Decimal, high: Decimal | None = None) -> Decimal:
    value = max(low, value)
    return value if high is None else min(high, value)


def _full_steps(amount: Decimal, step: Decimal) -> Decimal:
    """Whole steps of `step` contained in `amount` (truncated toward zero)."""
    return (amount / step).to_integral_value(rounding=ROUND_DOWN)


class SheetScore(NamedTuple):
    total: Decimal  # capped at the sheet's maximum
    items: dict[str, Decimal]  # points per item
    measured: dict[str, Any]  # the measured value each item was scored on (None: not applicable)


# The values a typed sheet had before measured items were counted: a blank item was at standard.
_TYPED_DEFAULTS = {
    "sales_completion": Decimal("0.9"),
    "complaint_hours": Decimal(0),
    "collection_rate": Decimal(1),
    "upgraded_customers": 0,
    "new_big_customers": 0,
    "lost_big_customers": 0,
    "late_arrivals": 0,
    "complaints": 0,
}


def _typed(card: Scorecard, name: str):
    value = getattr(card, name)
    return _TYPED_DEFAULTS[name] if value is None else value


def scorecard_score(
    card: Scorecard, params: Mapping[str, Any], measured: Measured | None = None
) -> SheetScore:
    """Score a §4 sheet: its rated items from ``card``, its measured items from ``measured``
    (counted from the records) or, without it, as typed on the card."""
    s = {**_SHEET_DEFAULTS, **params["kpi_sheet"]}
    zero = Decimal(0)
    if measured is None:
        got = {name: _typed(card, name) for name in _TYPED_DEFAULTS}
        innovation = card.innovation or zero
        featured = None
    else:
        got = {name: getattr(measured, name) for name in _TYPED_DEFAULTS}
        featured = measured.featured_services
        innovation = featured * s["featured_service_points"]
    completion, hours, rate = got["sales_completion"], got["complaint_hours"], got["collection_rate"]
    # not applicable (no target, no complaint, nothing billed): scored at the standard [reading]
    if completion is None:
        sales = s["sales_max"]
    else:
        diff_pct = (completion - s["sales_standard"]) * 100
        sales = s["sales_max"] + _full_steps(diff_pct, Decimal(1)) * s["sales_points_per_pct"]
    shortfall = zero if rate is None else max(zero, Decimal(1) - rate)
    late = Decimal(got["late_arrivals"])
    items = {
        "sales_completion": _clamp(sales, zero),
        "complaint_resolution": s["complaint_max"]
        if hours is None or hours <= s["complaint_hours_limit"]
        else zero,
        "collection_rate": _clamp(
            s["collection_max"] - _full_steps(shortfall, s["collection_step"]) * s["collection_step_points"],
            zero,
        ),
        "big_customers": _clamp(
            got["upgraded_customers"] * s["upgraded_points"] + got["new_big_customers"] * s["new_big_points"],
            zero,
            s["big_customer_max"],
        ),
        "relationship": _clamp(
            s["relationship_max"] - got["lost_big_customers"] * s["lost_customer_points"], zero
        ),
        "innovation": _clamp(innovation, zero, s["qualitative_max"]),
        "communication": _clamp(card.communication, zero, s["qualitative_max"]),
        "attendance": zero
        if late >= s["late_zero_from"]
        else _clamp(s["attendance_max"] - late * s["late_points"], zero),
        "service_attitude": _clamp(s["service_max"] - got["complaints"] * s["complaint_points"], zero),
        "responsibility": _clamp(card.responsibility, zero, s["qualitative_max"]),
        "learning": _clamp(card.learning, zero, s["qualitative_max"]),
    }
    shown = {**got, "featured_services": featured}
    return SheetScore(min(sum(items.values(), zero), s["sheet_max"]), items, shown)


@dataclass(frozen=True)
class KpiResult:
    score: Decimal | None  # None: nobody rated the person
    coefficient: Decimal
    lines: tuple[Line, ...]


def kpi_coefficient(
    person: str,
    ratings: Sequence[KpiRating],
    params: Mapping[str, Any],
    role: str = "account_manager",
    *,
    measured: Measured | None = None,
) -> KpiResult:
    """The person's KPI score and coefficient, with an INFO line per rating and one for the result.
    A sheet's measured items are ``measured`` (counted from the records, kamkit.scorecard) unless the
    line's ``kpi_measured_from`` is ``typed``."""
    if params.get("kpi_measured_from", "records") == "typed":
        measured = None
    weights = {k: Decimal(v) for k, v in params["kpi_weights"].items()}
    lines: list[Line] = []
    by_rater: dict[str, list[Decimal]] = {}
    for r in sorted((r for r in ratings if r.person == person), key=lambda r: r.rater_role):
        if r.scorecard is not None:
            sheet, items, used = scorecard_score(r.scorecard, params, measured)
            full_mark = {**_SHEET_DEFAULTS, **params["kpi_sheet"]}["full_mark"]
            score = sheet * 100 / full_mark  # on the raters' 0-100 scale
            lines.append(
                Line(
                    person,
                    role,
                    score,
                    INFO,
                    "kpi_sheet",
                    SHEET,
                    f"{r.rater_role} 按考核表评分 {sheet}（满分 {full_mark}），折合百分制 {score:.2f}",
                    f"{r.rater_role} scored the KPI sheet at {sheet} of {full_mark}, "
                    f"{score:.2f} on a 100 scale",
                    {
                        "rater_role": r.rater_role,
                        "rater": r.rater,
                        "items": items,
                        "measured": used,
                        "measured_from": "records" if measured is not None else "typed",
                        "sheet_score": sheet,
                        "full_mark": full_mark,
                    },
                )
            )
        else:
            score = r.score
        by_rater.setdefault(r.rater_role, []).append(score)
    used = {role_: sum(s) / len(s) for role_, s in by_rater.items() if weights.get(role_)}
    ignored = sorted(set(by_rater) - set(used))
    if not used:
        coefficient = Decimal(params["kpi_coefficient_unrated"])
        lines.append(
            Line(
                person,
                role,
                coefficient,
                INFO,
                "kpi_coefficient",
                WEIGHTS,
                f"无KPI评分，系数取默认值 {coefficient}",
                f"no KPI rating: default coefficient {coefficient}",
                {"ratings": {}, "ignored_raters": ignored},
            )
        )
        return KpiResult(None, coefficient, tuple(lines))
    weight_sum = sum(weights[r] for r in used)
    score = sum(used[r] * weights[r] for r in used) / weight_sum
    coefficient = score / Decimal(params["kpi_divisor"])
    lines.append(
        Line(
            person,
            role,
            coefficient,
            INFO,
            "kpi_coefficient",
            WEIGHTS,
            f"KPI得分 {score:.2f}（加权），系数 {coefficient:.4f}",
            f"KPI score {score:.2f} (weighted), coefficient {coefficient:.4f}",
            {
                "ratings": used,
                "weights": {r: weights[r] for r in used},
                "score": score,
                "divisor": params["kpi_divisor"],
                "ignored_raters": ignored,
            },
        )
    )
    return KpiResult(score, coefficient, tuple(lines))


def measured_of(facts: Facts, person: str, params: Mapping[str, Any]) -> Measured | None:
    """A person's measured sheet items over the facts' quarter, for a rating that fills in the
    sheet: counted from the period's index (built once, kept on the facts); None when the line's
    sheets are typed or the person rated no sheet (a 0-100 score needs no count)."""
    if params.get("kpi_measured_from", "records") == "typed":
        return None
    if not any(r.scorecard is not None for r in facts.kpi_of(person)):
        return None
    found = facts.person(person)
    if found is None or found.role not in params["indicator_roles"]:
        return None
    return measure(Activity.indexed(facts, Window.of(facts.quarter)), found, params)


def measured_for(facts: Facts, window: Window, params: Mapping[str, Any]) -> dict[str, Measured]:
    """Every measured person's sheet items over the window, counted once (None-safe for plugins
    that read KPI only when the line measures from records)."""
    if params.get("kpi_measured_from", "records") == "typed":
        return {}
    activity = Activity.indexed(facts, window)
    roles = set(params["indicator_roles"])
    return {p.id: measure(activity, p, params) for p in facts.people if p.role in roles}


def scorecard_lines(facts: Facts, window: Window, params: Mapping[str, Any]) -> Iterator[Line]:
    """One §4 sheet per measured person: measured items from the records, rated items the mean
    of the raters' sheets for the period (none rated: 0, and the line says so). Shown, not paid:
    a plugin that pays on KPI scores its raters' sheets through kpi_coefficient."""
    measured = measured_for(facts, window, params)
    full_mark = {**_SHEET_DEFAULTS, **params["kpi_sheet"]}["full_mark"]
    for person in (p for p in facts.people if p.id in measured):
        cards = [r for r in facts.kpi_of(person.id) if r.scorecard is not None]
        # the raters' mean, to 0.01 point half-up [reading]: three raters' 4, 4 and 5 are 4.33, not
        # 4.3333333333333333333333333333
        rated = {
            name: report(sum((getattr(r.scorecard, name) for r in cards), Decimal(0)) / len(cards))
            if cards
            else Decimal(0)
            for name in ("communication", "responsibility", "learning")
        }
        total, items, used = scorecard_score(Scorecard(**rated), params, measured[person.id])
        raters = sorted({r.rater or r.rater_role for r in cards})
        note_zh = f"评分人 {', '.join(raters)}" if raters else "定性项未评分"
        note_en = f"rated by {', '.join(raters)}" if raters else "qualitative items not rated"
        yield Line(
            person.id,
            person.role,
            total,
            INFO,
            "scorecard",
            SHEET,
            f"大客户经理业绩考核表（{window.label}）：{total} / {full_mark}（{note_zh}）",
            f"Account-manager sheet ({window.label}): {total} of {full_mark} ({note_en})",
            {
                "period": window.label,
                "items": items,
                "measured": used,
                "counted_from": dict(measured[person.id].inputs),
                "rated": rated,
                "raters": raters,
                "full_mark": full_mark,
            },
        )
