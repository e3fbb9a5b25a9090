"""The deadlines of 002/DL 第二节 (业扩报装管理) as kamkit DeadlineRules — docs/rules.md §14.2–§14.4.

Three case kinds: a supply application (opened the day the 供电所 accepts it), the supply scheme
(issued with its formal notice) and the meter-installation ticket. Every figure is a parameter; the
rules are built from the parameters when the plugin is made, because two of them choose the unit
(calendar or working days) and one whether low-voltage dual-source applications are bound.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

from kamkit.deadlines import DAYS, MONTHS, WORKING_DAYS, DeadlineRule, Due
from kamkit.params import Param

APPLICATION, SCHEME, TICKET = "supply_application", "supply_scheme", "meter_ticket"
CASE_KINDS = (APPLICATION, SCHEME, TICKET)
HIGH, LOW = "high", "low"
VOLTAGES = (HIGH, LOW)
SINGLE, DUAL = "single", "dual"
SUPPLIES = (SINGLE, DUAL)
# steps (``opened`` is every case's first): the application passed on and replied, the scheme's
# works started and its extension asked, the ticket returned after the meter is installed
PASSED_ON, REPLIED = "passed_on", "replied"
ISSUED, WORKS_STARTED, EXTENSION_ASKED = "issued", "works_started", "extension_asked"
INSTALLED, RETURNED = "installed", "returned"
EXTENDED_MONTHS = "extended_months"  # a scheme's attribute: the months its validity was extended by

SUPPLY_CLERK, CONNECTION_OFFICER, MARKETING, MANAGER, METERING = (
    "supply_clerk",
    "connection_officer",
    "marketing",
    "manager",
    "metering",
)

# the roles that owe a step of a case: each has a line on the month's summary
HANDLER_ROLES = (SUPPLY_CLERK, CONNECTION_OFFICER, METERING)

DEADLINES = "002/DL §第二节4"
TICKET_CLAUSE = "002/DL §第二节11"
UNIT_CHOICES = (DAYS, WORKING_DAYS)

PARAMS = (
    Param(
        "pass_on_days",
        5,
        "days",
        DEADLINES,
        "Working days from the 供电所's acceptance of an application within which it passes the "
        "application on (供电所传递到市场营销部的时间不能超过5个工作日).",
    ),
    Param(
        "reply_days_single",
        20,
        "days",
        DEADLINES,
        "Working days from acceptance within which a high-voltage single-source customer is "
        "answered with the supply scheme (高压单电源客户不超过20个工作日).",
    ),
    Param(
        "reply_days_dual",
        30,
        "days",
        DEADLINES,
        "Working days from acceptance within which a high-voltage dual-source customer is answered; "
        "printed 3O, a letter O for a zero, read 30.",
        "reading",
    ),
    Param(
        "dual_reply_low_voltage",
        False,
        "bool",
        DEADLINES,
        "Whether the dual-source reply time also binds a low-voltage dual-source application. false: "
        "高压 governs both 单电源 and 双电源 in the sentence and the seed gives no low-voltage reply "
        "time; true: 双电源客户 read on its own, whatever the voltage.",
        "reading",
    ),
    Param(
        "validity_months_high",
        12,
        "int",
        DEADLINES,
        "Months a high-voltage supply scheme is valid from its formal notice (一年).",
        minimum=1,
    ),
    Param(
        "validity_months_low",
        3,
        "int",
        DEADLINES,
        "Months a low-voltage supply scheme is valid from its formal notice (三个月).",
        minimum=1,
    ),
    Param(
        "extension_days_before",
        10,
        "days",
        DEADLINES,
        "An extension of a scheme is asked at the latest this many days before the scheme expires "
        "(到期前十天, read 'no later than': an earlier request is on time).",
    ),
    Param(
        "extension_day_unit",
        DAYS,
        "text",
        DEADLINES,
        "How the days before expiry are counted: days (calendar days: the seed writes 十天 here and "
        "工作日 where it means working days) or working_days (the other reading).",
        "reading",
        UNIT_CHOICES,
    ),
    Param(
        "extension_due_without_request",
        False,
        "bool",
        DEADLINES,
        "Whether a scheme on which no extension was asked has an extension deadline. false: only "
        "a customer who needs longer asks (须延长…的), so the deadline is stated only when an "
        "extension was asked, on time or late; true: also when the receiving works had not started "
        "by the last day to ask, stated as missed.",
        "reading",
    ),
    Param(
        "extension_max_periods",
        1,
        "int",
        DEADLINES,
        "An extension may not exceed this many validity periods (不得超过上述一个有效期); checked "
        "against a scheme's extended_months when the extension is asked.",
        minimum=1,
    ),
    Param(
        "ticket_return_days",
        5,
        "days",
        TICKET_CLAUSE,
        "Days after installing the meter within which the 计量所 returns the work ticket to the "
        "客户服务中心 (在5日内).",
    ),
    Param(
        "ticket_day_unit",
        DAYS,
        "text",
        TICKET_CLAUSE,
        "How the ticket's days are counted: days (calendar: the seed writes 5日 here and 工作日 where "
        "it means working days) or working_days (the other reading).",
        "reading",
        UNIT_CHOICES,
    ),
    Param(
        "missed_deadline_points",
        Decimal(0),
        "points",
        "rules §14.5",
        "Points docked for each deadline missed (done late or not done by the month's end). The seed "
        "prints none: 0 states the miss on the sheet and docks nothing.",
        "default",
    ),
)

_APPLICATION_RULES = (
    DeadlineRule(
        "passed_on",
        "供电所传递申请",
        "application passed on by the supply office",
        APPLICATION,
        "opened",
        PASSED_ON,
        "pass_on_days",
        DEADLINES,
        owner_role=SUPPLY_CLERK,
    ),
    DeadlineRule(
        "reply_single",
        "高压单电源供电方案答复",
        "supply scheme answered (high voltage, single source)",
        APPLICATION,
        "opened",
        REPLIED,
        "reply_days_single",
        DEADLINES,
        when={"voltage": HIGH, "supply": SINGLE},
        owner_role=CONNECTION_OFFICER,
    ),
    DeadlineRule(
        "reply_dual",
        "高压双电源供电方案答复",
        "supply scheme answered (high voltage, dual source)",
        APPLICATION,
        "opened",
        REPLIED,
        "reply_days_dual",
        DEADLINES,
        when={"voltage": HIGH, "supply": DUAL},
        owner_role=CONNECTION_OFFICER,
    ),
)
# only with dual_reply_low_voltage
_LOW_DUAL_RULE = DeadlineRule(
    "reply_dual_low",
    "低压双电源供电方案答复",
    "supply scheme answered (low voltage, dual source)",
    APPLICATION,
    "opened",
    REPLIED,
    "reply_days_dual",
    DEADLINES,
    when={"voltage": LOW, "supply": DUAL},
    owner_role=CONNECTION_OFFICER,
)


def _scheme_rules(voltage: str, zh: str) -> tuple[DeadlineRule, DeadlineRule]:
    """A scheme's expiry (a date only) and the extension counted back from it. The extension names
    the voltage too: the kit does not check that a chained rule applies to the case."""
    expiry = DeadlineRule(
        f"validity_{voltage}",
        f"{zh}供电方案有效期",
        f"{voltage}-voltage supply scheme valid until",
        SCHEME,
        ISSUED,
        None,
        f"validity_months_{voltage}",
        DEADLINES,
        unit=MONTHS,
        when={"voltage": voltage},
    )
    extension = DeadlineRule(
        f"extension_{voltage}",
        f"{zh}供电方案延期申请",
        f"extension of a {voltage}-voltage scheme asked",
        SCHEME,
        f"rule:{expiry.key}",
        EXTENSION_ASKED,
        "extension_days_before",
        DEADLINES,
        unit=DAYS,  # replaced by extension_day_unit
        before=True,
        when={"voltage": voltage},
        owner_role=None,  # the customer asks (客户…提出申请); no role of the line owes it
    )
    return expiry, extension


_TICKET_RULE = DeadlineRule(
    "ticket_returned",
    "装表工作票回传",
    "meter-installation ticket returned",
    TICKET,
    INSTALLED,
    RETURNED,
    "ticket_return_days",
    TICKET_CLAUSE,
    unit=DAYS,  # replaced by ticket_day_unit
    owner_role=METERING,
)
EXTENSION_RULES = ("extension_high", "extension_low")


def rules(params: Mapping[str, Any]) -> tuple[DeadlineRule, ...]:
    """The deadline rules under these parameters, in the order the sheet states them."""
    application = _APPLICATION_RULES + ((_LOW_DUAL_RULE,) if params["dual_reply_low_voltage"] else ())
    schemes = tuple(
        replace(rule, unit=params["extension_day_unit"]) if rule.end else rule
        for voltage, zh in ((HIGH, "高压"), (LOW, "低压"))
        for rule in _scheme_rules(voltage, zh)
    )
    return application + schemes + (replace(_TICKET_RULE, unit=params["ticket_day_unit"]),)


def watched(params: Mapping[str, Any]) -> tuple[DeadlineRule, ...]:
    """The rules the escalation service and its warnings read (RulePlugin.deadlines): they take every
    open step of a rule as owed, so the extensions are left out unless an extension is owed without
    a request (extension_due_without_request); an asked one is done, with nothing to escalate."""
    every = rules(params)
    if params["extension_due_without_request"]:
        return every
    return tuple(r for r in every if r.key not in EXTENSION_RULES)


def counted(due: Due, params: Mapping[str, Any]) -> bool:
    """Whether a deadline is owed at all: an extension only when the customer asked for one
    (extension_due_without_request false), or also when the works had not started by its last day
    (true) [reading]; every other deadline always."""
    if due.rule.key not in EXTENSION_RULES or due.done is not None:
        return True
    if not params["extension_due_without_request"]:
        return False
    started = due.case.step(WORKS_STARTED)
    return due.due is not None and (started is None or started > due.due)
