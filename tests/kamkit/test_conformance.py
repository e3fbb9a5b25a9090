"""kamkit.conformance: every installed plugin keeps the contract, and each kind of defect is named by
its own problem id (each broken plugin below has exactly one defect, so each test fails if its check
were removed)."""

import dataclasses
import json
from decimal import Decimal

import pytest

from acme_rules import AcmeFlatPlugin
from kamkit import CNY, Line, MonthResult, Param, QuarterResult, RulePlugin
from kamkit.conformance import CHECKS, check_plugin, run_checks, sample_facts
from kamkit.errors import UnknownPlugin
from plugins import BUILT_IN


def ids(problems) -> set[str]:
    return {p.what for p in problems}


@pytest.mark.parametrize("key", BUILT_IN + ("acme-flat",))
def test_every_built_in_plugin_and_the_example_keep_the_contract(key):
    report = run_checks(key)
    assert report.problems == (), "\n".join(f"{p.what}: {p.message}" for p in report.problems)
    assert (report.key, report.checks, report.ok) == (key, len(CHECKS), True)


def test_the_sample_organisation_gives_every_plugin_something_to_compute():
    # the checks on lines would pass vacuously on a sample that produced none
    for key in BUILT_IN:
        from kamkit.loader import load_plugin

        plugin = load_plugin(key)
        facts = sample_facts(type(plugin))
        assert plugin.people_problems(facts.people) == []
        # a scheme may have no monthly sheet (a quarterly scorecard) or no pay: not neither
        assert len(plugin.assess_month(facts).lines) + len(plugin.commission_quarter(facts).lines), key


# --- one defect each ------------------------------------------------------------------------------


class LadderTypo(AcmeFlatPlugin):
    ladder = ("account_manager", "area_manager")


class NoEscalation(AcmeFlatPlugin):
    parameters = tuple(
        p for p in AcmeFlatPlugin.parameters if p.name not in ("follow_up_days", "escalation_step_days")
    )


class DefaultDoesNotParse(AcmeFlatPlugin):
    parameters = AcmeFlatPlugin.parameters + (Param("cap", "lots", "money", "ACME §3", "Commission cap."),)


class FloatDefault(AcmeFlatPlugin):
    parameters = AcmeFlatPlugin.parameters + (Param("cap_ratio", 0.5, "ratio", "ACME §3", "Cap ratio."),)


class UnknownKind(AcmeFlatPlugin):
    parameters = AcmeFlatPlugin.parameters + (Param("cap", Decimal(1), "percent", "ACME §3", "Cap."),)


class ParamCitesUndeclared(AcmeFlatPlugin):
    parameters = AcmeFlatPlugin.parameters + (Param("cap", Decimal(1), "money", "ACME §9", "Cap."),)


class LineCitesUndeclared(AcmeFlatPlugin):
    def assess_month(self, facts):
        month = super().assess_month(facts)
        return MonthResult(month.month, [dataclasses.replace(l, clause="ACME §9") for l in month.lines])


class LineInDollars(AcmeFlatPlugin):
    def commission_quarter(self, facts, carried=None):
        q = super().commission_quarter(facts, carried)
        return QuarterResult(q.quarter, [dataclasses.replace(l, unit="USD") for l in q.lines], q.carried)


class FloatFigure(AcmeFlatPlugin):
    def commission_quarter(self, facts, carried=None):
        q = super().commission_quarter(facts, carried)
        return QuarterResult(
            q.quarter, [dataclasses.replace(l, figure=float(l.figure)) for l in q.lines], q.carried
        )


class OwnerNotARole(AcmeFlatPlugin):
    def classify(self, opportunity):
        return dataclasses.replace(super().classify(opportunity), owner_role="ceo")


class Ledger:
    """An author's own object: the services could not store it."""


class CarriesAnObject(AcmeFlatPlugin):
    def commission_quarter(self, facts, carried=None):
        q = super().commission_quarter(facts, carried)
        return QuarterResult(q.quarter, q.lines, {"ledger": Ledger()})


class CarriedNotReadBack(AcmeFlatPlugin):
    def commission_quarter(self, facts, carried=None):
        q = super().commission_quarter(facts, carried)
        if carried:  # expects the Decimal it wrote, not the str that JSON gives back
            carried["paid"].quantize(Decimal("0.01"))
        return QuarterResult(q.quarter, q.lines, {"paid": Decimal(5)})


class MonthsDoNotAddUp(AcmeFlatPlugin):
    """Says it pays by the month, but its quarter is computed apart from its months."""

    pay_every = "month"

    def commission_month(self, facts):
        return MonthResult(facts.month, ())

    def quarter_section(self, facts, carried=None):
        return QuarterResult(facts.quarter, (), {})


