"""Bad facts get an error naming every bad field; good facts become exact records."""

from datetime import date
from decimal import Decimal

import pytest

from kamkit.errors import InvalidFacts
from kamkit.facts_schema import load_facts
from kamkit.periods import Month

PEOPLE = [{"id": "am1", "role": "account_manager", "branch": "b1"}]
BRANCHES = [{"id": "b1", "urban": True}]


def fields_of(exc):
    return {e["field"]: e["message"] for e in exc.value.errors}


def test_good_facts_load_exactly():
    facts = load_facts(
        {
            "month": "2026-03",
            "branches": BRANCHES,
            "people": PEOPLE,
            "opportunities": [
                {
                    "id": "o1",
                    "amount": 0.9,
                    "discovered": "2026-03-02",
                    "branch": "b1",
                    "account_manager": "am1",
                    "lines": 5,
                }
            ],
        }
    )
    assert facts.month == Month(2026, 3)
    # YAML/JSON float 0.9 is read through its shortest repr: exactly 0.9, not 0.90000000000000002
    assert facts.opportunities[0].amount == Decimal("0.9")
    assert facts.opportunities[0].discovered == date(2026, 3, 2)
    assert facts.branch("b1").urban is True


@pytest.mark.parametrize(
    "document, field, words",
    [
        ({"opportunities": [{"id": "o", "discovered": "2026-01-01"}]}, "opportunities.0.amount", "required"),
        (
            {"opportunities": [{"id": "o", "amount": -1, "discovered": "2026-01-01"}]},
            "opportunities.0.amount",
            ">= 0",
        ),
        (
            {"opportunities": [{"id": "o", "amount": "lots", "discovered": "2026-01-01"}]},
            "opportunities.0.amount",
            "number",
        ),
        (
            {"opportunities": [{"id": "o", "amount": True, "discovered": "2026-01-01"}]},
            "opportunities.0.amount",
            "number",
        ),
        (
            {"opportunities": [{"id": "o", "amount": 1, "discovered": "2026-02-30"}]},
            "opportunities.0.discovered",
            "date",
        ),
        ({"month": "2026-13"}, "month", "does not exist"),
        ({"quarter": "2026-Q7"}, "quarter", "not a quarter"),
        (
            {"opportunities": [{"id": "o", "amount": 1, "discovered": "2026-01-01", "scope": "global"}]},
            "opportunities.0.scope",
            "Must be one of",
        ),
        (
            {"opportunities": [{"id": "o", "amount": 1, "discovered": "2026-01-01", "amuont": 3}]},
            "opportunities.0.amuont",
            "Unknown field",
        ),
        (
            {
                "deals": [
                    {
                        "id": "d",
                        "seller": "x",
                        "date": "2026-01-01",
                        "list_price": 0,
                        "deal_price": 1,
                        "agent": True,
                    }
                ]
            },
            "deals.0.list_price",
            "> 0",
        ),
        (
            {
                "portfolios": [{"manager": "am1", "month": "2026-01", "balance": 10, "overdue_balance": 11}],
                "people": PEOPLE,
                "branches": BRANCHES,
            },
            "portfolios.0.overdue_balance",
            "exceed",
        ),
    ],
)
def test_bad_field_is_named(document, field, words):
    with pytest.raises(InvalidFacts) as exc:
        load_facts(document)
    errors = fields_of(exc)
    assert field in errors, errors
    assert words in errors[field]


def test_every_bad_field_is_reported_at_once():
    with pytest.raises(InvalidFacts) as exc:
        load_facts(
            {
                "month": "2026-00",
                "opportunities": [
                    {"id": "a", "amount": -5, "discovered": "2026-01-01"},
                    {"id": "b", "amount": "x", "discovered": "never"},
                ],
            }
        )
    assert set(fields_of(exc)) == {
        "month",
        "opportunities.0.amount",
        "opportunities.1.amount",
        "opportunities.1.discovered",
    }


def test_dangling_and_duplicate_references_are_named():
    with pytest.raises(InvalidFacts) as exc:
        load_facts(
            {
                "branches": BRANCHES,
                "people": PEOPLE + [{"id": "am1", "role": "x"}],
                "opportunities": [
                    {
                        "id": "o",
                        "amount": 1,
                        "discovered": "2026-01-01",
                        "account_manager": "ghost",
                        "branch": "b9",
                    }
                ],
                "loss_reviews": [{"opportunity": "nope", "verdict": "pending"}],
            }
        )
    errors = fields_of(exc)
    assert "duplicate id 'am1'" in errors["people.1.id"]
    assert "unknown id 'ghost'" in errors["opportunities.0.account_manager"]
    assert "unknown id 'b9'" in errors["opportunities.0.branch"]
    assert "unknown id 'nope'" in errors["loss_reviews.0.opportunity"]


def test_collection_shares_must_sum_to_one_and_verdicts_need_a_date():
    with pytest.raises(InvalidFacts) as exc:
        load_facts(
            {
                "people": PEOPLE + [{"id": "am2", "role": "account_manager"}],
                "branches": BRANCHES,
                "collections": [
                    {
                        "id": "c",
                        "rep": "am1",
                        "date": "2026-01-05",
                        "amount": 100,
                        "contributions": [
                            {"person": "am1", "share": "0.6"},
                            {"person": "am2", "share": "0.3"},
                        ],
                    }
                ],
                "opportunities": [{"id": "o", "amount": 1, "discovered": "2026-01-01"}],
                "loss_reviews": [{"opportunity": "o", "verdict": "subjective"}],
            }
        )
    errors = fields_of(exc)
    assert "sum to 1" in errors["collections.0.contributions"]
    assert "decided" in errors["loss_reviews.0.decided"]


def test_top_level_must_be_a_mapping():
    with pytest.raises(InvalidFacts):
        load_facts([1, 2])
