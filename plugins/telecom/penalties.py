"""Monthly penalty points — seed 000 §(三), with the quotas of §(一)1 (docs/rules.md §1.2, §1.4)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, NamedTuple

from kamkit.explain import FLAG, INFO, POINTS, Line
from kamkit.facts import REJECT, Facts, Opportunity
from kamkit.missed import missed_month

from .params import AM, BM, DEP, DIR

ROLE_ZH = {AM: "客户经理", DIR: "中心主任", DEP: "分管副经理", BM: "分公司经理"}


# --- who is charged ------------------------------------------------------------------------


def holders(facts: Facts, role: str, branch: str | None, person: str | None = None) -> list[str]:
    """The people charged in a role: the named account manager, else the role's holders in the
    branch; a vacant post is still shown so no point silently disappears."""
    if role == AM and person:
        return [person]
    found = [p.id for p in facts.with_role(role, branch)] if branch else []
    return found or [f"vacant:{role}:{branch or '-'}"]


def charge(
    facts: Facts, points: Mapping[str, Any], branch, am, *, kind, clause, zh, en, inputs, times=1
) -> list[Line]:
    lines = []
    for role in (AM, DIR, DEP, BM):
        per = points.get(role)
        if not per:
            continue
        for person in holders(facts, role, branch, am):
            figure = per * times
            lines.append(
                Line(
                    person,
                    role,
                    figure,
                    POINTS,
                    kind,
                    clause,
                    f"{ROLE_ZH[role]}：{zh}",
                    f"{role}: {en}",
                    {**inputs, "points_per_case": per, "cases": times},
                )
            )
    return lines


# --- missed reports --------------------------------------------------------------------------


def missed_band(o: Opportunity, p) -> tuple[str, str, str] | None:
    """(points parameter, kind, clause) of a missed report's band; None if not reportable.

    Which amounts the bands attach to is the suite's reading of contradictory text
    (``missed_band_edges``, docs/rules.md §1.4): 'tiers' puts the 5/10/10 band from
    ``important_from`` (the §(一) tiers: 重要、重大 = 50,000 and over), 'printed' from the printed
    2万 (``ordinary_from``), which leaves the 3/4/4 band nothing by amount. Either way
    ``missed_lines_threshold`` lines or more lift any opportunity into the 5/10/10 band."""
    top = p["important_from"] if p["missed_band_edges"] == "tiers" else p["ordinary_from"]
    if o.amount >= top or o.lines >= p["missed_lines_threshold"]:
        return "points_missed_important", "missed_report_important", "000 §(三)(一)2"
    if o.amount >= p["ordinary_from"]:
        return "points_missed_ordinary", "missed_report_ordinary", "000 §(三)(一)1"
    if o.amount >= p["reportable_from"]:
        return "points_missed_small", "missed_report_small", "000 §(三)(一)1"
    return None


class Report(NamedTuple):
    """When an opportunity was reported, by the line's reading (``report_day``, docs/rules.md §1.4)."""

    day: date | None  # None: never
    by: str  # entry | confirmation
    zh: str  # 录入 | 确认上报
    en: str  # entered | confirmed


def reported(facts: Facts, o: Opportunity, p) -> Report | None:
    """The day ``o`` was reported; None when it need not be: a confirming role rejected it."""
    decided = facts.confirmation_of(o.id)
    if decided is not None and decided.decision == REJECT:
        return None
    if p["report_day"] == "confirmation" and o.amount >= p["ordinary_from"]:
        # 000 §(一)2-4: reported to the city once its confirming role confirmed it
        return Report(decided.date if decided is not None else None, "confirmation", "确认上报", "confirmed")
    return Report(o.entered, "entry", "录入", "entered")


BY_ENTRY = Report(None, "entry", "录入", "entered")


