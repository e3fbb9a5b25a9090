"""A service builds a period's facts from its projection without marshmallow
(services.common.periods.stored_facts); what it builds must equal what load_facts builds from the same
records, field for field, whatever form the sender used for a number, a boolean or a date."""

from __future__ import annotations

from dataclasses import fields

import pytest

from kamkit.facts_schema import load_facts
from services.common.periods.factstore import strip
from services.common.periods.stored_facts import BUILDERS, build_facts, build_record
from wire.records import KINDS, validate_record

# Every kind a plugin reads, in the forms intake accepts: numbers as int, text with spaces, floats;
# flags true and false; optional fields given and left out; nested shares and scorecards.
RECORDS = {
    "branch": [{"id": "b1", "urban": True}, {"id": "b2"}],
    "person": [
        {
            "id": "am1",
            "role": "account_manager",
            "branch": "b1",
            "start_date": "2024-01-01",
            "monthly_task": " 20000 ",
            "quarterly_target": 1.5,
            "salary_grade": 3,
            "grade": "a",
            "grade_since": "2025-07-01",
            "previous_grade": "b",
            "work_since": "2019-03-01",
            "certificates": ["skills_test"],
        },
        {"id": "am2", "role": "account_manager"},
    ],
    "opportunity": [
        {
            "id": "o1",
            "amount": "30000.50",
            "discovered": "2026-03-02",
            "entered": "2026-03-20",
            "branch": "b1",
            "account_manager": "am1",
            "lines": 5,
            "scope": "citywide",
            "origin": "audit",
            "competitor_single_source": True,
            "quality": "poor",
            "status": "lost",
            "citywide_bid": True,
            "customer": "c",
        },
        {"id": "o2", "amount": 9999, "discovered": "2026-03-01"},
    ],
    "loss_review": [
        {"opportunity": "o1", "verdict": "subjective", "decided": "2026-03-30"},
        {"opportunity": "o2", "verdict": "pending"},
    ],
    "deal": [
        {
            "id": "d1",
            "seller": "am1",
            "date": "2026-03-03",
            "list_price": "100",
            "deal_price": 80.5,
            "agent": False,
        }
    ],
    "collection": [
        {
            "id": "c1",
            "rep": "am1",
            "date": "2026-02-01",
            "amount": "1000",
            "contract": "k1",
            "partner_share": "10",
            "expenses": 1,
            "entertainment": "2.5",
            "travel": 0,
            "in_crm": False,
            "revenue_kind": "secondary_dev",
            "gross_margin": "0.4",
            "contributions": [{"person": "am1", "share": "0.7"}, {"person": "am2", "share": 0.3}],
        },
        {
            "id": "c2",
            "rep": "am2",
            "date": "2026-02-02",
            "amount": 5,
            "joint_with": "am1",
            "delivered_by": "am1",
            "revenue_kind": "implementation",
        },
    ],
    "contract": [
        {
            "id": "k1",
            "total": "100000",
            "implementation": 2000,
            "implementation_quote": "2500",
            "tobacco": True,
        }
    ],
    "kpi": [
        {"person": "am1", "rater_role": "branch_manager", "score": "88.5", "quarter": "2026-Q1"},
        {
            "person": "am2",
            "rater_role": "branch_manager",
            "quarter": "2026-Q1",
            "scorecard": {"sales_completion": "0.8", "late_arrivals": 2, "innovation": 3},
        },
    ],
    "loan": [
        {
            "id": "l1",
            "manager": "am1",
            "amount": "500000",
            "issued": "2026-01-05",
            "kind": "renewal",
            "referrer": "am2",
        }
    ],
    "portfolio": [
        {
            "manager": "am1",
            "month": "2026-03",
            "balance": "1000000",
            "overdue_balance": "1000",
            "borrowers": 12,
            "interest_recovered": "50",
            "new_balance": "-100",
            "loans_managed": 3,
            "loans_handled": 40,
        }
    ],
    "customer": [
        {
            "id": "cu1",
            "name": "Harbour Steel",
            "owner": "am1",
            "branch": "b1",
            "segment": "A",
            "big": True,
            "changes": [
                {"date": "2026-01-05", "change": "lost", "reason": "moved to a rival", "person": "am2"},
                {"date": "2026-02-05", "change": "new_big"},
            ],
        },
        {"id": "cu2"},
    ],
    "visit_plan": [
        {
            "person": "am1",
            "month": "2026-03",
            "submitted": "2026-02-27",
            "customers": ["cu1"],
            "revisits": ["cu2"],
        },
        {"person": "am2", "month": "2026-03", "submitted": "2026-03-02"},
    ],
    "visit": [
        {
            "id": "v1",
            "person": "am1",
            "customer": "cu1",
            "date": "2026-03-03",
            "purpose": "revisit",
            "outcome": "ok",
        },
        {"id": "v2", "person": "am1", "customer": "cu2", "date": "2026-03-04"},
    ],
    "development_plan": [
        {
            "id": "dp1",
            "person": "am1",
            "quarter": "2026-Q1",
            "planned": 3,
            "targets": ["x", "y"],
            "status": "approved",
        },
        {"id": "dp2", "person": "am2", "quarter": "2026-Q1", "planned": 0},
    ],
    "complaint": [
        {
            "id": "k1",
            "person": "am1",
            "customer": "cu1",
            "received": "2026-03-02",
            "received_at": "2026-03-02T09:30:00",
            "answered_at": "2026-03-02T10:00:00",
            "resolved_at": "2026-03-03T09:30:00",
            "fault": "staff",
            "note": "late delivery",
            "satisfied": False,
        },
        {
            "id": "k2",
            "person": "am2",
            "received": "2026-03-05",
            "resolved": "2026-03-06",
            "hours_to_resolve": 7.5,
        },
    ],
    "feedback_request": [
        {
            "id": "f1",
            "person": "am1",
            "customer": "cu1",
            "raised_at": "2026-03-01T08:00:00",
            "due_at": "2026-03-02T08:00:00",
            "answered_at": "2026-03-01T17:00:00",
        },
        {"id": "f2", "person": "am2", "raised_at": "2026-03-01T08:00", "due_at": "2026-03-03T08:00"},
    ],
    "budget": [
        {"quarter": "2026-Q1", "amount": "3000", "person": "am1"},
        {"quarter": "2026-Q1", "amount": 9000},
    ],
    "expense": [
        {
            "id": "e1",
            "date": "2026-03-01",
            "amount": " 250.5 ",
            "person": "am1",
            "customer": "cu1",
            "category": "gift",
        },
        {"id": "e2", "date": "2026-03-02", "amount": 100},
    ],
    "attendance": [
        {"person": "am1", "month": "2026-03", "late_arrivals": 2, "absences": 1, "working_days": 22},
        {"person": "am2", "month": "2026-03"},
    ],
    "featured_service": [
        {"id": "s1", "person": "am1", "date": "2026-03-09", "name": "night delivery", "customer": "cu1"},
        {"id": "s2", "person": "am2", "date": "2026-03-10"},
    ],
    # kamkit.work_records (docs/rules.md §10)
    "case": [
        {
            "id": "c1",
            "kind": "supply_application",
            "person": "am1",
            "opened": "2026-03-02",
            "customer": "cu1",
            "steps": {"passed_on": "2026-03-05", "replied": "2026-03-20"},
            "attributes": {"voltage": "high", "kva": 315, "dual": False, "load": "1.5"},
            "note": "new works",
        },
        {"id": "c2", "kind": "handoff", "person": "am2", "opened": "2026-03-03"},
    ],
    "survey": [
        {"id": "sv1", "date": "2026-03-04", "score": "87.5", "person": "am1", "customer": "cu1", "plan": "p"},
        {"id": "sv2", "date": "2026-03-05", "score": 60, "subject": "cooperation", "department": "sales"},
    ],
    "work_plan": [
        {
            "id": "w1",
            "period": "2026-Q1",
            "plan": "business",
            "person": "am1",
            "items": [{"id": "i1", "name": "x", "done": "2026-03-01"}, {"id": "i2"}],
        },
        {"id": "w2", "period": "2026", "plan": "survey"},
    ],
    "call_log": [
        {"month": "2026-03", "person": "am1", "inbound": 10, "outbound": 2, "answered": 9, "transferred": 1},
        {"month": "2026-03", "inbound": 5, "blocked": 1, "abandoned": 1},
    ],
    "incident": [
        {
            "id": "n1",
            "person": "am1",
            "date": "2026-03-06",
            "kind": "teamwork",
            "note": "n",
            "recorded_by": "am2",
        },
        {"id": "n2", "person": "am2", "date": "2026-03-07", "kind": "conduct"},
    ],
    "standard_check": [
        {"id": "sc1", "person": "am1", "date": "2026-03-06", "passed": True, "standard": "greeting"},
        {"id": "sc2", "person": "am2", "date": "2026-03-07", "passed": False},
    ],
    "appraisal": [
        {
            "id": "ap1",
            "person": "am1",
            "period": "2026-Q1",
            "rater_kind": "manager",
            "rater": "am2",
            "submitted": "2026-04-02",
            "items": {"knowledge": "4.5", "judgement": 3},
        },
        {
            "id": "ap2",
            "person": "am1",
            "period": "2026",
            "rater_kind": "customer",
            "customer": "cu1",
            "submitted": "2027-01-03",
        },
    ],
    "appointment": [
        {
            "id": "g1",
            "person": "am1",
            "grade": "manager_2",
            "proposed_by": "am2",
            "proposed_on": "2026-01-05",
            "status": "approved",
            "decided_by": "am2",
            "decided_on": "2026-01-20",
            "note": "n",
        },
        {
            "id": "g2",
            "person": "am2",
            "grade": "assistant",
            "proposed_by": "am1",
            "proposed_on": "2026-02-01",
        },
    ],
}


