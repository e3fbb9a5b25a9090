"""The telecom month's base task from targets (docs/rules.md §7, §1.5; seed 001 §2.2 第3、6条, 003 §六1)."""

from decimal import Decimal

import pytest

from kamkit.facts_schema import load_facts
from plugins.telecom import TelecomPlugin

D = Decimal
PEOPLE = [{"id": "am1", "role": "account_manager"}]
# one deal of 50,000 at its list price (ratio 1: the 8% band) in February
DEALS = [{"id": "d1", "seller": "am1", "date": "2026-02-10", "list_price": 50000, "deal_price": 50000}]
TARGET = {"id": "t1", "person": "am1", "period": "2026-02", "amount": 45000, "set_by": "boss"}
CHANGE = {
    "id": "c1",
    "person": "am1",
    "period": "2026-02",
    "amount": 40000,
    "reason": "a customer moved to another branch",
    "requested_by": "lin",
}
APPROVED = {"status": "approved", "decided_by": "boss", "decided_at": "2026-02-05T10:00:00"}


def commission(**records):
    facts = load_facts({"quarter": "2026-Q1", "people": PEOPLE, "deals": DEALS, **records})
    lines = TelecomPlugin({"pay_base_salary": False, "indicators": []}).commission_quarter(facts).lines
    (deal,) = [l for l in lines if l.kind == "commission"]
    (task,) = [l for l in lines if l.kind == "target"]
    return deal, task


@pytest.mark.parametrize(
    ("records", "task", "figure", "source"),
    [
        # the line's base task 20,000: 50,000 − 20,000 = 30,000 commissionable; 50,000 > 1.2 × 20,000
        # = 24,000, so the accelerator adds 1 pp: 30,000 × 9% = 2,700
        ({}, D(20000), D(2700), "line"),
        # a target of 45,000: 5,000 commissionable; 50,000 < 1.2 × 45,000 = 54,000: no accelerator,
        # 5,000 × 8% = 400
        ({"targets": [TARGET]}, D(45000), D(400), "target"),
        # a change to 40,000 asked and pending: the target stands, 400
        ({"targets": [TARGET], "target_changes": [CHANGE]}, D(45000), D(400), "target"),
        # approved: 10,000 commissionable; 50,000 > 1.2 × 40,000 = 48,000: 9%, 10,000 × 9% = 900
        ({"targets": [TARGET], "target_changes": [{**CHANGE, **APPROVED}]}, D(40000), D(900), "change"),
    ],
)
def test_the_base_task_is_the_target_in_force(records, task, figure, source):
    deal, shown = commission(**records)
    assert deal.inputs["task_consumed"] == min(task, D(50000)) and deal.figure == figure
    assert (shown.figure, shown.inputs["source"]) == (task, source)
