"""Railway big-customer qualification (大客户认定), 002/TL 第五条 and 第六条 — docs/rules.md §15.1.

A case of kind ``qualification`` is one customer's application. Its attributes record the six
conditions of 第五条, all of which must hold (应同时符合); its steps the approval path of 第六条: the
bureau verifies (``bureau_verified``) and reports to the ministry, which approves
(``ministry_approved``) and issues the certificate (``certificate_issued``). For each case with a step
in the month the sheet states each condition (met, not met, or not recorded), whether all are met,
whether the path was followed in order, and an approval given to a customer that fails a condition.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kamkit.activity import Window
from kamkit.explain import FLAG, INFO, Line
from kamkit.money import report
from kamkit.params import Param
from kamkit.work_records import Case

QUALIFICATION = "qualification"
BUREAU_VERIFIED, MINISTRY_APPROVED, CERTIFICATE_ISSUED = (
    "bureau_verified",
    "ministry_approved",
    "certificate_issued",
)
APPROVAL_STEPS = (BUREAU_VERIFIED, MINISTRY_APPROVED, CERTIFICATE_ISSUED)
STEP_ZH = {BUREAU_VERIFIED: "铁路局审核", MINISTRY_APPROVED: "铁道部审批", CERTIFICATE_ISSUED: "颁发证书"}
CONDITIONS_CLAUSE, PATH_CLAUSE = "002/TL §第五条", "002/TL §第六条"
TONNES, FREIGHT = "annual_tonnes", "annual_freight_yuan"

PARAMS = (
    Param(
        "min_annual_tonnes",
        1000000,
        "int",
        CONDITIONS_CLAUSE,
        "Condition 3: a year's rail volume sent (or received) by the same consignor at the same station "
        "(or consignee at the same station) of at least this many tonnes (100万吨以上, inclusive) ...",
        minimum=0,
    ),
    Param(
        "min_annual_freight",
        Decimal(100000000),
        "money",
        CONDITIONS_CLAUSE,
        "... or freight paid of at least this many yuan (运输付费1亿元以上, inclusive; read as a year's, "
        "like the tonnes beside it).",
    ),
    Param(
        "same_day_in_order",
        True,
        "bool",
        PATH_CLAUSE,
        "Whether two approval steps recorded on the same day are in order (true: the records hold days, "
        "not hours, so a same-day approval cannot be shown to come first; false: the later step must "
        "fall on a later day).",
        "reading",
    ),
)


@dataclass(frozen=True)
class Condition:
    number: int  # 第五条's item
    key: str
    zh: str
    en: str
    attributes: tuple[str, ...]  # yes/no attributes that must all be true (empty: condition 3)


CONDITIONS = (
    Condition(
        1,
        "state_key_enterprise",
        "国家政策扶持的重点企业",
        "key enterprise supported by state policy",
        ("state_key_enterprise",),
    ),
    Condition(
        2,
        "obeys_dispatch",
        "维护国家和公众利益，遵守铁路规章，服从统一调度",
        "puts state and public interest first, obeys railway rules and unified dispatch",
        ("obeys_dispatch",),
    ),
    Condition(
        3,
        "volume",
        "同一发（到）站年运量100万吨以上或运输付费1亿元以上",
        "yearly volume at one station of 1,000,000 t or more, or freight of 100,000,000 yuan or more",
        (),
    ),
    Condition(
        4,
        "stations",
        "发到站为FMOS联网站且具备整列装（卸）车条件",
        "FMOS-networked stations able to load or unload whole trains",
        ("fmos_station", "whole_train"),
    ),
    Condition(
        5,
        "owner_payer",
        "货源直接拥有者和向铁路支付运费的独立主体",
        "direct owner of the goods and an independent entity paying the freight",
        ("cargo_owner", "independent_payer"),
    ),
    Condition(
        6,
        "charter",
        "自愿遵守《铁路大客户章程》并愿长期合作",
        "abides by the big-customer charter and wants long-term cooperation",
        ("charter_accepted",),
    ),
)


@dataclass(frozen=True)
class Judged:
    condition: Condition
    met: bool | None  # None: not recorded (or not readable), so not known
    values: Mapping[str, Any]


def judge(case: Case, params: Mapping[str, Any]) -> list[Judged]:
    """Each condition of 第五条 on the case's attributes."""
    return [_judge(c, case.attributes, params) for c in CONDITIONS]


def _judge(c: Condition, a: Mapping[str, Any], params) -> Judged:
    if not c.attributes:  # condition 3: tonnes OR freight, each inclusive
        tonnes, freight = _number(a.get(TONNES)), _number(a.get(FREIGHT))
        results = [
            None if tonnes is None else tonnes >= params["min_annual_tonnes"],
            None if freight is None else freight >= params["min_annual_freight"],
        ]
        return Judged(c, _any(results), {TONNES: tonnes, FREIGHT: freight})
    values = {name: a.get(name) for name in c.attributes}
    return Judged(c, _all(v if isinstance(v, bool) else None for v in values.values()), values)


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return None
    return Decimal(value)


def _any(results) -> bool | None:
    """True if one is true; False if all are known and false; else not known."""
    results = list(results)
    if any(r is True for r in results):
        return True
    return False if all(r is False for r in results) else None


def _all(results) -> bool | None:
    """False if one is false; True if all are known and true; else not known."""
    results = list(results)
    if any(r is False for r in results):
        return False
    return True if all(r is True for r in results) else None


