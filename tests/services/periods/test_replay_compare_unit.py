"""Replay of a closed version and what-if comparison (docs/rules.md §9.2, §9.3), on workers
(worker_factory) over SQLite: the facts a close read are read again whatever changed since."""

from decimal import Decimal

import pytest
from conftest import record_event
from nameko.testing.services import worker_factory

from kamkit.errors import InvalidFacts, NotFound
from services.assessment.models import Base as AssessmentBase
from services.assessment.models import SheetLine
from services.assessment.service import AssessmentService
from services.common.storage import uow
from services.compensation.models import MODELS as COMPENSATION
from services.compensation.models import Base as CompensationBase
from services.compensation.service import CompensationService

LINE = record_event("business_line", {"key": "acme", "plugin": "acme-flat"})
AM = record_event("person", {"id": "am1", "role": "account_manager", "name": "王芳"})
AM2 = record_event("person", {"id": "am2", "role": "account_manager", "name": "Li Lei"})


def _audit(i, day, version=1):
    return record_event(
        "opportunity",
        {"id": f"o{i}", "amount": 30000, "discovered": day, "origin": "audit", "account_manager": "am1"},
        version=version,
    )


def _deal(i, seller, day, price, version=1):
    doc = {"id": f"d{i}", "seller": seller, "date": day, "list_price": price, "deal_price": price}
    return record_event("deal", doc, version=version)


@pytest.fixture
def assessment(sqlite_db):
    return uow.for_worker(worker_factory(AssessmentService, db=sqlite_db(AssessmentBase), config={}))


@pytest.fixture
def compensation(sqlite_db):
    return uow.for_worker(worker_factory(CompensationService, db=sqlite_db(CompensationBase)))


def test_a_replay_reads_the_facts_as_they_stood_at_the_close(assessment):
    for event in (LINE, AM, _audit(1, "2026-03-03"), _audit(2, "2026-03-09")):
        assessment.on_record_changed(event)
    closed = assessment.close_month("acme", "2026-03")
    assert closed["totals"] == {"am1": {"points": "6"}}  # two March findings x 3 points
    # after the close: o1 moves to April (v2), o3 is new in March, o2 changes twice
    for event in (
        _audit(1, "2026-04-03", version=2),
        _audit(3, "2026-03-20"),
        _audit(2, "2026-05-01", version=2),
        _audit(2, "2026-03-10", version=3),
    ):
        assessment.on_record_changed(event)
    replayed = assessment.replay_period("acme", "2026-03")
    assert replayed["outcome"] == "identical", replayed
    assert replayed["lines_compared"] == 2 and replayed["lines_differing"] == 0
    assert replayed["plugin"] == "acme-flat" and replayed["plugin_version"] == "1.0.0"
    # what the March facts are now: o2 (v3) and o3; a reopened close computes those
    assessment.reopen_month("acme", "2026-03", "o1 was April's")
    assert assessment.close_month("acme", "2026-03")["totals"] == {"am1": {"points": "6"}}
    now = assessment.get_sheet("acme", "2026-03")["lines"]
    assert sorted(line["inputs"]["opportunity"] for line in now) == ["o2", "o3"]
    # version 1 still replays on its own facts (o1, o2), version 2 on its own
    assert assessment.replay_period("acme", "2026-03", version=1)["outcome"] == "identical"
    assert assessment.replay_period("acme", "2026-03", version=2)["outcome"] == "identical"


def test_a_replay_names_every_line_that_differs(assessment):
    for event in (LINE, AM, _audit(1, "2026-03-03"), _audit(2, "2026-03-09")):
        assessment.on_record_changed(event)
    assessment.close_month("acme", "2026-03")
    session = assessment.db.session
    row = session.query(SheetLine).order_by(SheetLine.seq).all()[1]
    row.line = {**row.line, "figure": "4"}  # a stored line altered behind the ledger's back
    session.commit()
    replayed = assessment.replay_period("acme", "2026-03")
    assert replayed["outcome"] == "different"
    assert replayed["lines_differing"] == 1
    (diff,) = replayed["differences"]
    assert diff["line"] == 1 and diff["person"] == "am1" and diff["clause"] == "ACME §2"
    assert diff["recorded"]["figure"] == "4" and diff["replayed"]["figure"] == "3"


def test_a_replay_on_another_plugin_version_is_refused_plainly(assessment):
    for event in (LINE, AM, _audit(1, "2026-03-03")):
        assessment.on_record_changed(event)
    assessment.close_month("acme", "2026-03")
    session = assessment.db.session
    sheet = assessment.models.ledger.current(session, "acme", "2026-03")
    sheet.plugin_version = "0.9.0"
    session.commit()
    answer = assessment.replay_period("acme", "2026-03")
    assert answer["outcome"] == "not_replayed"
    assert "0.9.0" in answer["why"] and "1.0.0 is installed" in answer["why"]
    sheet.plugin_version, sheet.plugin = "1.0.0", "acme-gone"
    session.commit()
    answer = assessment.replay_period("acme", "2026-03")
    assert answer["outcome"] == "not_replayed" and "acme-gone" in answer["why"]
    with pytest.raises(NotFound) as refused:
        assessment.replay_period("acme", "2026-03", version=7)
    assert refused.value.errors[0]["field"] == "version"


