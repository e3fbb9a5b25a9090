"""What a plugin answers the escalation service (docs/rules.md §1.3): who holds a role for an
opportunity, which rungs have been reached, and when the next one falls due."""

from kamkit.facts import Person
from kamkit.loader import load_plugin

# telecom's ladder: account_manager < center_director < deputy_manager < branch_manager < city_admin,
# follow_up_days 7, escalation_step_days 7
TELECOM = load_plugin("telecom")


def test_rungs_reached_on_both_sides_of_each_week():
    # day 6: not overdue; day 7: week 1 -> center_director; day 13: still week 1;
    # day 14: week 2 -> deputy_manager as well
    assert TELECOM.escalation_role("account_manager", 6) == []
    assert TELECOM.escalation_role("account_manager", 7) == [(1, "center_director")]
    assert TELECOM.escalation_role("account_manager", 13) == [(1, "center_director")]
    assert TELECOM.escalation_role("account_manager", 14) == [(1, "center_director"), (2, "deputy_manager")]
    # a branch manager (rung 3 of 0..4) has one rung above: week 2 adds nothing
    assert TELECOM.escalation_role("branch_manager", 21) == [(1, "city_admin")]


def test_next_rung_falls_due_a_step_after_the_last_one_reached():
    # nothing reached by day 6: the first rung falls due on day 7 after the last follow-up;
    # week 1 reached (day 7..13): the next on day 7 + 1 x 7 = 14; week 2 (day 14): day 21
    assert TELECOM.next_rung_after("account_manager", 6) == 7
    assert TELECOM.next_rung_after("account_manager", 13) == 14
    assert TELECOM.next_rung_after("account_manager", 14) == 21
    # branch_manager: city_admin reached at day 7, nothing above it
    assert TELECOM.next_rung_after("branch_manager", 6) == 7
    assert TELECOM.next_rung_after("branch_manager", 7) is None
    assert TELECOM.next_rung_after("nobody", 7) is None


def test_holder_prefers_the_named_account_manager_then_the_branch_then_the_city():
    people = [
        Person(id="d2", role="center_director", branch="b2"),
        Person(id="d1", role="center_director", branch="b1"),
        Person(id="z-city", role="center_director"),
        Person(id="am9", role="account_manager", branch="b1"),
    ]
    assert TELECOM.holder("account_manager", {"account_manager": "am1"}, people) == "am1"
    assert TELECOM.holder("center_director", {"branch": "b1"}, people) == "d1"
    # no holder in b7: the city-level one, not the first of another branch (d1 sorts before it)
    assert TELECOM.holder("center_director", {"branch": "b7"}, people) == "z-city"
    assert TELECOM.holder("deputy_manager", {"branch": "b1"}, people) is None
    assert TELECOM.holder(None, {"branch": "b1"}, people) is None


def test_holder_with_grades_takes_only_an_eligible_person():
    people = [
        Person(id="am1", role="account_manager", branch="b1", grade="assistant"),
        Person(id="am2", role="account_manager", branch="b1", grade="junior"),
    ]
    # the named manager is an assistant: not eligible, so the branch's junior holds it
    assert (
        TELECOM.holder(
            "account_manager",
            {"account_manager": "am1", "branch": "b1"},
            people,
            eligible_grades=("junior", "senior"),
        )
        == "am2"
    )
    assert (
        TELECOM.holder(
            "account_manager",
            {"account_manager": "am2", "branch": "b1"},
            people,
            eligible_grades=("junior", "senior"),
        )
        == "am2"
    )


def test_a_plugin_may_assign_otherwise():
    class CityOwnsAll(type(TELECOM)):
        def holder(self, role, opportunity, candidates, eligible_grades=None):
            return "city-desk" if role else None

    assert CityOwnsAll().holder("account_manager", {"account_manager": "am1"}, []) == "city-desk"