def breaches(case: Case, params: Mapping[str, Any]) -> list[str]:
    """Where the approval path of 第六条 (bureau, then ministry, then certificate) was not followed:
    a step done without the one before it, or before it."""
    out = []
    for earlier, later in zip(APPROVAL_STEPS, APPROVAL_STEPS[1:]):
        first, then = case.step(earlier), case.step(later)
        if then is None:
            continue
        if first is None:
            out.append(f"{later} without {earlier}")
        elif then < first or (then == first and not params["same_day_in_order"]):
            out.append(f"{later} ({then}) before {earlier} ({first})")
    return out


def findings(
    case: Case, window: Window, params: Mapping[str, Any], roles: Mapping[str, str]
) -> Iterable[Line]:
    """The qualification lines of a case with a step (its opening or another) in the month."""
    if case.kind != QUALIFICATION or not any(window.contains(d) for d in (case.opened, *case.steps.values())):
        return
    role = roles.get(case.person, "")
    judged = judge(case, params)
    for j in judged:
        yield _condition_line(case, role, j, params)
    overall = _all(j.met for j in judged)
    failed = [j.condition.number for j in judged if j.met is False]
    unknown = [j.condition.number for j in judged if j.met is None]
    yield _line(
        case,
        role,
        CONDITIONS_CLAUSE,
        None if overall is None else Decimal(int(overall)),
        kind="qualified",
        zh=f"{case.id} 铁路大客户条件：" + _verdict_zh(overall, failed, unknown),
        en=f"{case.id} big-customer conditions: " + _verdict_en(overall, failed, unknown),
        inputs={"failed": failed, "not_recorded": unknown},
    )
    yield from _path_lines(case, role, params, failed)


def _verdict_zh(overall, failed, unknown) -> str:
    if overall:
        return "六项条件同时符合"
    if overall is False:
        return f"不符合第 {'、'.join(map(str, failed))} 项"
    return f"第 {'、'.join(map(str, unknown))} 项未记录，无法判断"


def _verdict_en(overall, failed, unknown) -> str:
    if overall:
        return "all six met"
    if overall is False:
        return f"condition(s) {', '.join(map(str, failed))} not met"
    return f"condition(s) {', '.join(map(str, unknown))} not recorded: not known"


def _condition_line(case: Case, role: str, j: Judged, params) -> Line:
    c = j.condition
    state_zh = {True: "符合", False: "不符合", None: "未记录"}[j.met]
    state_en = {True: "met", False: "not met", None: "not recorded"}[j.met]
    inputs: dict[str, Any] = {"condition": c.number, "key": c.key, **j.values}
    detail_zh = detail_en = ""
    if not c.attributes:
        inputs.update(min_tonnes=params["min_annual_tonnes"], min_freight=params["min_annual_freight"])
        tonnes, freight = j.values[TONNES], j.values[FREIGHT]
        t = "未记录" if tonnes is None else f"{tonnes:,} 吨"
        f = "未记录" if freight is None else f"{report(freight):,} 元"
        detail_zh = f"（年运量 {t}，运费 {f}）"
        detail_en = (
            f" ({'not recorded' if tonnes is None else f'{tonnes:,} t'}, freight "
            f"{'not recorded' if freight is None else f'{report(freight):,} yuan'})"
        )
    return _line(
        case,
        role,
        CONDITIONS_CLAUSE,
        None if j.met is None else Decimal(int(j.met)),
        kind="qualification_condition",
        zh=f"{case.id} 第五条第{c.number}项 {c.zh}：{state_zh}{detail_zh}",
        en=f"{case.id} condition {c.number}, {c.en}: {state_en}{detail_en}",
        inputs=inputs,
    )


def _path_lines(case: Case, role: str, params, failed: list[int]) -> Iterable[Line]:
    steps = {name: case.step(name) for name in APPROVAL_STEPS}
    found = breaches(case, params)
    done_zh = "，".join(f"{STEP_ZH[n]} {d}" for n, d in steps.items() if d) or "尚未审批"
    done_en = ", ".join(f"{n} {d}" for n, d in steps.items() if d) or "no approval step yet"
    yield _line(
        case,
        role,
        PATH_CLAUSE,
        Decimal(1),
        kind="approval_path_breach" if found else "approval_path",
        zh=f"{case.id} 审批程序（铁路局审核后报铁道部审批）{'未按顺序：' if found else '按顺序：'}{done_zh}",
        en=f"{case.id} approval path (bureau, then ministry): "
        f"{'not followed: ' + '; '.join(found) if found else 'in order: ' + done_en}",
        inputs={**steps, "breaches": found},
        unit=FLAG if found else INFO,
    )
    approvals = [n for n, d in steps.items() if d]
    if approvals and failed:
        numbers, numbers_zh = ", ".join(map(str, failed)), "、".join(map(str, failed))
        yield _line(
            case,
            role,
            CONDITIONS_CLAUSE,
            Decimal(1),
            kind="approved_unqualified",
            zh=f"{case.id} 不符合第 {numbers_zh} 项条件，仍已{'、'.join(STEP_ZH[n] for n in approvals)}",
            en=f"{case.id}: {', '.join(approvals)} although condition(s) {numbers} not met",
            inputs={"failed": failed, "approval_steps": approvals},
            unit=FLAG,
        )


def _line(
    case: Case, role: str, clause: str, figure, *, kind: str, zh: str, en: str, inputs, unit=INFO
) -> Line:
    return Line(
        case.person,
        role,
        figure,
        unit,
        kind,
        clause,
        zh,
        en,
        {"case": case.id, "case_kind": case.kind, "customer": case.customer, **inputs},
    )
