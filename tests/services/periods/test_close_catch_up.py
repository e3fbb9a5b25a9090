"""A period is computed only on a projection holding every change intake has sent
(services.common.periods.catch_up): a close called while an event is in flight waits for it, and one that
cannot catch up is refused, naming what is missing, with nothing written."""

import eventlet
import pytest
import sqlalchemy as sa

from kamkit.errors import ConfigError, Conflict, Forbidden, InvalidFacts, NotFound, Unavailable
from services.assessment.service import AssessmentService
from services.common.periods.catch_up import behind, seconds, wait_for_intake
from services.compensation.service import CompensationService
from services.intake.service import IntakeService

KINDS = {"opportunity", "deal", "person"}


def test_behind_names_each_fact_kind_short_of_intakes_changes():
    # intake sent 5 opportunity changes (3 records, two updated) and 2 deals; follow-ups are not
    # facts and are not compared
    sent = {"opportunity": [3, 5], "deal": [2, 2], "follow_up": [9, 9]}
    assert behind(sent, {"opportunity": 4, "deal": 2}, KINDS) == {"opportunity": (4, 5)}
    assert behind(sent, {"opportunity": 5, "deal": 2}, KINDS) == {}
    assert behind(sent, {}, KINDS) == {"deal": (0, 2), "opportunity": (0, 5)}


def test_waits_while_events_arrive_and_returns_once_caught_up():
    held = iter([{"opportunity": 3}, {"opportunity": 4}, {"opportunity": 5}])
    pauses = []
    wait_for_intake(
        lambda: {"opportunity": [3, 5]},
        lambda: next(held),
        KINDS,
        wait_s=5,
        business_line="acme",
        pause=pauses.append,
    )
    assert len(pauses) == 2  # asked three times: behind, behind, caught up


def test_refused_naming_what_is_missing_when_it_does_not_catch_up():
    with pytest.raises(Conflict) as exc:
        wait_for_intake(
            lambda: {"opportunity": [3, 5], "deal": [1, 1]},
            lambda: {"opportunity": 4, "deal": 1},
            KINDS,
            wait_s=0.2,
            business_line="acme",
            pause=eventlet.sleep,
        )
    assert exc.value.errors[0]["field"] == "business_line"
    assert "opportunity: 4 of 5 changes" in str(exc.value) and "deal" not in str(exc.value)


def test_intake_down_is_unavailable_and_its_own_refusal_passes_through():
    def down():
        raise ConnectionError("broker gone")

    with pytest.raises(Unavailable) as exc:
        wait_for_intake(down, dict, KINDS, wait_s=5, business_line="acme")
    assert "nothing was computed" in str(exc.value)

    def refused():
        raise Forbidden("no role on acme")

    with pytest.raises(Forbidden):
        wait_for_intake(refused, dict, KINDS, wait_s=5, business_line="acme")


def test_the_wait_comes_from_config_and_a_bad_value_names_the_key():
    assert seconds({}) == 30 and seconds({"CLOSE_CATCH_UP_SECONDS": "0"}) == 0
    with pytest.raises(ConfigError) as exc:
        seconds({"CLOSE_CATCH_UP_SECONDS": "half a minute"})
    assert exc.value.errors[0]["field"] == "CLOSE_CATCH_UP_SECONDS"


def test_on_purpose_the_refusal_becomes_a_note_naming_what_is_missing():
    note = wait_for_intake(
        lambda: {"opportunity": [3, 5]},
        lambda: {"opportunity": 4},
        KINDS,
        wait_s=0.1,
        business_line="acme",
        pause=eventlet.sleep,
        accept_missing=" payroll deadline ",
    )
    assert note == "closed behind intake (opportunity: 4 of 5 changes): payroll deadline"
    assert (
        wait_for_intake(
            lambda: {"opportunity": [3, 5]},
            lambda: {"opportunity": 5},
            KINDS,
            wait_s=0.1,
            business_line="acme",
            accept_missing="payroll deadline",
        )
        is None
    )  # caught up: nothing to say


def test_zero_seconds_asks_nothing():
    def never():
        raise AssertionError("asked")

    wait_for_intake(never, never, KINDS, wait_s=0, business_line="acme")


@pytest.fixture
def suite(request, start_service, rpc, pg_url_factory):
    """intake, assessment and compensation; the closes wait as long as the test's ``wait`` mark
    says (default 30 s, as shipped)."""
    mark = request.node.get_closest_marker("wait")
    wait = mark.args[0] if mark else 30
    intake_url = pg_url_factory("intake")
    start_service(IntakeService, intake_url)
    start_service(AssessmentService, pg_url_factory("assessment"), CLOSE_CATCH_UP_SECONDS=wait)
    start_service(CompensationService, pg_url_factory("compensation"), CLOSE_CATCH_UP_SECONDS=wait)
    rpc.intake.register_business_line({"key": "acme", "plugin": "acme-flat"})
    rpc.intake.register_person("acme", {"id": "am1", "role": "account_manager"})
    engine = sa.create_engine(intake_url)
    yield rpc, engine
    engine.dispose()


