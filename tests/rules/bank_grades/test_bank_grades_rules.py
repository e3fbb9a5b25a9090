"""bank-grades plugin, clause by clause (docs/rules.md §13: 002/CIB 第五条, 第七条–第十条), every figure
worked by hand in the comments. The sheet is read at the month's last day (2026-03-31 unless said)."""

from decimal import Decimal as D
from pathlib import Path

import pytest

from kamcli.documents import read_document
from kamkit.conformance import check_plugin
from kamkit.errors import ConfigError
from kamkit.explain import FLAG, INFO
from kamkit.facts_schema import load_facts
from kamkit.ladders import roles_needed
from kamkit.periods import Quarter
from plugins.bank_grades import BankGradesPlugin
from plugins.bank_grades.sheet import approver

P = BankGradesPlugin()
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "bank-grades.yaml"
BOARD = {"id": "board", "role": "city_admin"}
HEAD = {"id": "head", "role": "branch_manager", "branch": "s1"}


def cm(id_, grade=None, work_since="2015-01-01", certificates=("skills_test",), role="account_manager"):
    return {
        "id": id_,
        "role": role,
        "branch": "s1",
        **({"grade": grade} if grade else {}),
        **({"work_since": work_since} if work_since else {}),
        "certificates": list(certificates),
    }


def appointed(
    id_, person, grade, proposed_on, by="head", decided_by="board", decided_on=None, status="approved"
):
    doc = {"id": id_, "person": person, "grade": grade, "proposed_by": by, "proposed_on": proposed_on}
    if status != "proposed":
        doc.update(status=status, decided_by=decided_by, decided_on=decided_on or proposed_on)
    return doc


def sheet(people, appointments=(), plugin=P, month="2026-03"):
    facts = load_facts(
        {
            "month": month,
            "quarter": "2026-Q1",
            "branches": [{"id": "s1"}],
            "people": [BOARD, HEAD, *people],
            "appointments": list(appointments),
        }
    )
    return plugin.assess_month(facts).lines


def found(lines, person="m"):
    """(kind, unit, figure) of one person's lines, in order."""
    return [(l.kind, l.unit, l.figure) for l in lines if l.person == person]


STANDS = [("grade_stands", INFO, 1)]


# --- the plugin and its ladder (002/CIB 第七条) ---------------------------------------------------------


def test_the_plugin_keeps_the_contract():
    assert check_plugin(BankGradesPlugin) == []


def test_four_ranks_six_grades_lowest_first_with_yiji_above_erji():
    # 第七条: 资深、高级(二级、一级)、客户经理(二级、一级)、助理 — four ranks, 1 + 2 + 2 + 1 = 6 grades;
    # [reading] 一级 is the higher level, so each rank lists 二级 first (lowest first)
    assert P.grades == ("assistant", "manager_2", "manager_1", "senior_2", "senior_1", "principal")
    assert P.grades == P.grade_ladder.keys
    ranks = [r.rank for r in P.grade_ladder.rungs]
    assert ranks == ["assistant", "manager", "manager", "senior", "senior", "principal"]
    assert len(set(ranks)) == 4
    assert [r.zh for r in P.grade_ladder.rungs][1:3] == ["客户经理（二级）", "客户经理（一级）"]
    # trainees (见习客户经理) are outside the ladder: a "trainee" grade is refused, no grade is a trainee
    assert P.people_problems([cm("t", "trainee")])[0]["field"] == "people.0.grade"
    assert P.people_problems([cm("t")]) == []


def test_the_sub_branch_proposes_and_the_city_branch_approves():
    # 第七条: 客户经理 and 助理 recruited by the sub-branch, appointed after the city branch approves;
    # 资深 and 高级 recruited and appointed by the city branch (no approval above it)
    by = {r.key: (r.proposed_by, r.approved_by, approver(r)) for r in P.grade_ladder.rungs}
    sub_branch = ("branch_manager", "city_admin", "city_admin")
    city = ("city_admin", None, "city_admin")
    assert by == {
        "assistant": sub_branch,
        "manager_2": sub_branch,
        "manager_1": sub_branch,
        "senior_2": city,
        "senior_1": city,
        "principal": city,
    }
    # 第五条: the city branch acts through its CM leading group; the roles are the banking plugin's keys
    assert P.roles["city_admin"].zh == "市分行客户经理领导小组" and P.roles["branch_manager"].zh == "支行行长"
    assert set(roles_needed(P.grade_ladder)) <= set(P.roles)
    assert P.ladder == ("account_manager", "deputy_manager", "branch_manager", "city_admin")


