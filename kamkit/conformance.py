"""Conformance checks a plugin author calls from their own tests (docs/plugins.md, "Testing"):

    from kamkit.conformance import check_plugin

    def test_my_plugin_keeps_the_contract():
        assert check_plugin(MyPlugin) == []

Each check reads one part of the contract (kamkit/plugin.py) and answers Problems in words: what
is wrong and how to fix it. The first checks read the class's declarations; the last ones run the
plugin on a small sample organisation (``sample_facts``), so a plugin that raises, cites a clause
it never declared or carries state the services cannot store is caught before anyone installs it.
``kam check-plugin KEY`` runs the same checks from the command line.

Runtime code: it imports no test framework, and nothing of the services.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from .errors import ConfigError
from .explain import CNY, FLAG, INFO, POINTS, Line, plain
from .facts import Facts
from .facts_schema import load_facts
from .indicators import DEPARTMENT_ROLE
from .loader import plugin_class
from .params import KINDS, Param
from .plugin import (
    ESCALATION_PARAMS,
    Classification,
    Clause,
    MonthResult,
    Names,
    QuarterResult,
    RulePlugin,
    Tier,
)

UNITS = (CNY, POINTS, FLAG, INFO)
BASES = ("seed", "default", "reading")
METHODS = ("classify", "assess_month", "commission_quarter")
ESCALATION_NAMES = ("follow_up_days", "escalation_step_days")
# An entry-point name a business line's config can spell: lower case, digits and hyphens.
_KEY = re.compile(r"[a-z0-9][a-z0-9-]*")


@dataclass(frozen=True)
class Problem:
    what: str  # short id, e.g. "ladder-role-unknown"
    message: str  # what is wrong and how to fix it, in words

    def to_dict(self) -> dict[str, str]:
        return {"what": self.what, "message": self.message}


@dataclass(frozen=True)
class Report:
    key: str
    version: str
    checks: int  # how many checks ran
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "plugin": self.key,
            "version": self.version,
            "ok": self.ok,
            "checks": self.checks,
            "problems": [p.to_dict() for p in self.problems],
        }


@dataclass
class _Subject:
    """What the checks share: the class, the sample facts, and the instance once one was made
    (None: it could not be, and the checks that run the plugin have nothing to run)."""

    cls: type
    facts: Facts
    instance: RulePlugin | None = None


def check_plugin(plugin: type | str, *, facts: Facts | None = None) -> list[Problem]:
    """Every problem of a plugin class (or of the installed plugin with this key); [] when it keeps
    the contract. ``facts`` replaces the sample organisation the plugin is run on (its ``month``
    and ``quarter`` must be set)."""
    return list(run_checks(plugin, facts=facts).problems)


def run_checks(plugin: type | str, *, facts: Facts | None = None) -> Report:
    """The checks' report: the plugin's key and version, how many checks ran, the problems."""
    cls = plugin_class(plugin) if isinstance(plugin, str) else plugin
    if isinstance(cls, RulePlugin):
        cls = type(cls)
    if not (isinstance(cls, type) and issubclass(cls, RulePlugin)):
        problem = Problem(
            "not-a-plugin",
            f"{_name(cls)} is not a class derived from kamkit.RulePlugin: write "
            f"`class MyPlugin(RulePlugin):` (from kamkit import RulePlugin)",
        )
        return Report(key=str(getattr(cls, "key", "?")), version="?", checks=1, problems=(problem,))
    try:
        sample = facts if facts is not None else sample_facts(cls)
    except Exception:  # roles or grades of the wrong shape, which the checks below name
        sample = sample_facts(RulePlugin)
    subject = _Subject(cls, sample)
    problems: list[Problem] = []
    for name, check in CHECKS:
        try:
            found = list(check(subject))
        except Exception as exc:  # a declaration of the wrong shape: say which check could not read it
            found = [
                Problem(
                    "check-crashed",
                    f"the {name} check could not read the plugin: {type(exc).__name__}: {exc}",
                )
            ]
        problems.extend(p for p in found if p not in problems)
    key, version = str(getattr(cls, "key", "?")), str(getattr(cls, "version", "?"))
    return Report(key=key, version=version, checks=len(CHECKS), problems=tuple(problems))


def _name(obj: Any) -> str:
    return getattr(obj, "__qualname__", None) or repr(obj)


# --- the sample organisation ------------------------------------------------------------------


def sample_document(cls: type) -> dict[str, Any]:
    """A small facts document for a plugin: one person of each of its roles in one branch, a few
    opportunities in March 2026 (one reported on time, one found by the audit, one lost), a deal,
    a collection, a loan and a portfolio; month 2026-03, quarter 2026-Q1."""
    roles = list(getattr(cls, "roles", None) or {"account_manager": None})
    grades = tuple(getattr(cls, "grades", ()) or ())
    people = [
        {
            "id": f"{role}-1",
            "role": role,
            "name": role,
            "branch": "b1",
            "start_date": "2024-01-01",
            **({"grade": grades[0]} if grades else {}),
        }
        for role in roles
    ]
    ladder = tuple(getattr(cls, "ladder", ()) or ())
    seller = f"{ladder[0]}-1" if ladder and ladder[0] in roles else people[0]["id"]
    return {
        "business_line": "conformance",
        "month": "2026-03",
        "quarter": "2026-Q1",
        "branches": [{"id": "b1", "name": "sample branch"}],
        "people": people,
        "opportunities": [
            {
                "id": "o-reported",
                "amount": 30000,
                "lines": 1,
                "discovered": "2026-03-02",
                "entered": "2026-03-03",
                "branch": "b1",
                "account_manager": seller,
            },
            {
                "id": "o-audit",
                "amount": 250000,
                "lines": 6,
                "discovered": "2026-03-09",
                "origin": "audit",
                "branch": "b1",
                "account_manager": seller,
            },
            {
                "id": "o-lost",
                "amount": 80000,
                "discovered": "2026-02-10",
                "entered": "2026-02-11",
                "status": "lost",
                "branch": "b1",
                "account_manager": seller,
            },
        ],
        "loss_reviews": [{"opportunity": "o-lost", "verdict": "subjective", "decided": "2026-03-20"}],
        "deals": [
            {"id": "d1", "seller": seller, "date": "2026-03-10", "list_price": 100000, "deal_price": 92000}
        ],
        "collections": [{"id": "c1", "rep": seller, "date": "2026-03-12", "amount": 80000}],
        "loans": [{"id": "l1", "manager": seller, "amount": 500000, "issued": "2026-03-05"}],
        "portfolios": [
            {
                "manager": seller,
                "month": "2026-03",
                "balance": 1000000,
                "overdue_balance": 10000,
                "borrowers": 3,
                "new_balance": 500000,
                "loans_managed": 3,
                "loans_handled": 3,
            }
        ],
    }


def sample_facts(cls: type) -> Facts:
    return load_facts(sample_document(cls))


# --- declarations -------------------------------------------------------------------------------


def _methods(s: _Subject) -> Iterator[Problem]:
    for name in sorted(getattr(s.cls, "__abstractmethods__", ())):
        hint = (
            " (a plugin with no monthly sheet or no pay answers an empty result, e.g. "
            "`return MonthResult(facts.month, ())`)"
            if name in METHODS
            else ""
        )
        yield Problem("method-missing", f"{name}() is not implemented: define it in {s.cls.__name__}{hint}")


def _identity(s: _Subject) -> Iterator[Problem]:
    key, version, names = (getattr(s.cls, a, None) for a in ("key", "version", "names"))
    if not (isinstance(key, str) and key):
        yield Problem("key-missing", 'set key = "my-line": the name configs and `kam` use for the plugin')
    elif not _KEY.fullmatch(key):
        yield Problem(
            "key-invalid",
            f"key {key!r} should be lower-case letters, digits and hyphens "
            f"(it is also the entry-point name), e.g. {_slug(key)!r}",
        )
    if not (isinstance(version, str) and version):
        yield Problem("version-missing", 'set version = "1.0.0"; raise it when a figure changes')
    if not (isinstance(names, Names) and names.zh and names.en):
        yield Problem(
            "names-missing", 'set names = Names("中文名称", "English name"): both are shown to people'
        )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-") or "my-line"


def _roles(s: _Subject) -> Iterator[Problem]:
    roles = getattr(s.cls, "roles", None)
    if not (isinstance(roles, Mapping) and roles):
        yield Problem(
            "roles-empty",
            'declare roles = {"account_manager": Names("客户经理", "account '
            'manager"), ...}: every person of the facts holds one of them',
        )
        return
    for role, names in roles.items():
        if not (isinstance(names, Names) and names.zh and names.en):
            yield Problem(
                "role-names-missing", f"role {role!r} needs Names(zh, en), both non-empty, not {names!r}"
            )


def _ladder(s: _Subject) -> Iterator[Problem]:
    ladder, roles = getattr(s.cls, "ladder", None), getattr(s.cls, "roles", None) or {}
    if not ladder:
        yield Problem(
            "ladder-empty",
            "declare ladder = (lowest role, ..., highest role): overdue "
            "follow-ups escalate up it (docs/rules.md §1.3)",
        )
        return
    for role in ladder:
        if role not in roles:
            yield Problem(
                "ladder-role-unknown",
                f"the ladder names role {role!r}, which is not in roles "
                f"({', '.join(roles) or 'none'}); add it to roles or take "
                f"it off the ladder",
            )
    if len(set(ladder)) != len(ladder):
        yield Problem(
            "ladder-role-repeated", f"the ladder {tuple(ladder)} names a role twice; each rung is one role"
        )


def _params(s: _Subject) -> list[Param]:
    return [p for p in getattr(s.cls, "parameters", None) or () if isinstance(p, Param)]


def _parameters(s: _Subject) -> Iterator[Problem]:
    declared = getattr(s.cls, "parameters", None)
    if not isinstance(declared, tuple):
        yield Problem(
            "parameters-not-tuple",
            "declare parameters as a tuple of Param, e.g. parameters = ESCALATION_PARAMS + (Param(...), ...)",
        )
    seen: set[str] = set()
    for p in declared or ():
        if not isinstance(p, Param):
            yield Problem("parameter-not-param", f"{p!r} in parameters is not a kamkit.Param")
            continue
        if p.name in seen:
            yield Problem("parameter-duplicate", f"parameter {p.name!r} is declared twice; keep one")
        seen.add(p.name)
        if p.kind not in KINDS:
            yield Problem(
                "parameter-kind-unknown",
                f"parameter {p.name!r} has kind {p.kind!r}; use one of {', '.join(KINDS)}",
            )
        if p.basis not in BASES:
            yield Problem(
                "parameter-basis-unknown",
                f"parameter {p.name!r} has basis {p.basis!r}; use seed "
                f"(a figure of the rules), default (your choice where "
                f"they give none) or reading (your reading of unclear "
                f"text)",
            )
        if not (isinstance(p.doc, str) and p.doc.strip()):
            yield Problem(
                "parameter-doc-missing",
                f"parameter {p.name!r} has no doc: say in a sentence what "
                f"it means, for the people who override it",
            )
        if not (isinstance(p.clause, str) and p.clause.strip()):
            yield Problem(
                "parameter-clause-missing",
                f"parameter {p.name!r} cites no clause: name the clause of `clauses` it serves",
            )


def _defaults(s: _Subject) -> Iterator[Problem]:
    for p in _params(s):
        if p.kind not in KINDS:
            continue  # said by _parameters
        try:
            p.parse(plain(p.default))  # as an override of the same value would be read from a config
        except ConfigError as exc:
            yield Problem(
                "parameter-default-invalid",
                f"the default {p.default!r} of parameter {p.name!r} is not a valid {p.kind}: {exc}",
            )
        if _has_float(p.default):
            yield Problem(
                "parameter-default-float",
                f"the default of parameter {p.name!r} holds a float; "
                f'write money and rates as Decimal("0.03"), never '
                f"0.03",
            )


def _has_float(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, Mapping):
        return any(_has_float(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_float(v) for v in value)
    return False


def _escalation(s: _Subject) -> Iterator[Problem]:
    missing = [n for n in ESCALATION_NAMES if n not in {p.name for p in _params(s)}]
    if missing:
        yield Problem(
            "escalation-params-missing",
            f"parameters lack {', '.join(missing)}, which the "
            f"escalation service reads: add *ESCALATION_PARAMS to "
            f"parameters (parameters = ESCALATION_PARAMS + (...)) and "
            f"declare their clause {ESCALATION_PARAMS[0].clause!r}",
        )


def _clauses(s: _Subject) -> Iterator[Problem]:
    clauses = getattr(s.cls, "clauses", None)
    if not isinstance(clauses, Mapping):
        yield Problem("clauses-missing", 'declare clauses = {"MY §1": Clause("1.1", "what it says"), ...}')
        return
    for key, clause in clauses.items():
        if not (isinstance(clause, Clause) and clause.rules and clause.text):
            yield Problem(
                "clause-incomplete",
                f"clause {key!r} needs Clause(rules, text): the section of "
                f"docs/rules.md it comes from and what it says, both "
                f"non-empty",
            )
    for p in _params(s):
        if p.clause and p.clause not in clauses:
            yield _undeclared(f"parameter {p.name!r}", p.clause)
    for tier in getattr(s.cls, "tiers", None) or ():  # optional: a plugin may declare its Tiers
        if isinstance(tier, Tier) and tier.clause not in clauses:
            yield _undeclared(f"tier {tier.key!r}", tier.clause)


def _undeclared(who: str, clause: str) -> Problem:
    return Problem(
        "clause-undeclared",
        f"{who} cites clause {clause!r}, which is not in clauses; declare "
        f'it in clauses: {clause!r}: Clause("<section of docs/rules.md>", '
        f'"<what it says>")',
    )


def _tiers(s: _Subject) -> Iterator[Problem]:
    roles = getattr(s.cls, "roles", None) or {}
    keys = []
    for tier in getattr(s.cls, "tiers", None) or ():
        if not isinstance(tier, Tier):
            yield Problem("tier-not-tier", f"{tier!r} in tiers is not a kamkit.Tier")
            continue
        keys.append(tier.key)
        for role in (tier.owner_role, tier.confirming_role):
            if role is not None and role not in roles:
                yield Problem(
                    "tier-role-unknown",
                    f"tier {tier.key!r} names role {role!r}, which is not in "
                    f"roles; add it to roles or name a role that is",
                )
    if len(set(keys)) != len(keys):
        yield Problem("tier-duplicate", f"tiers {keys} name a tier twice")


def _grades(s: _Subject) -> Iterator[Problem]:
    grades = tuple(getattr(s.cls, "grades", ()) or ())
    if len(set(grades)) != len(grades):
        yield Problem(
            "grade-duplicate", f"grades {grades} name a grade twice; each grade key once, lowest first"
        )


# --- running it -------------------------------------------------------------------------------


def _instantiate(s: _Subject) -> Iterator[Problem]:
    if getattr(s.cls, "__abstractmethods__", ()):
        return  # said by _methods; an abstract class cannot be made
    try:
        s.instance = s.cls()
    except Exception as exc:
        yield Problem(
            "instantiate-fails",
            f"{s.cls.__name__}() with no overrides raised "
            f"{type(exc).__name__}: {exc}; every default must work as it is",
        )


def _classify(s: _Subject) -> Iterator[Problem]:
    if s.instance is None:
        return
    roles, clauses = s.cls.roles, s.cls.clauses
    for o in s.facts.opportunities:
        try:
            c = s.instance.classify(o)
        except Exception as exc:
            yield _raised("classify-fails", f"classify() of opportunity {o.id} (amount {o.amount})", exc)
            continue
        if not isinstance(c, Classification):
            yield Problem(
                "classify-wrong-type",
                f"classify() answered {type(c).__name__}; answer a kamkit.Classification",
            )
            continue
        if c.opportunity != o.id:
            yield Problem(
                "classification-wrong-opportunity",
                f"classify() of {o.id!r} answered a Classification of {c.opportunity!r}",
            )
        for field in ("owner_role", "confirming_role"):
            role = getattr(c, field)
            if role is not None and role not in roles:
                yield Problem(
                    "classification-role-unknown",
                    f"classify() gave {field} {role!r}, which is "
                    f"not in roles; answer a declared role or None",
                )
        if c.clause not in clauses:
            yield _cites(
                f"classify()'s Classification of {o.id}", "classification-clause-undeclared", c.clause
            )
        if c.follow_up_days is not None and not (isinstance(c.follow_up_days, int) and c.follow_up_days > 0):
            yield Problem(
                "classification-follow-up-invalid",
                f"classify() gave follow_up_days "
                f"{c.follow_up_days!r}; give whole days >= 1 "
                f"or None (no cadence)",
            )


def _cites(who: str, what: str, clause: str) -> Problem:
    return Problem(
        what, f"{who} cites clause {clause!r}, which is not in clauses; declare it or cite a declared one"
    )


def _raised(what: str, who: str, exc: Exception) -> Problem:
    return Problem(
        what,
        f"{who} raised {type(exc).__name__}: {exc}; a plugin answers every valid "
        f"facts document (an empty result when nothing applies)",
    )


def _assess_month(s: _Subject) -> Iterator[Problem]:
    if s.instance is None:
        return
    run = lambda: s.instance.assess_month(s.facts)  # noqa: E731 - run twice, to compare
    try:
        result = run()
    except Exception as exc:
        yield _raised("assess-month-fails", f"assess_month() of {s.facts.month}", exc)
        return
    if not isinstance(result, MonthResult):
        yield Problem(
            "assess-month-wrong-type",
            f"assess_month() answered {type(result).__name__}; answer MonthResult(facts.month, lines)",
        )
        return
    if result.month != s.facts.month:
        yield Problem(
            "result-period-wrong",
            f"assess_month() of {s.facts.month} answered month {result.month}; answer facts.month",
        )
    yield from _lines(s, "assess_month()", result.lines)
    yield from _same_twice(run, result, "assess_month()")


def _commission_quarter(s: _Subject) -> Iterator[Problem]:
    if s.instance is None:
        return
    run = lambda: s.instance.commission_quarter(s.facts, None)  # noqa: E731 - run twice, to compare
    try:
        result = run()
    except Exception as exc:
        yield _raised("commission-quarter-fails", f"commission_quarter() of {s.facts.quarter}", exc)
        return
    if not isinstance(result, QuarterResult):
        yield Problem(
            "commission-quarter-wrong-type",
            f"commission_quarter() answered "
            f"{type(result).__name__}; answer QuarterResult("
            f"facts.quarter, lines, carried)",
        )
        return
    if result.quarter != s.facts.quarter:
        yield Problem(
            "result-period-wrong",
            f"commission_quarter() of {s.facts.quarter} answered quarter "
            f"{result.quarter}; answer facts.quarter",
        )
    yield from _lines(s, "commission_quarter()", result.lines)
    yield from _same_twice(run, result, "commission_quarter()")
    yield from _carried(s, result.carried)


def _monthly_pay(s: _Subject) -> Iterator[Problem]:
    """A plugin paying by the month: its quarter is its months' pay, then its section — what the
    suite stores a month at a time must add up to what the plugin says of the quarter."""
    pay_every = getattr(s.cls, "pay_every", "quarter")
    if pay_every not in ("month", "quarter"):
        yield Problem("pay-every-unknown", f"pay_every is {pay_every!r}; say 'month' or 'quarter'")
        return
    if s.instance is None or pay_every == "quarter":
        return
    try:
        whole = s.instance.commission_quarter(s.facts, None)
        months = [
            line
            for month in s.facts.quarter.months
            for line in s.instance.commission_month(replace(s.facts, month=month)).lines
        ]
        section = s.instance.quarter_section(s.facts, None)
    except Exception as exc:
        yield _raised("monthly-pay-fails", "commission_month() or quarter_section()", exc)
        return
    if [*months, *section.lines] != list(whole.lines) or dict(section.carried) != dict(whole.carried):
        yield Problem(
            "monthly-pay-does-not-add-up",
            "commission_quarter() is not the quarter's commission_month() lines in month order, then "
            "quarter_section()'s lines and carried state: return self.months_and_section(facts, carried)",
        )


def _carried(s: _Subject, carried: Any) -> Iterator[Problem]:
    """The services store carried state as JSON and hand it, read back, to the next quarter."""
    try:
        stored = json.loads(json.dumps(plain(carried), allow_nan=False))
        if not isinstance(carried, Mapping):
            raise TypeError(f"{type(carried).__name__} is not a mapping")
    except (TypeError, ValueError) as exc:
        yield Problem(
            "carried-not-json",
            f"commission_quarter()'s carried state cannot be stored as a JSON "
            f"object ({exc}); keep it to dicts, lists, str, int, bool and "
            f"Decimal",
        )
        return
    following = dataclasses.replace(s.facts, quarter=s.facts.quarter.next())
    try:
        s.instance.commission_quarter(following, stored)
    except Exception as exc:
        yield Problem(
            "carried-not-reusable",
            f"commission_quarter() of {following.quarter} could not read "
            f"the carried state of {s.facts.quarter} back from JSON "
            f"({type(exc).__name__}: {exc}); Decimals come back as str: "
            f"read them with Decimal(...)",
        )


def _lines(s: _Subject, who: str, lines: Iterable[Line]) -> Iterator[Problem]:
    clauses = s.cls.clauses
    for line in lines:
        if not isinstance(line, Line):
            yield Problem("line-not-line", f"{who} gave {line!r}; give kamkit Line or LineTable")
            continue
        if line.clause not in clauses:
            yield _cites(f"a {line.kind!r} line of {who}", "line-clause-undeclared", line.clause)
        if line.role not in s.cls.roles and line.role != DEPARTMENT_ROLE:  # reports name roles from roles
            yield Problem(
                "line-role-unknown",
                f"a {line.kind!r} line of {who} is for role {line.role!r}, "
                f"which is not in roles; declare it or use a declared one",
            )
        if line.unit not in UNITS:
            yield Problem(
                "line-unit-unknown",
                f"a {line.kind!r} line of {who} is in unit {line.unit!r}; use "
                f"one of {', '.join(UNITS)} (kamkit.CNY, POINTS, FLAG, INFO)",
            )
        if line.figure is None and line.unit == INFO:
            pass  # an indicator that is not applicable: neither 0 nor 0%
        elif isinstance(line.figure, bool) or not isinstance(line.figure, (Decimal, int)):
            # an int is exact too (a flag's 1); a float would let a binary fraction into a yuan
            yield Problem(
                "line-figure-not-decimal",
                f"a {line.kind!r} line of {who} has figure "
                f"{line.figure!r} ({type(line.figure).__name__}); "
                f"figures are Decimal, never float",
            )
            continue  # its JSON form fails on the figure, said here already
        try:
            json.dumps(line.to_dict(), allow_nan=False)
        except (TypeError, ValueError) as exc:
            yield Problem(
                "line-not-json",
                f"a {line.kind!r} line of {who} cannot be written as JSON "
                f"({exc}); keep its inputs to plain values",
            )


def _same_twice(run: Callable[[], Any], first: Any, who: str) -> Iterator[Problem]:
    """A pure plugin answers the same facts the same way: no clock, no I/O, no hidden state."""
    try:
        again = run()
    except Exception as exc:
        yield _raised("not-deterministic", f"{who} run a second time", exc)
        return
    if _as_json(again) != _as_json(first):
        yield Problem(
            "not-deterministic",
            f"{who} answered the same facts differently the second time; a "
            f"plugin reads no clock, file or state of its own",
        )


def _as_json(result: Any) -> str:
    try:
        # an object JSON cannot write is told by its type (its repr would name its address)
        return json.dumps(result.to_dict(), sort_keys=True, default=lambda value: type(value).__name__)
    except (TypeError, ValueError):
        return repr(result)


def _describe(s: _Subject) -> Iterator[Problem]:
    if s.instance is None:
        return
    try:
        json.dumps(s.instance.describe(), allow_nan=False)
    except Exception as exc:
        yield _raised("describe-fails", "describe() (what `kam explain` shows)", exc)


def _deadlines(s: _Subject) -> Iterator[Problem]:
    """Every deadline rule reads parameters the plugin declares, cites a clause it declares, names a
    role it knows and starts from a rule it has (docs/rules.md §10.2)."""
    params = {p.name for p in _params(s)}
    roles, clauses = getattr(s.cls, "roles", None) or {}, getattr(s.cls, "clauses", None) or {}
    rules = getattr(s.cls, "deadlines", ()) or ()
    keys = [r.key for r in rules]
    if len(set(keys)) != len(keys):
        yield Problem("deadline-repeated", f"deadline keys repeat: {keys}")
    for r in rules:
        wanted = [r.fixed_param] if r.fixed_param else [r.amount_param]
        for name in wanted:
            if name not in params:
                yield Problem(
                    "deadline-param-unknown", f"deadline {r.key!r} reads parameter {name!r}: declare it"
                )
        if r.clause not in clauses:
            yield _undeclared(f"deadline {r.key!r}", r.clause)
        if r.owner_role is not None and r.owner_role not in roles:
            yield Problem(
                "deadline-role-unknown", f"deadline {r.key!r} names role {r.owner_role!r}: add it to roles"
            )
        if r.start.startswith("rule:") and r.start[5:] not in keys:
            yield Problem(
                "deadline-start-unknown", f"deadline {r.key!r} starts from {r.start!r}: no such rule"
            )
        if r.unit not in ("working_days", "days", "months"):
            yield Problem(
                "deadline-unit", f"deadline {r.key!r}: unit {r.unit!r} is not working_days, days or months"
            )


def _grade_ladder(s: _Subject) -> Iterator[Problem]:
    """A ladder's grades are the plugin's grades; who proposes and approves are its roles; every
    condition reads a declared parameter and cites a declared clause (docs/rules.md §10.3)."""
    ladder = getattr(s.cls, "grade_ladder", None)
    if ladder is None:
        return
    roles, clauses = getattr(s.cls, "roles", None) or {}, getattr(s.cls, "clauses", None) or {}
    params = {p.name for p in _params(s)}
    grades = tuple(getattr(s.cls, "grades", ()) or ())
    if set(ladder.keys) - set(grades):
        yield Problem(
            "ladder-grade-unknown",
            f"ladder grades {sorted(set(ladder.keys) - set(grades))} are not in grades",
        )
    for rung in ladder.rungs:
        for role in filter(None, (rung.proposed_by, rung.approved_by)):
            if role not in roles:
                yield Problem(
                    "ladder-appointer-unknown",
                    f"grade {rung.key!r} is appointed by {role!r}: add it to roles",
                )
        if rung.clause not in clauses:
            yield _undeclared(f"grade {rung.key!r}", rung.clause)
        for c in rung.conditions:
            if c.param not in params:
                yield Problem(
                    "ladder-param-unknown",
                    f"condition {c.key!r} of {rung.key!r} reads {c.param!r}: declare it",
                )
            if c.clause not in clauses:
                yield _undeclared(f"condition {c.key!r}", c.clause)


CHECKS: tuple[tuple[str, Callable[[_Subject], Iterable[Problem]]], ...] = (
    ("methods", _methods),
    ("identity", _identity),
    ("roles", _roles),
    ("ladder", _ladder),
    ("parameters", _parameters),
    ("defaults", _defaults),
    ("escalation", _escalation),
    ("clauses", _clauses),
    ("tiers", _tiers),
    ("grades", _grades),
    ("deadlines", _deadlines),
    ("grade-ladder", _grade_ladder),
    ("instantiate", _instantiate),
    ("classify", _classify),
    ("assess-month", _assess_month),
    ("commission-quarter", _commission_quarter),
    ("monthly-pay", _monthly_pay),
    ("describe", _describe),
)