@pytest.mark.parametrize("kind", sorted(RECORDS))
def test_each_kind_builds_as_load_facts_does(kind):
    stored = [validate_record(kind, doc) for doc in RECORDS[kind]]  # what the projection holds
    fast = [build_record(kind, doc) for doc in stored]
    slow = [KINDS[kind].schema().load(strip(kind, doc)) for doc in stored]
    assert fast == slow
    # and every field is compared: a new dataclass field must be taught to stored_facts
    assert {f.name for f in fields(type(fast[0]))} <= BUILDERS[kind].field_names


def test_a_whole_period_equals_load_facts():
    stored = {kind: [validate_record(kind, d) for d in docs] for kind, docs in RECORDS.items()}
    fast = build_facts(
        {k: [build_record(k, d) for d in docs] for k, docs in stored.items()},
        business_line="x",
        month="2026-03",
        quarter="2026-Q1",
    )
    slow = load_facts(
        {
            "business_line": "x",
            "month": "2026-03",
            "quarter": "2026-Q1",
            **{KINDS[k].facts_key: [strip(k, d) for d in docs] for k, docs in stored.items()},
        }
    )
    assert fast == slow


def test_rows_stored_before_flags_were_strict_still_read():
    """intake once accepted "yes", 1 or "no" for a flag (marshmallow's reading); such rows are
    still in projections and must build as they did."""
    branch = build_record("branch", {"id": "b1", "urban": "yes"})
    contract = build_record("contract", {"id": "k1", "total": "10", "tobacco": 1})
    collection = build_record(
        "collection", {"id": "c1", "rep": "r", "date": "2026-01-05", "amount": "5", "in_crm": "no"}
    )
    assert (branch.urban, contract.tobacco, collection.in_crm) == (True, True, False)