def test_escalation_climbs_the_bank_ladder():
    # rules §1.3 on the banking plugin's ladder: 7 days -> the senior CM, 14 -> the sub-branch head,
    # 21 -> the city-branch board, then no higher
    assert P.escalation_role("account_manager", 6) == []
    assert P.escalation_role("account_manager", 21) == [
        (1, "deputy_manager"),
        (2, "branch_manager"),
        (3, "city_admin"),
    ]
    assert P.escalation_role("branch_manager", 40) == [(1, "city_admin")]


# --- entry conditions (第八条–第十条) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proposed_on", "expected"),
    [
        # work_since 2025-03-10: on 2026-03-09 0 whole years (< 1): not met
        ("2026-03-09", [("grade_condition_not_met", FLAG, 1)]),
        # on 2026-03-10, the first anniversary, 1 year (壹年之上 = at least one year): met
        ("2026-03-10", STANDS),
    ],
)
def test_assistant_needs_one_year_of_banking_work_on_the_day_proposed(proposed_on, expected):
    lines = sheet([cm("m", "assistant", "2025-03-10")], [appointed("a", "m", "assistant", proposed_on)])
    assert found(lines) == expected
    if expected != STANDS:
        (flag,) = lines
        assert (flag.clause, flag.inputs["condition"]) == ("002/CIB §第九条", "assistant_years")
        assert [c.get("years") for c in flag.inputs["conditions"]] == [0, None]  # a certificate has no years


def test_assistant_needs_the_skills_test():
    # 第九条1: 通过员工岗位技能鉴定考试 — the certificate key skills_test [default]
    without = sheet([cm("m", "assistant", certificates=())], [appointed("a", "m", "assistant", "2026-03-02")])
    assert found(without) == [("grade_condition_not_met", FLAG, 1)]
    assert without[0].inputs["condition"] == "skills_test" and without[0].clause == "002/CIB §第九条"
    held = sheet([cm("m", "assistant")], [appointed("a", "m", "assistant", "2026-03-02")])
    assert found(held) == STANDS
    # a bank naming its certificate otherwise: skills_test no longer counts, its own key does
    custom = BankGradesPlugin({"assistant_certificate": "exam_2026"})
    assert found(sheet([cm("m", "assistant")], [appointed("a", "m", "assistant", "2026-03-02")], custom)) == [
        ("grade_condition_not_met", FLAG, 1)
    ]
    theirs = cm("m", "assistant", certificates=("exam_2026",))
    assert found(sheet([theirs], [appointed("a", "m", "assistant", "2026-03-02")], custom)) == STANDS


@pytest.mark.parametrize("grade", ["manager_2", "manager_1"])
@pytest.mark.parametrize(
    ("proposed_on", "expected"),
    [
        # work_since 2024-03-10: on 2026-03-09 1 whole year (< 2, 二年之上): not met
        ("2026-03-09", [("grade_condition_not_met", FLAG, 1)]),
        # on 2026-03-10, the second anniversary: 2 years, met
        ("2026-03-10", STANDS),
    ],
)
def test_customer_manager_needs_two_years_and_no_examination(grade, proposed_on, expected):
    # 第十条 names no examination: a customer manager without the skills test stands
    person = cm("m", grade, "2024-03-10", certificates=())
    lines = sheet([person], [appointed("a", "m", grade, proposed_on)])
    assert found(lines) == expected
    assert all(l.clause == "002/CIB §第十条" for l in lines if l.unit == FLAG)