def missed_reports(facts: Facts, p) -> list[Line]:
    lines = []
    # the common case, no confirmation recorded and reports read by entry, looks nothing up: a
    # month holds up to a million opportunities
    plain = not facts.confirmations and p["report_day"] == "entry"
    for o in facts.opportunities:
        band = missed_band(o, p)
        if band is None:
            continue
        if plain:
            day, report = o.entered, BY_ENTRY
        else:
            report = reported(facts, o, p)
            if report is None:
                continue  # rejected: not an opportunity to report
            day = report.day
        if missed_month(o, p["entry_deadline_days"], day) != facts.month:
            continue
        param, kind, clause = band
        why = (
            "市公司核查发现"
            if o.origin == "audit"
            else f"从未{report.zh}"
            if day is None
            else f"发现后 {(day - o.discovered).days} 天才{report.zh}"
        )
        why_en = (
            "found by the city audit"
            if o.origin == "audit"
            else f"never {report.en}"
            if day is None
            else f"{report.en} {(day - o.discovered).days} days after discovery"
        )
        inputs = {
            "opportunity": o.id,
            "amount": o.amount,
            "lines": o.lines,
            "origin": o.origin,
            "discovered": o.discovered,
            "entered": o.entered,
            "deadline_days": p["entry_deadline_days"],
        }
        if report.by == "confirmation":
            inputs.update(report_day="confirmation", confirmed=day)
        lines += charge(
            facts,
            p[param],
            o.branch,
            o.account_manager,
            kind=kind,
            clause=clause,
            zh=f"商机 {o.id} 漏报（{why}，{o.amount} 元，{o.lines} 条线路）",
            en=f"missed report of {o.id} ({why_en}; {o.amount}, {o.lines} lines)",
            inputs=inputs,
        )
        if o.competitor_single_source:
            lines += charge(
                facts,
                p["points_single_source"],
                o.branch,
                o.account_manager,
                kind="missed_single_source",
                clause="000 §(三)(一)3",
                zh=f"商机 {o.id} 漏报导致竞争对手单一来源采购，另扣",
                en=f"missed report of {o.id} let a competitor buy single-source: charged in addition",
                inputs=inputs,
            )
    return lines


# --- quotas and entry quality ------------------------------------------------------------------


def _entered_in(facts: Facts, scope: str) -> list[Opportunity]:
    return [
        o
        for o in facts.opportunities
        if o.scope == scope and o.origin == "reported" and facts.month.contains(o.entered)
    ]


def quotas(facts: Facts, p) -> list[Line]:
    lines = []
    local = Counter(o.account_manager for o in _entered_in(facts, "local"))  # one pass, not one per person
    for person in facts.with_role(AM):
        if p["quota_exempt_new_starters"] and person.start_date and person.start_date > facts.month.first_day:
            continue
        made = local[person.id]
        short = p["local_quota"] - made
        if short > 0:
            pts = p["points_quota_missing"]
            inputs = {"quota": p["local_quota"], "entered": made, "shortfall": short}
            lines += charge(
                facts,
                pts,
                person.branch,
                person.id,
                kind="quota_shortfall",
                clause="000 §(三)(一)4",
                zh=f"{person.id} 本月本地化商机录入 {made} 条，少于 {p['local_quota']} 条",
                en=f"{person.id} entered {made} local opportunities, quota {p['local_quota']}",
                inputs=inputs,
                times=short,
            )
    citywide = Counter(o.branch for o in _entered_in(facts, "citywide"))
    for branch in facts.branches:
        quota = p["citywide_quota_urban"] if branch.urban else p["citywide_quota"]
        made = citywide[branch.id]
        if made < quota:
            inputs = {
                "branch": branch.id,
                "urban": branch.urban,
                "quota": quota,
                "entered": made,
                "shortfall": quota - made,
            }
            lines += charge(
                facts,
                p["points_branch_quota_missing"],
                branch.id,
                None,
                kind="branch_quota_shortfall",
                clause="000 §(三)(一)4",
                zh=f"分公司 {branch.id} 本月全市性商机 {made} 条，少于 {quota} 条",
                en=f"branch {branch.id} entered {made} citywide opportunities, quota {quota}",
                inputs=inputs,
                times=quota - made,
            )
    for o in facts.opportunities:
        if o.quality == "poor" and facts.month.contains(o.entered):
            lines += charge(
                facts,
                p["points_poor_entry"],
                o.branch,
                o.account_manager,
                kind="poor_entry",
                clause="000 §(三)(一)4",
                zh=f"商机 {o.id} 录入不规范/质量低/应付",
                en=f"entry {o.id} judged non-compliant, low quality or perfunctory",
                inputs={"opportunity": o.id, "entered": o.entered},
            )
    return lines


# --- lost orders ------------------------------------------------------------------------------


