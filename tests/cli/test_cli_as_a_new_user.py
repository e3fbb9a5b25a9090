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


# --- carried state, parameters and output files as a new user meets them --------------------------


def _software(tmp_path, name, change):
    """examples/software.yaml changed by ``change`` (a function of the document), as a JSON file."""
    document = yaml.safe_load((EXAMPLES / "software.yaml").read_text(encoding="utf-8"))
    change(document)
    path = tmp_path / name
    path.write_text(json.dumps(document, default=str))
    return path


def _figures(out):
    """What a run computed: its lines and totals (the same figures, reasons and inputs)."""
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    return payload["lines"], payload["totals"], payload["carried"]


def test_a_carried_state_naming_no_line_or_facts_naming_none_is_applied_only_when_accepted(tmp_path):
    q2 = tmp_path / "q2.json"
    kam("commission-quarter", "software", EXAMPLES / "software.yaml", "--carried-out", q2, check=True)
    envelope = json.loads(q2.read_text())
    q3 = ("commission-quarter", "software", EXAMPLES / "software.yaml", "--quarter", "2026-Q3", "--json")
    named = _figures(kam(*q3, "--carried", q2))
    # a state that names no business line could be any line's: refused naming the field
    unnamed = tmp_path / "unnamed.json"
    unnamed.write_text(json.dumps({**envelope, "business_line": None}))
    out = kam(*q3[:-1], "--carried", unnamed)
    assert out.returncode == 2 and "carried.business_line" in out.stderr and "--accept-carried" in out.stderr
    # ... applied when the user says it is this line's, with the same figures as the named state
    assert _figures(kam(*q3, "--carried", unnamed, "--accept-carried")) == named
    # facts that name no line, given a state produced for fuzhou-software: refused naming the facts'
    # field and the line the state names
    lineless = _software(tmp_path, "lineless.json", lambda d: d.pop("business_line"))
    out = kam("commission-quarter", "software", lineless, "--quarter", "2026-Q3", "--carried", q2)
    assert out.returncode == 2 and "business_line:" in out.stderr and "fuzhou-software" in out.stderr
    accepted = kam(
        "commission-quarter",
        "software",
        lineless,
        "--quarter",
        "2026-Q3",
        "--carried",
        q2,
        "--json",
        "--accept-carried",
    )
    assert _figures(accepted) == named
    # another line's state is refused even when accepted: the flag vouches for what is not named only
    other = tmp_path / "other.json"
    other.write_text(json.dumps({**envelope, "business_line": "xiamen-software"}))
    out = kam(*q3[:-1], "--carried", other, "--accept-carried")
    assert out.returncode == 2 and "carried.business_line" in out.stderr and "xiamen-software" in out.stderr


def test_what_json_prints_is_a_carried_state_the_next_quarter_reads(tmp_path):
    q2_run, q2_out = tmp_path / "q2-run.json", tmp_path / "q2.json"
    printed = kam("commission-quarter", "software", EXAMPLES / "software.yaml", "--json", check=True).stdout
    q2_run.write_text(printed)
    kam("commission-quarter", "software", EXAMPLES / "software.yaml", "--carried-out", q2_out, check=True)
    q3 = ("commission-quarter", "software", EXAMPLES / "software.yaml", "--quarter", "2026-Q3", "--json")
    direct = _figures(kam(*q3, "--carried", q2_out))
    # the whole --json output names its plugin, line and quarter: read as --carried-out's file is
    assert json.loads(printed)["business_line"] == "fuzhou-software"
    assert _figures(kam(*q3, "--carried", q2_run)) == direct
    # the state was applied: lin's Q2 credit 180,000 + 30% of c3's net 350,000 = 285,000 repaid Q1's
    # 40,000, E 245,000 - T 200,000 = 45,000 carried; Q3 has no collections: X = 0 + 45,000
    lines, _, _ = direct
    assert [l["figure"] for l in lines if l["person"] == "lin" and l["kind"] == "quarter_credit"] == ["45000"]
    # its bare `carried` (person -> state) names nothing: refused by field, applied when accepted
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(json.loads(printed)["carried"]))
    out = kam(*q3[:-1], "--carried", bare)
    assert out.returncode == 2 and "carried" in out.stderr and "--accept-carried" in out.stderr
    assert _figures(kam(*q3, "--carried", bare, "--accept-carried")) == direct
    # null is no carried state (a first quarter): as a file, as --json's `carried`, in the facts
    none = _software(tmp_path, "none.json", lambda d: d.pop("carried"))
    q1 = ("commission-quarter", "software", none, "--quarter", "2026-Q1", "--json")
    first = _figures(kam(*q1))
    nothing = tmp_path / "null.json"
    nothing.write_text("null")
    assert _figures(kam(*q1, "--carried", nothing)) == first
    nothing.write_text(json.dumps({"plugin": "software", "quarter": "2025-Q4", "carried": None}))
    assert _figures(kam(*q1, "--carried", nothing)) == first
    null_facts = _software(tmp_path, "null-facts.json", lambda d: d.update(carried=None))
    assert (
        _figures(kam("commission-quarter", "software", null_facts, "--quarter", "2026-Q1", "--json")) == first
    )


