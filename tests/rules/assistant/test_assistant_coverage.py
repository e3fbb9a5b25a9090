"""docs/coverage/kam-assistant.md: every clause of the plugin has a row, every row names code and a
test that exist."""

import re
from pathlib import Path

from plugins.assistant import AssistantPlugin

ROOT = Path(__file__).resolve().parents[3]


def rows():
    text = (ROOT / "docs" / "coverage" / "kam-assistant.md").read_text(encoding="utf-8")
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[2].startswith(("plugins/", "kamkit/")):
            yield cells


def test_assistant_coverage_rows_name_existing_code_and_tests():
    found = list(rows())
    assert len(found) >= 40
    for _, clause, code, test in found:
        assert clause in AssistantPlugin.clauses, clause
        path, name = code.split(":")
        assert re.search(rf"(def|class) {name}\b", (ROOT / path).read_text(encoding="utf-8")), code
        path, name = test.split("::")
        assert re.search(rf"def {name}\b", (ROOT / path).read_text(encoding="utf-8")), test


def test_assistant_every_clause_has_a_coverage_row():
    assert set(AssistantPlugin.clauses) <= {clause for _, clause, _, _ in rows()}
