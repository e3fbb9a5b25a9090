"""examples/power-supply.yaml through the plugin, figures worked by hand (2026-02-23 and 03-02 are
Mondays; 2026-04-06 is the file's holiday)."""

from dataclasses import replace
from decimal import Decimal as D
from pathlib import Path

from kamcli.documents import read_document
from kamkit.conformance import check_plugin
from kamkit.facts_schema import load_facts
from kamkit.periods import Month
from plugins.power_supply import PowerSupplyPlugin

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "power-supply.yaml"
P = PowerSupplyPlugin()


def facts():
    return load_facts(read_document(EXAMPLE))


def stated(lines):
    return [
        (l.person, l.inputs["case"], l.inputs["rule"], l.figure, l.inputs["state"], l.inputs["late"])
        for l in lines
        if l.kind == "deadline"
    ]


def test_march_deadlines_findings_and_summaries():
    lines = P.assess_month(facts()).lines
    assert stated(lines) == [
        # passed on by 03-02 (02-24..27, 03-02), done 03-03: 1 working day late
        ("li", "app-steel", "passed_on", 0, "late", 1),
        # answered by 03-23 (4 weeks of 5 working days), done 03-20
        ("li", "app-steel", "reply_single", 1, "met", 0),
        # 03-02 + 5 working days = 03-09, done 03-05; the reply falls due in April
        ("li", "app-hospital", "passed_on", 1, "met", 0),
        # Tue 03-10 + 5 = Tue 03-17, done 03-12
        ("li", "app-shop", "passed_on", 1, "met", 0),
        # valid to 2026-03-20, ask by 03-10 (10 days before), asked 03-12: 2 days late
        ("wang", "scheme-mall", "extension_high", 0, "late", 2),
        # installed 03-25, back by 03-30, returned 03-31: 1 day late; ticket-hospital due 04-01
        ("zhao", "ticket-steel", "ticket_returned", 0, "late", 1),
    ]
    findings = {
        (l.inputs["case"], l.kind): l.figure for l in lines if l.kind != "deadline" and "case" in l.inputs
    }
    # app-shop is low voltage: no reply time; scheme-mall's year ends 03-20 with the works not
    # started (0); scheme-plant's 3 months end 03-31 (12-31 + 3 months), works started 02-15 (1);
    # the mall's 6-month extension is within one period of 12: no finding
    assert findings == {
        ("app-shop", "no_deadline"): None,
        ("scheme-mall", "scheme_validity"): 0,
        ("scheme-plant", "scheme_validity"): 1,
    }
    summary = {l.person: l.figure for l in lines if l.kind == "deadlines_met"}
    # li 3 of 4; wang 0 of 1; zhao 0 of 1; ma and chen handle no case
    assert summary == {"li": D(3) / D(4), "wang": D(0), "zhao": D(0)}


def test_april_the_holiday_moves_the_dual_source_reply():
    lines = P.assess_month(replace(facts(), month=Month.parse("2026-04"))).lines
    # 30 working days after 03-02 with Mon 04-06 a holiday: Tue 04-14, answered that day (met);
    # ticket-hospital: 03-27 + 5 days = 04-01, returned that day
    assert stated(lines) == [
        ("li", "app-hospital", "reply_dual", 1, "met", 0),
        ("zhao", "ticket-hospital", "ticket_returned", 1, "met", 0),
    ]
    summary = {l.person: l.figure for l in lines if l.kind == "deadlines_met"}
    assert summary == {"li": 1, "wang": None, "zhao": 1}


def test_the_example_classifies_and_pays_nothing():
    f = facts()
    assert [P.classify(o).tier for o in f.opportunities] == ["connection"]
    assert list(P.commission_quarter(f).lines) == []


def test_the_contract_holds_on_the_example_whose_sheet_has_lines():
    # the kit's sample organisation has no cases, so its checks of lines would pass on none
    assert len(P.assess_month(facts()).lines) > 5
    assert check_plugin(PowerSupplyPlugin, facts=facts()) == []