def test_each_customer_manager_level_has_its_own_years():
    # manager_1_years_of_work [reading] = 2 like 二级; a bank asking 3 years of 一级: 2 whole years
    # (2024-03-10 .. 2026-03-10) no longer do, 二级 is unchanged
    custom = BankGradesPlugin({"manager_1_years_of_work": 3})
    people = [cm("m", "manager_1", "2024-03-10"), cm("n", "manager_2", "2024-03-10")]
    done = [appointed("a", "m", "manager_1", "2026-03-10"), appointed("b", "n", "manager_2", "2026-03-10")]
    lines = sheet(people, done, custom)
    assert found(lines, "m") == [("grade_condition_not_met", FLAG, 1)] and found(lines, "n") == STANDS
    assert found(sheet(people, done), "m") == STANDS


def test_conditions_count_on_the_day_proposed_not_the_day_decided():
    # proposed 2026-03-09, a day before the second anniversary (1 year), approved 2026-03-20 (2 years
    # by then): the proposal day decides, not met
    lines = sheet(
        [cm("m", "manager_2", "2024-03-10")],
        [appointed("a", "m", "manager_2", "2026-03-09", decided_on="2026-03-20")],
    )
    assert found(lines) == [("grade_condition_not_met", FLAG, 1)]
    assert lines[0].inputs["conditions"][0]["on"].isoformat() == "2026-03-09"


def test_no_work_since_on_file_is_a_condition_not_shown():
    lines = sheet([cm("m", "manager_2", work_since=None)], [appointed("a", "m", "manager_2", "2026-03-02")])
    assert found(lines) == [("grade_condition_not_shown", FLAG, 1)]


@pytest.mark.parametrize("grade", ["senior_2", "senior_1", "principal"])
def test_senior_and_principal_conditions_are_not_in_the_seed_and_a_bank_may_set_them(grade):
    appointment = [appointed("a", "m", grade, "2026-03-10", by="board")]
    # 第七条 按总、省行规定执行: no condition by default [default 0], even without work_since on file
    assert found(sheet([cm("m", grade, work_since=None)], appointment)) == STANDS
    custom = BankGradesPlugin({f"{grade}_years_of_work": 5})
    # work_since 2021-03-10: 2026-03-09 is 4 whole years (< 5), 2026-03-10 is 5
    short = [appointed("a", "m", grade, "2026-03-09", by="board")]
    assert found(sheet([cm("m", grade, "2021-03-10")], short, custom)) == [
        ("grade_condition_not_met", FLAG, 1)
    ]
    assert found(sheet([cm("m", grade, "2021-03-10")], appointment, custom)) == STANDS
    assert found(sheet([cm("m", grade, work_since=None)], appointment, custom)) == [
        ("grade_condition_not_shown", FLAG, 1)
    ]


def test_article_8_and_head_office_conditions_are_attested_not_checked():
    # 第八条's qualities (character, ethics, expression) are on no record: the appointing level vouches
    # for them, and the line says so; 资深/高级 add the head-office rules the seed does not hold
    lines = sheet(
        [cm("m", "manager_2"), cm("s", "senior_1")],
        [
            appointed("a", "m", "manager_2", "2026-03-02"),
            appointed("b", "s", "senior_1", "2026-03-02", by="board"),
        ],
    )
    attested = {l.person: l.inputs["attested"] for l in lines}
    assert [a.split(" ")[0] for a in attested["m"]] == ["第八条"]
    assert [a.split(" ")[0] for a in attested["s"]] == ["第八条", "总行、省行规定的条件"]
    assert [c["condition"] for l in lines for c in l.inputs["conditions"]] == ["manager_2_years"]


def test_negative_years_are_refused():
    with pytest.raises(ConfigError, match="senior_2_years_of_work"):
        BankGradesPlugin({"senior_2_years_of_work": -1})


# --- the appointment: approved, by the right role (第七条, 第五条) --------------------------------------