@pytest.mark.parametrize(
    "plugin, example, param",
    [
        ("software", "software.yaml", "vat_divisor=0"),
        ("software", "software.yaml", "vat_divisor=-1.17"),
        ("software-progressive", "software-progressive.yaml", "vat_divisor=0"),
        ("banking", "banking.yaml", "overdue_step=0"),
        ("software", "software.yaml", "kpi_divisor=0"),  # was a DivisionByZero in the KPI factor
        ("telecom", "telecom.yaml", "kpi_divisor=0"),
    ],
)
def test_a_divisor_of_zero_is_refused_by_name_before_the_run(plugin, example, param):
    for command in ("commission-quarter", "assess-month"):
        out = kam(command, plugin, EXAMPLES / example, "--param", param)
        name = param.split("=")[0]
        assert out.returncode == 2 and f"parameters.{name}" in out.stderr and "> 0" in out.stderr, out.stderr
        assert out.stdout == ""


def test_an_output_file_in_a_missing_folder_is_refused_before_the_run(tmp_path):
    missing = tmp_path / "no-such-folder"
    for option, command in (
        ("--carried-out", "commission-quarter"),
        ("--xlsx", "commission-quarter"),
        ("--html", "assess-month"),
    ):
        out = kam(command, "software", EXAMPLES / "software.yaml", option, missing / "out.file")
        assert out.returncode == 2 and option in out.stderr and str(missing) in out.stderr, out.stderr
        assert "does not exist" in out.stderr and out.stdout == ""  # nothing computed, nothing printed
    assert not missing.exists()  # and nothing created
    out = kam("commission-quarter", "software", EXAMPLES / "software.yaml", "--carried-out", tmp_path)
    assert out.returncode == 2 and "--carried-out" in out.stderr and "folder" in out.stderr


def test_a_half_year_flag_from_one_quarter_says_it_is_provisional():
    # examples/software.yaml runs 2026-Q2 with Q1's carried state for lin only: lin's half-year
    # grade (+1) is final; wang's is computed from Q2 alone (Q1 not known): provisional
    payload = json.loads(
        kam("commission-quarter", "software", EXAMPLES / "software.yaml", "--json", check=True).stdout
    )
    flags = {l["person"]: l for l in payload["lines"] if l["kind"].startswith("salary_grade")}
    assert flags["lin"]["inputs"]["provisional"] is False and "provisional" not in flags["lin"]["reason_en"]
    assert flags["wang"]["inputs"]["provisional"] is True
    assert "provisional: 2026-Q2 only" in flags["wang"]["reason_en"]
    assert payload["totals"]["lin"]["flags"] == ["salary_grade_up"]
    assert "salary_grade_up (provisional)" in payload["totals"]["wang"]["flags"]
    text = kam("commission-quarter", "software", EXAMPLES / "software.yaml", check=True).stdout
    assert "salary_grade_up (provisional)" in text.split("\nTotals\n")[1]
