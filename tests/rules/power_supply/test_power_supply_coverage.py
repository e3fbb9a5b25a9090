"""docs/coverage/power-supply.md: every clause of the plugin has a row, every row names code and a test
that exist."""

import re
from pathlib import Path

from plugins.power_supply import PowerSupplyPlugin

ROOT = Path(__file__).resolve().parents[3]


def rows():
    text = (ROOT / "docs" / "coverage" / "power-supply.md").read_text(encoding="utf-8")
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[2].startswith(("plugins/", "kamkit/")):
            yield cells


def test_power_supply_coverage_rows_name_existing_code_and_tests():
    found = list(rows())
    assert len(found) >= 15
    for _, clause, code, test in found:
        assert clause in PowerSupplyPlugin.clauses, clause
        path, function = code.split(":")
        assert re.search(rf"(def|class) {function}\b", (ROOT / path).read_text(encoding="utf-8")), code
        path, name = test.split("::")
        assert re.search(rf"def {name}\b", (ROOT / path).read_text(encoding="utf-8")), test


def test_power_supply_every_clause_has_a_coverage_row():
    # the warnings (docs/rules.md §8) are covered in docs/coverage/warnings.md
    assert set(PowerSupplyPlugin.clauses) - {"rules §8"} <= {clause for _, clause, _, _ in rows()}