def test_a_grade_without_an_approved_appointment_is_a_finding():
    person = cm("m", "manager_2")
    # none on record
    lines = sheet([{**person, "grade_since": "2025-01-01"}])
    assert found(lines) == [("grade_not_approved", FLAG, 1)]
    assert lines[0].inputs["appointment"] is None and lines[0].clause == "002/CIB §第七条"
    # refused by the board on 2026-03-05
    refused = sheet(
        [person], [appointed("a", "m", "manager_2", "2026-03-02", decided_on="2026-03-05", status="refused")]
    )
    assert found(refused) == [("grade_not_approved", FLAG, 1)]
    assert refused[0].inputs["appointment"]["status"] == "refused"
    # proposed 2026-03-02, not decided: the finding, and the wait of 31 - 2 = 29 days
    waiting = sheet([person], [appointed("a", "m", "manager_2", "2026-03-02", status="proposed")])
    assert found(waiting) == [("grade_not_approved", FLAG, 1), ("appointment_waiting", INFO, 29)]


def test_no_appointment_and_no_grade_since_checks_no_condition():
    # nothing to check the conditions on: only the missing appointment is said
    assert found(sheet([cm("m", "manager_2", work_since=None)])) == [("grade_not_approved", FLAG, 1)]


@pytest.mark.parametrize(
    ("grade", "decided_by", "expected"),
    [
        ("manager_2", "board", STANDS),
        # the sub-branch head approving his own proposal: the city branch approves
        ("manager_2", "head", [("grade_approved_by_wrong_role", FLAG, 1)]),
        ("assistant", "head", [("grade_approved_by_wrong_role", FLAG, 1)]),
        ("senior_2", "board", STANDS),
        # 资深/高级 are the city branch's appointment: a sub-branch head cannot make it
        ("senior_2", "head", [("grade_approved_by_wrong_role", FLAG, 1)]),
        ("principal", "head", [("grade_approved_by_wrong_role", FLAG, 1)]),
    ],
)
def test_approved_by_the_approving_role_only(grade, decided_by, expected):
    lines = sheet([cm("m", grade)], [appointed("a", "m", grade, "2026-03-02", decided_by=decided_by)])
    assert found(lines) == expected
    if expected != STANDS:
        assert lines[0].inputs["appointment"]["decider_role"] == "branch_manager"
        assert lines[0].inputs["approving_role"] == "city_admin"


def test_a_later_approval_of_the_grade_is_the_one_that_counts():
    # refused in January, approved in March: the approved appointment stands
    lines = sheet(
        [cm("m", "manager_2")],
        [
            appointed("a", "m", "manager_2", "2026-01-05", decided_on="2026-01-20", status="refused"),
            appointed("b", "m", "manager_2", "2026-03-02", decided_on="2026-03-09"),
        ],
    )
    assert found(lines) == STANDS and lines[0].inputs["appointment"]["id"] == "b"


# --- the sheet is read at the month's end (rules §13.4) -----------------------------------------------


def test_a_decision_after_the_month_end_is_still_waiting():
    person = [cm("m", "manager_2")]
    late = [appointed("a", "m", "manager_2", "2026-03-20", decided_on="2026-04-01")]
    # March: approved on 1 April, after 31 March -> waiting 31 - 20 = 11 days
    assert found(sheet(person, late)) == [("grade_not_approved", FLAG, 1), ("appointment_waiting", INFO, 11)]
    # April: approved on the 1st, within the month -> stands
    assert found(sheet(person, late, month="2026-04")) == STANDS
    # decided on 31 March, the month's last day: in March
    on_the_day = [appointed("a", "m", "manager_2", "2026-03-20", decided_on="2026-03-31")]
    assert found(sheet(person, on_the_day)) == STANDS


def test_a_proposal_after_the_month_end_is_not_on_the_sheet():
    # proposed 1 April: March has no appointment and no waiting line
    lines = sheet([cm("m", "manager_2")], [appointed("a", "m", "manager_2", "2026-04-01", status="proposed")])
    assert found(lines) == [("grade_not_approved", FLAG, 1)] and lines[0].inputs["appointment"] is None


@pytest.mark.parametrize(("proposed_on", "days"), [("2026-03-02", 29), ("2026-03-31", 0), ("2026-01-31", 59)])
def test_a_trainee_waiting_for_the_assistant_grade(proposed_on, days):
    # a trainee (no grade) proposed for assistant: only the waiting line, its figure the days from the
    # proposal to 31 March (Jan 31 -> Mar 31: 28 + 31 = 59); work_since 2025-01-31, 1 year by each day
    lines = sheet(
        [cm("m", work_since="2025-01-31")], [appointed("a", "m", "assistant", proposed_on, status="proposed")]
    )
    assert found(lines) == [("appointment_waiting", INFO, days)]
    assert lines[0].inputs["conditions_met"] is True and lines[0].inputs["approving_role"] == "city_admin"