def losses(facts: Facts, p) -> list[Line]:
    lines = []
    reviews = {r.opportunity: r for r in facts.loss_reviews}
    for o in facts.opportunities:
        if o.status != "lost" or not (o.amount >= p["important_from"] or o.citywide_bid):
            continue
        review = reviews.get(o.id)
        inputs = {
            "opportunity": o.id,
            "amount": o.amount,
            "citywide_bid": o.citywide_bid,
            "verdict": review.verdict if review else None,
            "decided": review.decided if review else None,
        }
        decided_here = review is not None and facts.month.contains(review.decided)
        if decided_here and review.verdict == "subjective":
            lines += charge(
                facts,
                p["points_subjective_loss"],
                o.branch,
                o.account_manager,
                kind="subjective_loss",
                clause="000 §(三)(二)1",
                zh=f"商机 {o.id} 丢单，复盘认定为分公司主观原因",
                en=f"{o.id} lost; the loss review found a subjective cause of the branch",
                inputs=inputs,
            )
        elif decided_here and review.verdict == "objective":
            lines += [
                Line(
                    am,
                    AM,
                    0,
                    INFO,
                    "loss_objective",
                    "000 §(三)(二)1",
                    f"商机 {o.id} 丢单，复盘认定为客观原因，不扣分",
                    f"{o.id} lost for an objective cause: no points",
                    inputs,
                )
                for am in holders(facts, AM, o.branch, o.account_manager)
            ]
        elif (
            review is None
            or review.verdict == "pending"
            or (review.decided and review.decided > facts.month.last_day)
        ):
            lines += [
                Line(
                    am,
                    AM,
                    0,
                    INFO,
                    "loss_review_pending",
                    "000 §(三)(二)1",
                    f"商机 {o.id} 丢单，复盘结论待定（结论当月计分）",
                    f"{o.id} lost; loss review pending (points land in the month of the verdict)",
                    inputs,
                )
                for am in holders(facts, AM, o.branch, o.account_manager)
            ]
    return lines


# --- the annual veto flag -----------------------------------------------------------------------

MISSED_KINDS = {
    "missed_report_small",
    "missed_report_ordinary",
    "missed_report_important",
    "missed_single_source",
}


def loss_veto_cases(facts: Facts, p) -> list[tuple[str, str, str, str]]:
    """(person, role, opportunity, verdict) for every lost important/major opportunity or lost
    citywide bid whose review gives its verdict this month: 000 §(三) makes 丢单 an annual veto
    whatever the verdict ([reading] ``veto_on_objective_loss``; false: subjective losses only).
    The people flagged are those §(三)(二)1 would charge."""
    verdicts = ("subjective", "objective") if p["veto_on_objective_loss"] else ("subjective",)
    reviews = {r.opportunity: r for r in facts.loss_reviews}
    cases = []
    for o in facts.opportunities:
        review = reviews.get(o.id)
        if (
            o.status != "lost"
            or not (o.amount >= p["important_from"] or o.citywide_bid)
            or review is None
            or review.verdict not in verdicts
            or not facts.month.contains(review.decided)
        ):
            continue
        for line in charge(
            facts,
            p["points_subjective_loss"],
            o.branch,
            o.account_manager,
            kind="",
            clause="",
            zh="",
            en="",
            inputs={},
        ):
            cases.append((line.person, line.role, o.id, review.verdict))
    return cases


def veto_flags(lines: Iterable[Line], losses_flagged: Iterable[tuple[str, str, str, str]]) -> list[Line]:
    """000 §(三): missed reports and lost orders veto the person's year; the flag names each
    opportunity and, for a loss, its verdict."""
    cases: dict[tuple[str, str], dict[str, str]] = {}
    for l in lines:
        if l.kind in MISSED_KINDS and l.unit == POINTS:
            cases.setdefault((l.person, l.role), {})[l.inputs["opportunity"]] = "missed report"
    for person, role, opportunity, verdict in losses_flagged:
        cases.setdefault((person, role), {})[opportunity] = f"lost ({verdict})"
    zh_of = {
        "missed report": "漏报",
        "lost (subjective)": "丢单（主观原因）",
        "lost (objective)": "丢单（客观原因）",
    }
    return [
        Line(
            person,
            role,
            1,
            FLAG,
            "veto_flag",
            "000 §(三)",
            "本年度绩效否决：" + "，".join(f"{o} {zh_of[why]}" for o, why in sorted(found.items())),
            "annual performance veto: " + ", ".join(f"{o} {why}" for o, why in sorted(found.items())),
            {
                "opportunities": sorted(found),
                "cases": [{"opportunity": o, "cause": why} for o, why in sorted(found.items())],
            },
        )
        for (person, role), found in sorted(cases.items())
    ]


def assess(facts: Facts, p) -> list[Line]:
    lines = missed_reports(facts, p) + quotas(facts, p) + losses(facts, p)
    lines += veto_flags(lines, loss_veto_cases(facts, p))
    return sorted(lines, key=lambda l: (l.person, l.clause, l.kind, str(l.inputs.get("opportunity", ""))))
