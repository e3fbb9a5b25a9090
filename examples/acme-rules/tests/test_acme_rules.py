"""How a plugin author tests rules: small facts written out, every figure worked by hand in a comment,
and the kit's conformance checks in one test. Run from this folder: `python -m pytest`."""

from decimal import Decimal

from acme_rules import AcmeFlatPlugin
from kamkit import Opportunity
from kamkit.conformance import check_plugin
from kamkit.facts_schema import load_facts

PEOPLE = [{"id": "am1", "role": "account_manager"}, {"id": "bm1", "role": "branch_manager"}]


def opportunity(amount: str) -> Opportunity:
    return load_facts(
        {"opportunities": [{"id": "o1", "amount": amount, "discovered": "2026-03-02"}]}
    ).opportunities[0]


def test_the_plugin_keeps_the_contract():
    assert check_plugin(AcmeFlatPlugin) == []


def test_a_deal_is_big_from_the_threshold_on():
    plugin = AcmeFlatPlugin()
    small = plugin.classify(opportunity("99999.99"))
    assert (small.tier, small.owner_role, small.in_bulletin) == ("small", "account_manager", False)
    big = plugin.classify(opportunity("100000"))  # ACME §1: from 100,000 on, inclusive
    assert (big.tier, big.owner_role, big.in_bulletin, big.clause) == (
        "big",
        "branch_manager",
        True,
        "ACME §1",
    )
    # an organisation's override moves the threshold
    assert AcmeFlatPlugin({"big_deal": 50000}).classify(opportunity("60000")).tier == "big"


def test_each_missed_report_of_the_month_costs_flat_points():
    facts = load_facts(
        {
            "month": "2026-03",
            "people": PEOPLE,
            "opportunities": [
                {
                    "id": "o1",
                    "amount": 30000,
                    "discovered": "2026-03-02",
                    "origin": "audit",
                    "account_manager": "am1",
                },
                {
                    "id": "o2",
                    "amount": 500000,
                    "discovered": "2026-03-30",
                    "origin": "audit",
                    "account_manager": "am1",
                },
                # reported, not found by the audit: no penalty
                {
                    "id": "o3",
                    "amount": 30000,
                    "discovered": "2026-03-03",
                    "entered": "2026-03-04",
                    "account_manager": "am1",
                },
                # found by the audit in February: February's sheet, not March's
                {
                    "id": "o4",
                    "amount": 30000,
                    "discovered": "2026-02-27",
                    "origin": "audit",
                    "account_manager": "am1",
                },
            ],
        }
    )
    lines = AcmeFlatPlugin().assess_month(facts).lines
    # ACME §2: 2 missed reports x 3 points = 6 points for am1, whatever the amounts
    assert [(l.person, l.figure, l.inputs["opportunity"]) for l in lines] == [
        ("am1", Decimal(3), "o1"),
        ("am1", Decimal(3), "o2"),
    ]
    assert sum(l.figure for l in lines) == 6


def test_commission_is_a_flat_rate_and_the_total_carries_to_the_next_quarter():
    document = {
        "quarter": "2026-Q1",
        "people": PEOPLE,
        "deals": [
            {"id": "d1", "seller": "am1", "date": "2026-01-15", "list_price": 60000, "deal_price": 50000},
            {
                "id": "d2",
                "seller": "am1",
                "date": "2026-03-31",
                "list_price": 20000,
                "deal_price": "12345.67",
            },
            {"id": "d3", "seller": "am1", "date": "2026-04-01", "list_price": 10000, "deal_price": 10000},
        ],
    }
    plugin = AcmeFlatPlugin()
    q1 = plugin.commission_quarter(load_facts(document))
    # ACME §3: 3% of 50,000 = 1,500; 3% of 12,345.67 = 370.3701, exact until reported (370.37)
    assert [l.figure for l in q1.lines] == [Decimal("1500.00"), Decimal("370.3701")]
    assert [l.to_dict()["figure"] for l in q1.lines] == ["1500.00", "370.37"]
    assert q1.carried == {"deals_to_date": "62345.67"}  # 50,000 + 12,345.67
    # Q2 starts from Q1's carried state: 62,345.67 + 10,000 (d3, April)
    q2 = plugin.commission_quarter(load_facts({**document, "quarter": "2026-Q2"}), q1.carried)
    assert [l.figure for l in q2.lines] == [Decimal("300.00")]
    assert q2.carried == {"deals_to_date": "72345.67"}
