"""Confirmed and rejected opportunities in the month's missed reports, under both readings of
``report_day`` (docs/rules.md §1.1, §1.4; seed 000 §(一)2–4, §(三)(一)), figures worked by hand."""

import pytest

from kamkit.errors import ConfigError, InvalidFacts
from kamkit.explain import POINTS, totals
from kamkit.facts_schema import load_facts
from plugins.telecom import TelecomPlugin

ROSTER = {
    "branches": [{"id": "b1"}],
    "people": [
        {"id": "am1", "role": "account_manager", "branch": "b1", "start_date": "2025-01-01"},
        {"id": "dir1", "role": "center_director", "branch": "b1"},
        {"id": "bm1", "role": "branch_manager", "branch": "b1"},
    ],
}
# o1: 30,000, ordinary (band 2 of §(三)(一)1: BM 3, Dir 4, AM 4), discovered Monday 2 March and
# entered on the 4th: on time by its entry (2 days <= the 7-day deadline, 9 March)
O1 = {
    "id": "o1",
    "amount": 30000,
    "discovered": "2026-03-02",
    "entered": "2026-03-04",
    "branch": "b1",
    "account_manager": "am1",
}
BAND_2 = {"am1": 4, "dir1": 4, "bm1": 3}


def missed(report_day, *confirmations, opportunity=O1):
    plugin = TelecomPlugin({"report_day": report_day})
    f = load_facts(
        {**ROSTER, "month": "2026-03", "opportunities": [opportunity], "confirmations": list(confirmations)}
    )
    lines = [l for l in plugin.assess_month(f).lines if l.kind.startswith("missed_report")]
    return {p: int(v) for p, v in totals(lines, POINTS).items()}, lines


def decided(day, decision="confirm"):
    return {"opportunity": "o1", "decision": decision, "by": "dir1", "date": day, "note": "seen the tender"}


def test_by_entry_the_confirmation_day_does_not_count():
    # entered on the 4th: no missed report, however late the director confirmed it
    assert missed("entry", decided("2026-03-20"))[0] == {}


@pytest.mark.parametrize(
    ("confirmed", "docked"),
    [
        ("2026-03-09", {}),  # 7 days after discovery: the deadline itself, on time
        ("2026-03-10", BAND_2),  # 8 days: late, a missed report in March, the month reported
    ],
)
def test_by_confirmation_the_report_to_the_city_is_the_confirmations_day(confirmed, docked):
    points, lines = missed("confirmation", decided(confirmed))
    assert points == docked
    if docked:
        assert lines[0].reason_en.endswith("(confirmed 8 days after discovery; 30000, 0 lines)")
        assert lines[0].inputs["confirmed"].isoformat() == "2026-03-10"


def test_by_confirmation_one_never_confirmed_is_missed_when_its_deadline_passes():
    # no decision by 9 March: missed in March (the month of the 10th), "never confirmed"
    points, lines = missed("confirmation")
    assert points == BAND_2 and "never confirmed" in lines[0].reason_en


def test_a_rejected_opportunity_is_not_a_missed_report_under_either_reading():
    late = {**O1, "entered": "2026-03-20"}  # entered 18 days after discovery: missed by entry ...
    assert missed("entry", opportunity=late)[0] == BAND_2
    # ... unless its director rejected it: it is not an opportunity to report
    assert missed("entry", decided("2026-03-05", "reject"), opportunity=late)[0] == {}
    assert missed("confirmation", decided("2026-03-05", "reject"))[0] == {}


def test_a_reportable_opportunity_is_reported_by_its_entry_under_either_reading():
    small = {**O1, "amount": 15000}  # 10,000-20,000: the entry admin's entry is its report
    assert missed("confirmation", opportunity=small)[0] == {}


def test_report_day_and_decisions_are_checked():
    with pytest.raises(ConfigError) as exc:
        TelecomPlugin({"report_day": "confirmed"})
    assert exc.value.errors[0]["field"] == "report_day"
    with pytest.raises(InvalidFacts, match="decided twice"):
        load_facts(
            {**ROSTER, "opportunities": [O1], "confirmations": [decided("2026-03-05"), decided("2026-03-06")]}
        )
    with pytest.raises(InvalidFacts, match="confirmations.0.by"):
        load_facts(
            {**ROSTER, "opportunities": [O1], "confirmations": [{**decided("2026-03-05"), "by": "ghost"}]}
        )
