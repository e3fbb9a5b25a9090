"""The power-supply monthly sheet — docs/rules.md §14.2–§14.5: every deadline of 002/DL 第二节 falling
due in the month (met, late or missed with its days late), what the sheet could not judge, the schemes
whose validity ends in the month, extensions longer than the seed allows, and each case handler's
deadlines met of those that fell due."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kamkit.activity import Window
from kamkit.deadline_sheet import known_by, month_deadlines, summaries
from kamkit.deadlines import DeadlineRule, due_of
from kamkit.explain import FLAG, INFO, Line
from kamkit.facts import Facts
from kamkit.plugin import Names
from kamkit.work_records import Case

from .deadline_rules import (
    APPLICATION,
    CASE_KINDS,
    DEADLINES,
    DUAL,
    EXTENDED_MONTHS,
    EXTENSION_ASKED,
    HANDLER_ROLES,
    ISSUED,
    LOW,
    SCHEME,
    SUPPLIES,
    VOLTAGES,
    WORKS_STARTED,
    counted,
)

SUMMARY = "rules §14.5"


@dataclass(frozen=True)
class Sheet:
    """What every part of the sheet reads: the month, the parameters, the rules, the facts."""

    window: Window
    params: Mapping[str, Any]
    rules: Sequence[DeadlineRule]
    facts: Facts
    roles: Mapping[str, str]  # person -> role


def month_lines(facts: Facts, params: Mapping[str, Any], rules: Sequence[DeadlineRule]) -> list[Line]:
    window = Window.of(facts.month)
    roles = {p.id: p.role for p in facts.people}
    stated = month_deadlines(
        facts,
        window,
        rules,
        params,
        roles=roles,
        points_param="missed_deadline_points",
        owed=lambda due: counted(due, params),
    )
    m = Sheet(window, params, rules, known_by(facts, window.last), roles)
    findings = [line for case in m.facts.cases for line in case_findings(case, m)]
    # every person who owes a step, and anyone else handling a case, in roster order
    handlers = {c.person for c in m.facts.cases if c.kind in CASE_KINDS}
    people = [p.id for p in m.facts.people if p.role in HANDLER_ROLES or p.id in handlers]
    what = Names("业扩期限", "connection deadlines")
    return (
        stated.lines
        + findings
        + summaries(people, stated.fell_due, roles, clause=SUMMARY, what=what, month=window.label)
    )


def case_findings(case: Case, m: Sheet) -> Iterable[Line]:
    """What the sheet states of one case besides its deadlines."""
    if case.kind not in (APPLICATION, SCHEME):
        return
    unreadable = _unreadable(case)
    if unreadable:
        if m.window.contains(case.opened):
            yield _line(
                case,
                m,
                figure=None,
                unit=INFO,
                kind="case_unreadable",
                zh=f"{case.id} 属性 {'、'.join(unreadable)} 未记录或无法识别，无法确定适用的期限",
                en=f"{case.id}: {', '.join(unreadable)} not recorded or not recognised; no deadline "
                f"can be applied",
                inputs={"unreadable": unreadable, "attributes": dict(case.attributes)},
            )
        return
    if case.kind == APPLICATION:
        yield from _low_voltage(case, m)
    else:
        yield from _validity(case, m)
        yield from _extension_length(case, m)


def _unreadable(case: Case) -> list[str]:
    """Attributes a rule needs that are missing or not one of the known values (the kit matches them
    exactly, so "High" would silently bind no deadline)."""
    a = case.attributes
    out = [] if a.get("voltage") in VOLTAGES else ["voltage"]
    if case.kind == APPLICATION and a.get("supply") not in SUPPLIES:
        out.append("supply")
    extended = a.get(EXTENDED_MONTHS)
    if case.kind == SCHEME and extended is not None and not _number(extended):
        out.append(EXTENDED_MONTHS)
    return out


def _number(value: Any) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def _low_voltage(case: Case, m: Sheet) -> Iterable[Line]:
    """002/DL 第二节4 gives no reply time for a low-voltage application: stated once, in the month it
    was accepted, so that a reader does not look for a deadline."""
    a = case.attributes
    bound = a["supply"] == DUAL and m.params["dual_reply_low_voltage"]
    if a["voltage"] == LOW and not bound and m.window.contains(case.opened):
        yield _line(
            case,
            m,
            figure=None,
            unit=INFO,
            kind="no_deadline",
            zh=f"{case.id} 低压用电申请：制度未规定供电方案答复时间",
            en=f"{case.id} low-voltage application: the rules set no reply time for the supply scheme",
            inputs={"voltage": LOW, "supply": a["supply"], "opened": case.opened},
        )


def _validity(case: Case, m: Sheet) -> Iterable[Line]:
    """A scheme whose validity ends in the month: whether the receiving works started by then."""
    issued = case.step(ISSUED)
    if issued is None:
        return
    expiry = next(r for r in m.rules if r.applies(case) and r.end is None)
    facts = m.facts
    due = due_of(expiry, case, rules=m.rules, params=m.params, calendars=facts.calendars, as_of=m.window.last)
    if not m.window.contains(due.due):
        return
    started, asked = case.step(WORKS_STARTED), case.step(EXTENSION_ASKED)
    in_time = started is not None and started <= due.due
    asked_zh = f"；已于 {asked} 申请延期" if asked else ""
    asked_en = f"; extension asked {asked}" if asked else ""
    yield _line(
        case,
        m,
        figure=Decimal(int(in_time)),
        unit=INFO,
        kind="scheme_validity",
        zh=f"{case.id} 供电方案（{issued} 发出正式通知）有效期至 {due.due}："
        f"{'受电工程已于 ' + str(started) + ' 开工' if in_time else '有效期内受电工程未开工'}{asked_zh}",
        en=f"{case.id} supply scheme (formal notice {issued}) valid until {due.due}: "
        f"{'works started ' + str(started) if in_time else 'works not started within it'}{asked_en}",
        inputs={
            "voltage": case.attributes["voltage"],
            "issued": issued,
            "months": due.amount,
            "valid_until": due.due,
            "works_started": started,
            "extension_asked": asked,
        },
    )


def _extension_length(case: Case, m: Sheet) -> Iterable[Line]:
    """An extension longer than one validity period (不得超过上述一个有效期), in the month it was asked;
    an extension within it is not stated."""
    asked, extended = case.step(EXTENSION_ASKED), case.attributes.get(EXTENDED_MONTHS)
    if extended is None or not m.window.contains(asked):
        return
    voltage, periods = case.attributes["voltage"], m.params["extension_max_periods"]
    validity = m.params[f"validity_months_{voltage}"]
    limit = validity * periods
    if extended > limit:
        yield _line(
            case,
            m,
            figure=Decimal(1),
            unit=FLAG,
            kind="extension_too_long",
            zh=f"{case.id} 供电方案延期 {extended} 个月，超过 {periods} 个有效期（{limit} 个月）",
            en=f"{case.id} supply scheme extended by {extended} months, more than {periods} validity "
            f"period(s) ({limit} months)",
            inputs={
                "voltage": voltage,
                "extended_months": extended,
                "validity_months": validity,
                "max_periods": periods,
                "extension_asked": asked,
            },
        )


def _line(case: Case, m: Sheet, *, figure, unit: str, kind: str, zh: str, en: str, inputs) -> Line:
    return Line(
        case.person,
        m.roles.get(case.person, ""),
        figure,
        unit,
        kind,
        DEADLINES,
        zh,
        en,
        {"case": case.id, "case_kind": case.kind, "customer": case.customer, **inputs},
    )
