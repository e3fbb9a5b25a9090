"""examples/railway.yaml through the plugin, figures worked by hand."""

from decimal import Decimal as D
from pathlib import Path

from kamcli.documents import read_document
from kamkit.conformance import check_plugin
from kamkit.explain import FLAG
from kamkit.facts_schema import load_facts
from plugins.railway import RailwayPlugin

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "railway.yaml"
P = RailwayPlugin()


def facts():
    return load_facts(read_document(EXAMPLE))


def test_december_volume_deadlines():
    lines = P.assess_month(facts()).lines
    stated = [
        (l.inputs["case"], l.inputs["rule"], l.figure, l.inputs["state"], l.inputs["late"])
        for l in lines
        if l.kind == "deadline"
    ]
    assert stated == [
        # coal: 12-08 <= 12-10, 12-18 <= 12-20, 12-29 <= 12-31
        ("vol-coal-2027", "volume_submitted", 1, "met", 0),
        ("vol-coal-2027", "volume_bureau_signed", 1, "met", 0),
        ("vol-coal-2027", "volume_ministry_signed", 1, "met", 0),
        # steel: 12-14 is 4 days after 12-10; 12-22 is 2 after 12-20; the ministry had not signed by
        # 12-31: missed, 1 day late (to 2027-01-01)
        ("vol-steel-2027", "volume_submitted", 0, "late", 4),
        ("vol-steel-2027", "volume_bureau_signed", 0, "late", 2),
        ("vol-steel-2027", "volume_ministry_signed", 0, "overdue", 1),
        # vol-grain has no year: not dated
    ]


def test_december_summary_of_the_manager():
    lines = P.assess_month(facts()).lines
    summary = {
        l.person: (l.figure, l.inputs["met"], l.inputs["fell_due"])
        for l in lines
        if l.kind == "deadlines_met"
    }
    # sun: coal's 3 met, steel's 3 missed -> 3 of 6 = 0.5; the bureau and the ministry hold no case
    assert summary == {"sun": (D("0.5"), 3, 6)}


def test_december_qualification_and_volume_findings():
    lines = P.assess_month(facts()).lines
    qualified = {l.inputs["case"]: l.figure for l in lines if l.kind == "qualified"}
    # coal: all six; grain: 800,000 t < 1,000,000 and 95,000,000 yuan < 100,000,000 -> condition 3
    # fails; steel: 30,000,000 t (no freight needed)
    assert qualified == {"qual-coal": 1, "qual-grain": 0, "qual-steel": 1}
    flags = sorted((l.inputs["case"], l.kind) for l in lines if l.unit == FLAG)
    # grain verified by the bureau though it fails condition 3; steel approved by the ministry with
    # no verification by the bureau
    assert flags == [("qual-grain", "approved_unqualified"), ("qual-steel", "approval_path_breach")]
    assert {l.inputs["case"] for l in lines if l.kind == "approval_path"} == {"qual-coal", "qual-grain"}
    volumes = {(l.inputs["case"], l.kind): l.figure for l in lines if l.kind.startswith("volume_")}
    # coal's volume in force from 12-29 (all three signed); grain's year is not recorded
    assert volumes == {("vol-coal-2027", "volume_in_force"): 1, ("vol-grain", "volume_year_missing"): None}


def test_the_example_classifies_and_pays_nothing():
    f = facts()
    assert [P.classify(o).tier for o in f.opportunities] == ["big_customer"]
    assert list(P.commission_quarter(f).lines) == []


def test_the_contract_holds_on_the_example_whose_sheet_has_lines():
    # the kit's sample organisation has no cases, so its checks of lines would pass on none
    assert len(P.assess_month(facts()).lines) > 5
    assert check_plugin(RailwayPlugin, facts=facts()) == []
