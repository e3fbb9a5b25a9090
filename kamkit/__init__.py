"""kamkit: everything a rule-plugin author needs, and nothing of the services.

A plugin is pure: it gets facts and its parameters and answers explained lines. It never
touches a broker, a database or the clock, so this package imports none of nameko, kombu,
eventlet or SQLAlchemy (tests/kamkit/test_kit_stands_alone.py checks it in a fresh
interpreter). The guide is docs/plugins.md; the rules the built-in plugins compute are
docs/rules.md.

    kamkit.plugin        RulePlugin (the base class), Names, Clause, Tier, Classification,
                         MonthResult, QuarterResult, ESCALATION_PARAMS
    kamkit.params        Param: a parameter with its default, kind, clause and basis
    kamkit.facts         the records a plugin reads (Opportunity, Person, Collection, …, Facts)
    kamkit.facts_schema  facts files (YAML/JSON) into Facts, every bad field named
    kamkit.explain       Line, LineTable, Lines: a figure with its clause, reason and inputs
    kamkit.money         Decimal helpers: D, report (half-up to 0.01 when reported), pct, fmt
    kamkit.periods       Month, Quarter
    kamkit.kpi           the KPI coefficient and the 003 §十一 scorecard
    kamkit.missed        when a missed report counts, for plugins that dock it
    kamkit.loader        plugins installed under the ``kam.rules`` entry-point group
    kamkit.errors        structured errors, each naming its field

The most used names are importable from ``kamkit`` itself.
"""

from __future__ import annotations

from .errors import ConfigError, InvalidFacts
from .explain import CNY, FLAG, INFO, POINTS, Line, Lines, LineTable
from .facts import Facts, Opportunity
from .money import D, report
from .params import Param
from .periods import Month, Quarter
from .plugin import (
    ESCALATION_CLAUSES,
    ESCALATION_PARAMS,
    Classification,
    Clause,
    MonthResult,
    Names,
    QuarterResult,
    RulePlugin,
    Tier,
)

__all__ = [
    "CNY",
    "ESCALATION_CLAUSES",
    "ESCALATION_PARAMS",
    "FLAG",
    "INFO",
    "POINTS",
    "Classification",
    "Clause",
    "ConfigError",
    "D",
    "Facts",
    "InvalidFacts",
    "Line",
    "LineTable",
    "Lines",
    "Month",
    "MonthResult",
    "Names",
    "Opportunity",
    "Param",
    "Quarter",
    "QuarterResult",
    "RulePlugin",
    "Tier",
    "report",
]