def test_a_replay_of_a_quarter_starts_from_its_recorded_carried_state(compensation):
    for event in (LINE, AM, _deal(1, "am1", "2026-02-01", 1000), _deal(2, "am1", "2026-05-01", 2000)):
        compensation.on_record_changed(event)
    compensation.run_quarter("acme", "2026-Q1")
    compensation.run_quarter("acme", "2026-Q2")
    compensation.on_record_changed(_deal(2, "am1", "2026-05-01", 5000, version=2))
    q2 = compensation.replay_period("acme", "2026-Q2")
    assert q2["outcome"] == "identical" and q2["carried_out_differs"] is False
    # deals_to_date 1,000 + 2,000: the Q2 close read d2 at 2,000
    stored = COMPENSATION.ledger.current(compensation.db.session, "acme", "2026-Q2")
    assert stored.carried_out == {"deals_to_date": "3000"}


def test_compare_sets_each_person_beside_the_closed_version(compensation):
    for event in (
        LINE,
        AM,
        AM2,
        _deal(1, "am1", "2026-02-01", "1000"),
        _deal(2, "am2", "2026-03-01", "333.35"),
    ):
        compensation.on_record_changed(event)
    compensation.run_quarter("acme", "2026-Q1")
    answer = compensation.compare_period("acme", "2026-Q1", parameters={"rate": "0.05"}, lines=True)
    assert answer["base"]["source"] == "closed version 1" and answer["base"]["parameters"] == {}
    other = {"plugin": "acme-flat", "plugin_version": "1.0.0", "parameters": {"rate": "0.05"}}
    assert answer["other"] == other
    by = {p["person"]: p for p in answer["people"]}
    # am1: 1,000 x 3% = 30.00 against 1,000 x 5% = 50.00
    assert by["am1"]["figures"]["CNY"] == {"base": "30.00", "other": "50.00", "delta": "20.00"}
    assert by["am1"]["name"] == "王芳"
    # am2: 333.35 x 3% = 10.0005 (stored exact), x 5% = 16.6675; delta 6.667
    assert by["am2"]["figures"]["CNY"] == {"base": "10.0005", "other": "16.6675", "delta": "6.6670"}
    assert answer["totals"]["CNY"] == {"base": "40.0005", "other": "66.6675", "delta": "26.6670"}
    assert len(answer["lines"]["base"]) == len(answer["lines"]["other"]) == 2
    assert answer["problems"] == []
    # nothing stored: still one version, its totals as closed
    assert [v["version"] for v in compensation.run_history("acme", "2026-Q1")] == [1]


def test_compare_refuses_an_unknown_plugin_or_parameter_by_name(compensation):
    for event in (LINE, AM, _deal(1, "am1", "2026-02-01", 1000)):
        compensation.on_record_changed(event)
    with pytest.raises(NotFound) as unknown:
        compensation.compare_period("acme", "2026-Q1", plugin="nope")
    assert unknown.value.errors[0]["field"] == "plugin"
    with pytest.raises(InvalidFacts) as bad:
        compensation.compare_period("acme", "2026-Q1", parameters={"rte": "0.05"})
    assert bad.value.errors[0]["field"] == "parameters.rte"
    # not closed: the base is computed now under the rules in force, and said so
    answer = compensation.compare_period("acme", "2026-Q1", parameters={"rate": "0.04"})
    assert answer["base"]["version"] is None and "not closed" in answer["base"]["source"]
    assert answer["totals"]["CNY"] == {"base": "30.00", "other": "40.00", "delta": "10.00"}
    assert answer["lines"] is None and answer["lines_left_out"]


