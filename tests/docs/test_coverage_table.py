"""docs/coverage.md (and docs/coverage/<plugin>.md) has a row for every clause every built-in plugin
cites, and every row names code and a test that exist."""

import re
from pathlib import Path

import pytest

from kamkit.loader import load_plugin
from plugins import BUILT_IN

ROOT = Path(__file__).resolve().parents[2]


def rows():
    files = [ROOT / "docs" / "coverage.md", *sorted((ROOT / "docs" / "coverage").glob("*.md"))]
    text = "\n".join(f.read_text(encoding="utf-8") for f in files)
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[2].endswith(tuple("abcdefghijklmnopqrstuvwxyz_")) and ":" in cells[2]:
            yield cells


def test_every_row_names_existing_code_and_tests():
    found = list(rows())
    assert len(found) > 50
    for _rules, _clause, code, test in found:
        path, function = code.split(":")
        assert re.search(rf"(def|class) {function}\b", (ROOT / path).read_text(encoding="utf-8")), code
        path, name = test.split("::")
        assert re.search(rf"def {name}\b", (ROOT / path).read_text(encoding="utf-8")), test


@pytest.mark.parametrize("key", BUILT_IN)
def test_no_clause_without_a_row(key):
    covered = {clause for _, clause, _, _ in rows()}
    missing = sorted(set(load_plugin(key).clauses) - covered)
    assert not missing, f"clauses of {key} with no coverage row: {missing}"
