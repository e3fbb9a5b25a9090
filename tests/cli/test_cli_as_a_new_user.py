"""The CLI run as a new user would: bad files, carried state from the wrong place, typos in roles,
grades and references, pipes, and totals that keep units apart. Every refusal exits 2 naming the
field or file, never with a traceback."""

import json
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest
import yaml

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def kam(*args, check=False):
    out = subprocess.run(
        [sys.executable, "-m", "kamcli.main", *map(str, args)], capture_output=True, text=True
    )
    assert "Traceback" not in out.stderr, out.stderr
    if check:
        assert out.returncode == 0, out.stderr
    return out


def test_a_binary_or_non_utf8_facts_file_is_refused_by_name(tmp_path):
    latin = tmp_path / "facts.yaml"
    latin.write_bytes("people: [{id: am1, role: account_manager, name: Jos\xe9}]".encode("latin-1"))
    out = kam("assess-month", "telecom", latin)
    assert (
        out.returncode == 2 and "facts" in out.stderr and str(latin) in out.stderr and "UTF-8" in out.stderr
    )
    binary = tmp_path / "facts.json"
    binary.write_bytes(b"\x00\x01\x02PK\x03\x04")
    out = kam("assess-month", "telecom", binary)
    assert out.returncode == 2 and "binary" in out.stderr


def test_carried_state_is_tied_to_its_plugin_line_and_quarter(tmp_path):
    q2 = tmp_path / "q2.json"
    kam("commission-quarter", "software", EXAMPLES / "software.yaml", "--carried-out", q2, check=True)
    envelope = json.loads(q2.read_text())
    assert (envelope["plugin"], envelope["business_line"], envelope["quarter"]) == (
        "software",
        "fuzhou-software",
        "2026-Q2",
    )
    assert D(envelope["state"]["lin"]["carry"]) == 45000
    # Q2's state starts Q3; fed into Q1 it is refused, naming the quarter
    kam(
        "commission-quarter",
        "software",
        EXAMPLES / "software.yaml",
        "--quarter",
        "2026-Q3",
        "--carried",
        q2,
        check=True,
    )
    out = kam(
        "commission-quarter", "software", EXAMPLES / "software.yaml", "--quarter", "2026-Q1", "--carried", q2
    )
    assert out.returncode == 2 and "carried.quarter" in out.stderr and "2026-Q2" in out.stderr
    # another plugin's state
    out = kam(
        "commission-quarter",
        "software-progressive",
        EXAMPLES / "software.yaml",
        "--quarter",
        "2026-Q3",
        "--carried",
        q2,
    )
    assert out.returncode == 2 and "carried.plugin" in out.stderr
    # a bare state that does not say where it comes from, and a malformed file
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(envelope["state"]))
    out = kam(
        "commission-quarter",
        "software",
        EXAMPLES / "software.yaml",
        "--quarter",
        "2026-Q3",
        "--carried",
        bare,
    )
    assert out.returncode == 2 and "carried:" in out.stderr and "--carried-out" in out.stderr
    broken = tmp_path / "broken.json"
    broken.write_text('{"plugin": "software", "quarter": ')
    out = kam("commission-quarter", "software", EXAMPLES / "software.yaml", "--carried", broken)
    assert out.returncode == 2 and "carried" in out.stderr and "not valid JSON" in out.stderr
    garbled = tmp_path / "garbled.json"
    garbled.write_text(json.dumps({**envelope, "state": {"lin": {"year": "soon", "carry": "lots"}}}))
    out = kam(
        "commission-quarter",
        "software",
        EXAMPLES / "software.yaml",
        "--quarter",
        "2026-Q3",
        "--carried",
        garbled,
    )
    assert out.returncode == 2 and "carried.lin.year" in out.stderr and "carried.lin.carry" in out.stderr


def test_a_quarter_after_q1_without_a_carried_state_is_warned_about(tmp_path):
    document = yaml.safe_load((EXAMPLES / "software.yaml").read_text(encoding="utf-8"))
    document.pop("carried")
    facts = tmp_path / "q2.json"
    facts.write_text(json.dumps(document, default=str))
    out = kam("commission-quarter", "software", facts, check=True)
    assert "warning: 2026-Q2 runs without a carried state" in out.stderr