class ReadsTheClock(AcmeFlatPlugin):
    calls = 0

    def assess_month(self, facts):
        type(self).calls += 1  # stands for datetime.now(): a different answer each run
        month = super().assess_month(facts)
        lines = [dataclasses.replace(l, figure=Decimal(self.calls)) for l in month.lines]
        return MonthResult(month.month, lines)


class NeedsAnOverride(AcmeFlatPlugin):
    def __init__(self, overrides=None):
        super().__init__(overrides)
        if "rate" not in (overrides or {}):
            raise KeyError("rate")


class RaisesOnAMonth(AcmeFlatPlugin):
    def assess_month(self, facts):
        raise ZeroDivisionError("no deals")


class NoNames(AcmeFlatPlugin):
    names = AcmeFlatPlugin.names.__class__("", "ACME flat rules")  # no Chinese name


class NoPay(RulePlugin):  # commission_quarter left out
    key, version, names = AcmeFlatPlugin.key, AcmeFlatPlugin.version, AcmeFlatPlugin.names
    roles, ladder, clauses = AcmeFlatPlugin.roles, AcmeFlatPlugin.ladder, AcmeFlatPlugin.clauses
    parameters = AcmeFlatPlugin.parameters
    classify, assess_month = AcmeFlatPlugin.classify, AcmeFlatPlugin.assess_month


class NotAPlugin:
    key = "nothing"


@pytest.mark.parametrize(
    "broken, expected",
    [
        (LadderTypo, "ladder-role-unknown"),
        (NoEscalation, "escalation-params-missing"),
        (DefaultDoesNotParse, "parameter-default-invalid"),
        (FloatDefault, "parameter-default-float"),
        (UnknownKind, "parameter-kind-unknown"),
        (ParamCitesUndeclared, "clause-undeclared"),
        (LineCitesUndeclared, "line-clause-undeclared"),
        (LineInDollars, "line-unit-unknown"),
        (FloatFigure, "line-figure-not-decimal"),
        (OwnerNotARole, "classification-role-unknown"),
        (CarriesAnObject, "carried-not-json"),
        (CarriedNotReadBack, "carried-not-reusable"),
        (ReadsTheClock, "not-deterministic"),
        (MonthsDoNotAddUp, "monthly-pay-does-not-add-up"),
        (NeedsAnOverride, "instantiate-fails"),
        (RaisesOnAMonth, "assess-month-fails"),
        (NoNames, "names-missing"),
        (NoPay, "method-missing"),
        (NotAPlugin, "not-a-plugin"),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else value,
)
def test_each_defect_is_named_by_its_own_problem(broken, expected):
    problems = check_plugin(broken)
    assert ids(problems) == {expected}, problems
    for problem in problems:  # a sentence a person can act on, fit for JSON
        assert len(problem.message.split()) >= 6 and json.dumps(problem.to_dict())


def test_problems_say_what_is_wrong_and_how_to_fix_it():
    (ladder,) = check_plugin(LadderTypo)
    assert "'area_manager'" in ladder.message and "add it to roles" in ladder.message
    (escalation,) = check_plugin(NoEscalation)
    assert "follow_up_days, escalation_step_days" in escalation.message
    assert "add *ESCALATION_PARAMS to parameters" in escalation.message
    (default,) = check_plugin(DefaultDoesNotParse)
    assert "'cap'" in default.message and "'lots'" in default.message and "money" in default.message
    (line,) = check_plugin(LineCitesUndeclared)
    assert "'ACME §9'" in line.message and "'missed_report'" in line.message
    (missing,) = check_plugin(NoPay)
    assert "commission_quarter()" in missing.message


def test_a_plugin_is_named_by_key_and_an_unknown_key_lists_the_installed_ones():
    assert check_plugin("acme-flat") == []
    with pytest.raises(UnknownPlugin) as exc:
        check_plugin("telekom")
    assert "telecom" in str(exc.value) and "acme-flat" in str(exc.value)


def test_an_author_can_check_on_facts_of_their_own():
    facts = dataclasses.replace(sample_facts(AcmeFlatPlugin), opportunities=())
    assert check_plugin(AcmeFlatPlugin, facts=facts) == []
    # with no audit finding in the month there is no line, so the defect of the month goes unseen ...
    assert check_plugin(LineCitesUndeclared, facts=facts) == []
    # ... which is why the default sample holds one
    assert ids(check_plugin(LineCitesUndeclared)) == {"line-clause-undeclared"}


def test_the_conformance_module_is_runtime_code():
    import kamkit.conformance as module

    source = open(module.__file__, encoding="utf-8").read()
    assert "import pytest" not in source and "from pytest" not in source
    assert CNY in module.UNITS and isinstance(Line, type)