def test_a_waiting_proposal_says_whether_its_conditions_were_met():
    # work_since 2025-06-01: 0 whole years on 2026-03-02, the assistant's year not met
    lines = sheet(
        [cm("m", work_since="2025-06-01")],
        [appointed("a", "m", "assistant", "2026-03-02", status="proposed")],
    )
    assert lines[0].inputs["conditions_met"] is False and "not all met" in lines[0].reason_en


def test_an_appointment_to_a_grade_off_the_ladder_is_a_finding():
    lines = sheet([cm("m")], [appointed("a", "m", "junior", "2026-03-02", status="proposed")])
    assert found(lines) == [("appointment_grade_unknown", FLAG, 1)]


def test_people_without_a_grade_or_an_appointment_have_no_line():
    assert sheet([cm("m"), {"id": "d", "role": "deputy_manager"}]) == ()


# --- no pay, no opportunity scheme (rules §13.5) -----------------------------------------------------


def test_no_pay_and_no_opportunity_tiers():
    facts = load_facts(read_document(EXAMPLE))
    result = P.commission_quarter(facts)
    assert (result.quarter, result.lines, result.carried) == (Quarter(2026, 1), (), {})
    o = load_facts(
        {"opportunities": [{"id": "o", "amount": 5000000, "discovered": "2026-03-01"}]}
    ).opportunities[0]
    c = P.classify(o)
    assert (c.tier, c.owner_role, c.confirming_role, c.follow_up_days, c.in_bulletin, c.clause) == (
        "any",
        "account_manager",
        None,
        None,
        False,
        "rules §13.5",
    )


def test_chosen_parameters_are_marked():
    basis = {p.name: p.basis for p in P.parameters if p.name.endswith(("_years_of_work", "_certificate"))}
    assert basis == {
        "assistant_years_of_work": "seed",
        "assistant_certificate": "default",
        "manager_2_years_of_work": "seed",
        "manager_1_years_of_work": "reading",
        "senior_2_years_of_work": "default",
        "senior_1_years_of_work": "default",
        "principal_years_of_work": "default",
    }
    assert (P.params["assistant_years_of_work"], P.params["manager_2_years_of_work"]) == (1, 2)


# --- the example organisation ------------------------------------------------------------------------


def test_the_example_march_sheet():
    lines = P.assess_month(load_facts(read_document(EXAMPLE))).lines
    assert [(l.person, l.kind, l.figure) for l in lines] == [
        # ann: 2024-07-01 -> 2025-08-01 = 1 year, skills_test held, approved by the board
        ("ann", "grade_stands", 1),
        # bo: proposed 2025-05-09, the day before his second anniversary (since 2023-05-10): 1 year < 2
        ("bo", "grade_condition_not_met", 1),
        # cai: approved by head-tj, a sub-branch head
        ("cai", "grade_approved_by_wrong_role", 1),
        # du: senior_2, proposed and appointed by the board; no condition in the seed
        ("du", "grade_stands", 1),
        # eve: no appointment; her 3 years on grade_since 2023-01-01 meet the condition, nothing more said
        ("eve", "grade_not_approved", 1),
        # fay (trainee): proposed 2026-03-02 -> 29 days to 31 March; 1 year since 2025-02-17, test held
        ("fay", "appointment_waiting", 29),
        # gus: approved on 2 April, after the month: waiting 31 - 20 = 11 days
        ("gus", "grade_not_approved", 1),
        ("gus", "appointment_waiting", 11),
        # hu: refused on 2026-01-20, and no skills test on file
        ("hu", "grade_not_approved", 1),
        ("hu", "grade_condition_not_met", 1),
    ]
    assert {l.unit for l in lines} == {FLAG, INFO} and all(isinstance(l.figure, D) for l in lines)
