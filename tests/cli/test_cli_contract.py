"""The what-if CLI: listing, explaining, running, and clear errors instead of tracebacks."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kamcli.main import main

KAM = Path(sys.executable).with_name("kam")

ACME_FACTS = """
month: 2026-03
quarter: 2026-Q1
people:
  - {id: am1, role: account_manager}
opportunities:
  - {id: o1, amount: 150000, discovered: 2026-03-02, origin: audit, account_manager: am1}
  - {id: o2, amount: 8000, discovered: 2026-03-05, account_manager: am1}
deals:
  - {id: d1, seller: am1, date: 2026-02-10, list_price: 100000, deal_price: 90000}
"""


@pytest.fixture
def facts_file(tmp_path):
    path = tmp_path / "acme.yaml"
    path.write_text(ACME_FACTS, encoding="utf-8")
    return path


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_console_script_lists_plugins():
    result = subprocess.run([str(KAM), "plugins"], capture_output=True, text=True, check=True)
    for key in ("telecom", "software", "software-progressive", "banking", "acme-flat"):
        assert key in result.stdout


def test_explain_shows_parameters_with_defaults_and_clauses(capsys):
    code, out, _ = run(capsys, "explain", "acme-flat", "--param", "missed_points=4")
    assert code == 0
    assert "missed_points" in out and "ACME §2" in out and "Points per missed report." in out
    code, out, _ = run(capsys, "explain", "acme-flat", "--json", "--param", "missed_points=4")
    params = {p["name"]: p for p in json.loads(out)["parameters"]}
    assert params["missed_points"]["value"] == "4" and params["missed_points"]["default"] == "3"


def test_runs_each_operation_with_explained_lines(capsys, facts_file):
    code, out, _ = run(capsys, "classify", "acme-flat", facts_file, "--json")
    tiers = {c["opportunity"]: c["tier"] for c in json.loads(out)["classifications"]}
    assert (code, tiers) == (0, {"o1": "big", "o2": "small"})
    code, out, _ = run(capsys, "assess-month", "acme-flat", facts_file)
    assert code == 0 and "ACME §2" in out and "missed report" in out and "Totals" in out
    # flat 3% of 90,000 = 2,700.00
    code, out, _ = run(capsys, "commission-quarter", "acme-flat", facts_file, "--json")
    lines = json.loads(out)["lines"]
    assert [(l["person"], l["figure"], l["clause"]) for l in lines] == [("am1", "2700.00", "ACME §3")]


def test_business_line_from_config(capsys, facts_file, tmp_path):
    config = tmp_path / "org.yaml"
    config.write_text(
        "business_lines:\n  acme-sales:\n    plugin: acme-flat\n    parameters: {rate: 0.05}\n",
        encoding="utf-8",
    )
    # 5% of 90,000 = 4,500.00
    code, out, _ = run(capsys, "commission-quarter", "acme-sales", facts_file, "--config", config, "--json")
    assert code == 0 and json.loads(out)["lines"][0]["figure"] == "4500.00"


@pytest.mark.parametrize(
    "mutation, field",
    [
        (lambda t: t.replace("amount: 150000", "amount: -150000"), "opportunities.0.amount"),
        (lambda t: t.replace("amount: 150000", "amount: lots"), "opportunities.0.amount"),
        (lambda t: t.replace("month: 2026-03", "month: 2026-13"), "month"),
        (lambda t: t.replace("amount: 8000, ", ""), "opportunities.1.amount"),
        (lambda t: t.replace("deal_price: 90000", "deal_price: ninety"), "deals.0.deal_price"),
    ],
)
def test_bad_facts_name_the_field_without_traceback(capsys, tmp_path, mutation, field):
    path = tmp_path / "bad.yaml"
    path.write_text(mutation(ACME_FACTS), encoding="utf-8")
    code, out, err = run(capsys, "assess-month", "acme-flat", path)
    assert code == 2 and "Traceback" not in err
    assert f"  {field}:" in err
    code, out, _ = run(capsys, "assess-month", "acme-flat", path, "--json")
    assert field in {e["field"] for e in json.loads(out)["errors"]}


def test_file_and_plugin_errors_are_clear(capsys, tmp_path, facts_file):
    code, _, err = run(capsys, "assess-month", "acme-flat", tmp_path / "missing.yaml")
    assert code == 2 and "file not found" in err
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    code, _, err = run(capsys, "classify", "acme-flat", broken)
    assert code == 2 and "not valid JSON" in err
    code, _, err = run(capsys, "classify", "nope", facts_file)
    assert code == 2 and "installed:" in err
    code, _, err = run(capsys, "assess-month", "acme-flat", facts_file, "--month", "2026-14")
    assert code == 2 and "--month" in err


def test_console_script_error_exit_code(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(ACME_FACTS.replace("2026-03-02", "2026-02-30"), encoding="utf-8")
    result = subprocess.run(
        [str(KAM), "assess-month", "acme-flat", str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert result.returncode == 2
    assert "opportunities.0.discovered" in result.stderr and "Traceback" not in result.stderr