def _in_flight(engine, key, by):
    """intake holds ``by`` more changes of record ``key`` than it has sent: as if their events
    were still on their way, or parked downstream, or dropped there for good."""
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE records SET version = version + :by WHERE key = :key"), {"by": by, "key": key}
        )


def _arrived(rpc, kind, changes):
    with eventlet.Timeout(20):
        while any(
            getattr(rpc, service).projection_versions("acme").get(kind) != changes
            for service in ("assessment", "compensation")
        ):
            eventlet.sleep(0.05)


def test_a_close_right_after_a_record_waits_for_it(suite):
    rpc, _ = suite
    rpc.intake.record_opportunity(
        "acme",
        {
            "id": "o1",
            "amount": 30000,
            "discovered": "2026-03-03",
            "origin": "audit",
            "account_manager": "am1",
        },
    )
    # no waiting for the projection here: the close does it; one audit finding x 3 points = 3
    sheet = rpc.assessment.close_month("acme", "2026-03")
    assert sheet["totals"] == {"am1": {"points": "3"}}


@pytest.mark.wait(1)  # the changes held back below never come: a second is enough to refuse
def test_a_close_behind_intake_is_refused_and_writes_nothing(suite):
    rpc, engine = suite
    rpc.intake.record_opportunity(
        "acme",
        {
            "id": "o1",
            "amount": 30000,
            "discovered": "2026-03-03",
            "origin": "audit",
            "account_manager": "am1",
        },
    )
    rpc.intake.record_deal(
        "acme",
        {"id": "d1", "seller": "am1", "date": "2026-01-15", "list_price": "100000", "deal_price": "100000"},
    )
    _arrived(rpc, "deal", 1)
    _in_flight(engine, "o1", 1)  # opportunity: 1 change here, 2 sent
    with pytest.raises(Conflict) as exc:
        rpc.assessment.close_month("acme", "2026-03")
    assert "opportunity: 1 of 2 changes" in str(exc.value) and exc.value.errors[0]["field"] == "business_line"
    with pytest.raises(NotFound):
        rpc.assessment.get_sheet("acme", "2026-03")
    with pytest.raises(Conflict):
        rpc.compensation.run_quarter("acme", "2026-Q1")
    with pytest.raises(NotFound):
        rpc.compensation.get_run("acme", "2026-Q1")
    # what an operator does for a change lost for good (its parked event dropped): intake sends
    # the record again, as version 3 of the same document; then the close goes ahead
    assert rpc.intake.update_record("acme", "opportunity", "o1", {})["version"] == 3
    _arrived(rpc, "opportunity", 3)  # this suite's closes wait only a second
    assert rpc.assessment.close_month("acme", "2026-03")["totals"] == {"am1": {"points": "3"}}
    # 3% x 100,000 = 3,000
    assert rpc.compensation.run_quarter("acme", "2026-Q1")["totals"] == {"am1": {"CNY": "3000.00"}}
    # a closed period is found, not computed: intake is not asked again
    _in_flight(engine, "o1", 1)
    assert rpc.assessment.close_month("acme", "2026-03")["version"] == 1


@pytest.mark.wait(1)
def test_a_close_behind_intake_on_purpose_says_what_is_missing_and_why(suite):
    rpc, engine = suite
    rpc.intake.record_opportunity(
        "acme",
        {
            "id": "o1",
            "amount": 30000,
            "discovered": "2026-03-03",
            "origin": "audit",
            "account_manager": "am1",
        },
    )
    _arrived(rpc, "opportunity", 1)
    _in_flight(engine, "o1", 1)
    with pytest.raises(InvalidFacts) as exc:  # on purpose means with a reason
        rpc.assessment.close_month("acme", "2026-03", accept_missing="  ")
    assert exc.value.errors[0]["field"] == "accept_missing"
    with pytest.raises(NotFound):
        rpc.assessment.get_sheet("acme", "2026-03")
    why = "payroll deadline; o1's change is parked (ticket 7)"
    sheet = rpc.assessment.close_month("acme", "2026-03", accept_missing=why)
    # closed on what it holds: o1 as first recorded, one audit finding x 3 points = 3
    assert sheet["totals"] == {"am1": {"points": "3"}}
    assert sheet["reason"] == f"closed behind intake (opportunity: 1 of 2 changes): {why}"
    assert rpc.assessment.sheet_history("acme", "2026-03")[0]["reason"] == sheet["reason"]
    # caught up, the reason is not needed and not written: nothing was missing
    _in_flight(engine, "o1", -1)
    assert rpc.compensation.run_quarter("acme", "2026-Q1", accept_missing=why)["reason"] is None