@pytest.mark.parametrize(
    "plugin, example, change, field",
    [
        ("telecom", "telecom.yaml", lambda d: d["people"][0].update(role="acount_manager"), "people.0.role"),
        ("banking", "banking.yaml", lambda d: d["people"][0].update(grade="juniour"), "people.0.grade"),
        ("banking", "banking.yaml", lambda d: d["loans"][0].update(referrer="telller"), "loans.0.referrer"),
        (
            "software",
            "software.yaml",
            lambda d: d["collections"][2].update(contract="k-gvo"),
            "collections.2.contract",
        ),
    ],
)
def test_typos_in_roles_grades_and_references_are_refused(tmp_path, plugin, example, change, field):
    document = yaml.safe_load((EXAMPLES / example).read_text(encoding="utf-8"))
    change(document)
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(document, default=str))
    out = kam("assess-month", plugin, facts)
    assert out.returncode == 2 and field in out.stderr, out.stderr


def test_json_piped_into_head_ends_without_a_traceback(tmp_path):
    facts = tmp_path / "many.json"  # output well beyond a pipe's 64 KiB buffer
    facts.write_text(
        json.dumps(
            {
                "opportunities": [
                    {"id": f"o{i}", "amount": 30000, "discovered": "2026-03-02"} for i in range(3000)
                ]
            }
        )
    )
    out = subprocess.run(
        f"{sys.executable} -m kamcli.main classify telecom {facts} --json | head -c 100",
        shell=True,
        capture_output=True,
    )
    assert len(out.stdout) == 100
    assert b"Traceback" not in out.stderr and b"BrokenPipe" not in out.stderr


def test_totals_keep_units_apart_and_figures_read_well():
    pay = json.loads(
        kam("commission-quarter", "telecom", EXAMPLES / "telecom.yaml", "--json", check=True).stdout
    )
    assert pay["totals"] and all("points" not in row for row in pay["totals"].values())  # a pay run
    some = next(row["CNY"] for row in pay["totals"].values() if row.get("CNY"))
    # money half-up to 0.01, base pay apart from commission and bonus; total = base + commission + deductions
    assert all(len(v.split(".")[1]) == 2 for v in some.values())
    assert D(some["base"]) + D(some["commission_and_bonus"]) + D(some["deductions"]) == D(some["total"])
    month = json.loads(kam("assess-month", "telecom", EXAMPLES / "telecom.yaml", "--json", check=True).stdout)
    assert any("points" in row for row in month["totals"].values())
    assert any("veto_flag" in row.get("flags", []) for row in month["totals"].values())
    text = kam("commission-quarter", "telecom", EXAMPLES / "telecom.yaml", check=True).stdout
    totals = text.split("\nTotals\n")[1]
    assert "points" not in totals and "base pay" in totals and "commission & bonus" in totals
    # no 28-digit ratios, no 75000.0
    assert not any(
        len(tok.split(".")[-1].rstrip(",)")) > 8
        for tok in text.split()
        if tok.count(".") == 1 and tok.replace(".", "").replace(",", "").rstrip(")").split("=")[-1].isdigit()
    )
    assert ".0," not in text and ".0)" not in text


def test_a_deal_above_list_price_is_allowed_and_said(tmp_path):
    document = yaml.safe_load((EXAMPLES / "telecom.yaml").read_text(encoding="utf-8"))
    deal = document["deals"][0]
    deal["deal_price"] = str(D(str(deal["list_price"])) * D("1.1"))
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(document, default=str))
    lines = json.loads(kam("commission-quarter", "telecom", facts, "--json", check=True).stdout)["lines"]
    (line,) = [l for l in lines if l["kind"] == "commission" and l["inputs"]["deal"] == deal["id"]]
    assert line["inputs"]["above_list_price"] is True and "above the list price" in line["reason_en"]