def test_a_rate_changed_from_july_leaves_a_rerun_of_march_as_it_was(compensation, assessment):
    july = {
        "effective_from": "2026-07",
        "plugin": "acme-flat",
        "parameters": {"rate": "0.05", "missed_points": "5"},
        "reason": "new scheme from H2",
    }
    changed = record_event(
        "business_line", {"key": "acme", "plugin": "acme-flat", "rules": [july]}, version=2
    )
    for worker in (compensation, assessment):
        for event in (LINE, AM, _deal(1, "am1", "2026-03-01", 1000), _deal(2, "am1", "2026-08-01", 1000)):
            worker.on_record_changed(event)
        worker.on_record_changed(_audit(1, "2026-03-03"))
        worker.on_record_changed(_audit(2, "2026-08-03"))
        worker.on_record_changed(changed)
    # Q1 under the first rules: 1,000 x 3% = 30; Q3 under July's: 1,000 x 5% = 50
    assert compensation.run_quarter("acme", "2026-Q1")["totals"] == {"am1": {"CNY": "30.00"}}
    compensation.run_quarter("acme", "2026-Q2")
    q3 = compensation.run_quarter("acme", "2026-Q3")
    assert q3["totals"] == {"am1": {"CNY": "50.00"}}
    assert compensation.get_run("acme", "2026-Q3")["rules_from"] == "2026-07"
    compensation.reopen_quarter("acme", "2026-Q1", "a re-run")
    rerun = compensation.run_quarter("acme", "2026-Q1")
    assert rerun["version"] == 2 and rerun["totals"] == {"am1": {"CNY": "30.00"}}
    assert rerun["parameters"] == {} and rerun["rules_from"] is None
    # months likewise: a missed report is 3 points in March, 5 in August
    assert assessment.close_month("acme", "2026-03")["totals"] == {"am1": {"points": "3"}}
    assert assessment.close_month("acme", "2026-08")["totals"] == {"am1": {"points": "5"}}
    # June is before July's set: 3 points would apply (no finding, no line)
    assert assessment.close_month("acme", "2026-06")["parameters"] == {}


def test_compare_of_software_under_its_progressive_preset_worked_for_two_reps(sqlite_db):
    w = uow.for_worker(worker_factory(CompensationService, db=sqlite_db(CompensationBase)))
    rep = {"role": "account_manager", "quarterly_target": "100000", "start_date": "2024-01-01"}
    for event in (
        record_event("business_line", {"key": "sw", "plugin": "software"}, line="sw"),
        record_event("person", {"id": "r1", **rep}, line="sw"),
        record_event("person", {"id": "r2", **rep}, line="sw"),
        record_event(
            "collection", {"id": "c1", "rep": "r1", "date": "2026-02-01", "amount": "150000"}, line="sw"
        ),
        record_event(
            "collection", {"id": "c2", "rep": "r2", "date": "2026-02-03", "amount": "40000"}, line="sw"
        ),
    ):
        w.on_record_changed(event)
    w.run_quarter("sw", "2026-Q1")
    answer = w.compare_period("sw", "2026-Q1", plugin="software-progressive")
    by = {p["person"]: {k: Decimal(v) for k, v in p["figures"]["CNY"].items()} for p in answer["people"]}
    # r1: T 100,000, B 50,000, X 150,000 of product. software (docs/rules.md §2.3.2): T <= S < C, so
    # T x 4% = 4,000, / 1.17 (VAT) = 3,418.80...; progressive (§2.4): B reached, the year below its
    # 400,000 target: 150,000 x 7.12% = 10,680, x (70% + 30% x 1, not rated) = 10,680
    assert by["r1"]["base"].quantize(Decimal("0.01")) == Decimal("3418.80")
    assert by["r1"]["other"] == Decimal("10680")
    assert by["r1"]["delta"] == by["r1"]["other"] - by["r1"]["base"]
    # r2: X 40,000 < B: software deducts 600 from the fixed wage (§2.3.1); progressive pays
    # 40,000 x 1.424% = 569.60 (§2.4): a difference of 1,169.60
    assert by["r2"] == {"base": Decimal(-600), "other": Decimal("569.60"), "delta": Decimal("1169.60")}


def test_compare_under_another_plugin_runs_its_own_state_from_the_first_quarter(sqlite_db):
    w = uow.for_worker(worker_factory(CompensationService, db=sqlite_db(CompensationBase)))
    rep = {"role": "account_manager", "quarterly_target": "100000", "start_date": "2024-01-01"}
    for event in (
        record_event("business_line", {"key": "sw", "plugin": "software"}, line="sw"),
        record_event("person", {"id": "r1", **rep}, line="sw"),
        record_event(
            "collection", {"id": "c1", "rep": "r1", "date": "2026-02-01", "amount": "40000"}, line="sw"
        ),
        record_event(
            "collection", {"id": "c2", "rep": "r1", "date": "2026-05-01", "amount": "110000"}, line="sw"
        ),
    ):
        w.on_record_changed(event)
    w.run_quarter("sw", "2026-Q1")
    w.run_quarter("sw", "2026-Q2")
    answer = w.compare_period("sw", "2026-Q2", plugin="software-progressive")
    other = Decimal(answer["people"][0]["figures"]["CNY"]["other"])
    # progressive (docs/rules.md §2.4), its own Q1: 40,000 < B 50,000, owes 10,000. Q2: 110,000
    # makes up 10,000; E = 100,000 x 7.12% = 7,120; Q1 released: 50,000 x 7.12% - 569.60 paid
    # (40,000 x 1.424%) = 3,560 - 569.60 = 2,990.40; 7,120 + 2,990.40 = 10,110.40
    assert other == Decimal("10110.40")
