"""A closed sheet stores each line as JSON written by orjson straight from the line
(services.common.ledger.line_json); read back, it must be exactly the line's reported form,
Line.to_dict(), for every kind of input a plugin puts in a line."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from services.common.ledger import line_json
from shared.explain import CNY, INFO, POINTS, Line
from shared.periods import Month, Quarter


def test_line_json_reads_back_as_to_dict():
    lines = [
        # CNY is reported rounded half-up: 1234.565 -> 1234.57
        Line("lin", "account_manager", Decimal("1234.565"), CNY, "bonus", "002/KAP §三", "奖金", "bonus",
             {"rate": Decimal("0.04"), "credit": Decimal("30864.125"), "date": date(2026, 3, 2),
              "quarter": Quarter(2026, 1), "months": (Month(2026, 1), Month(2026, 2)), "met": True,
              "note": None, "count": 3, "nested": {"share": Decimal("0.7"), "who": ["a", "b"]},
              "by_year": {2026: Decimal(1)}}),
        Line("am1", "account_manager", Decimal(10), POINTS, "missed_report_important", "000 §(三)(一)2",
             "商机 o1 漏报", "missed report of o1", {}),
        Line("x", "unit", Decimal("0"), INFO, "credited_not_run", "002/KAB §二5", "记入", "credited",
             {"cases": [{"opportunity": "o1", "cause": "lost (objective)"}], "kinds": frozenset({"a"})}),
    ]
    for line in lines:
        assert json.loads(line_json(line)) == line.to_dict()
