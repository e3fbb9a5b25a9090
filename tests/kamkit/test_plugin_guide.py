"""docs/plugins.md as a new plugin author reads it: its worked example, written into a folder of its own
exactly as the guide shows it, keeps the contract, runs through `kam` before it is installed, states
the figures `kam` prints, and its own unit tests pass.

The guide marks each file of the example with ``<!-- guide:<what> <path> -->`` before its code block.
"""

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
KAM = Path(sys.executable).with_name("kam")
BLOCK = re.compile(r"<!-- guide:(\w+) (\S+) -->\n```\w*\n(.*?)\n```\n", re.S)
PLUGIN = "harbour_rules:HarbourPlugin"


def guide_files() -> dict[str, tuple[str, str]]:
    """what -> (path, text) of each marked block."""
    blocks = BLOCK.findall(GUIDE.read_text(encoding="utf-8"))
    return {what: (path, text + "\n") for what, path, text in blocks}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("harbour-rules")
    for path, text in guide_files().values():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text, encoding="utf-8")
    return folder


def run(*args, cwd):
    out = subprocess.run([*map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300)
    assert "Traceback" not in out.stderr, out.stderr
    return out


def test_the_guide_marks_each_file_of_its_example():
    files = guide_files()
    assert set(files) == {"plugin", "facts", "pyproject", "test"}
    assert files["plugin"][0] == "harbour_rules.py" and files["facts"][0] == "facts.yaml"


def test_the_guides_pyproject_registers_the_class_under_its_key():
    _, text = guide_files()["pyproject"]
    entry_points = tomllib.loads(text)["project"]["entry-points"]["kam.rules"]
    assert entry_points == {"harbour": PLUGIN}


def test_the_guides_plugin_keeps_the_contract(project):
    probe = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); from harbour_rules import HarbourPlugin; "
        "from kamkit.conformance import check_plugin; "
        "print(json.dumps([p.to_dict() for p in check_plugin(HarbourPlugin)]), HarbourPlugin.key)"
    )
    out = run(sys.executable, "-c", probe, project, cwd=project)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["[]", "harbour"]
    out = run(KAM, "check-plugin", PLUGIN, cwd=project)  # as the guide shows it, from the project folder
    assert (out.returncode, out.stdout.split(":")[0]) == (0, "harbour 1.0.0"), out.stdout + out.stderr
    assert out.stdout.startswith("harbour 1.0.0: ok (")


def test_kam_prints_the_figures_the_guide_states(project):
    guide = GUIDE.read_text(encoding="utf-8")
    month = run(KAM, "assess-month", PLUGIN, "facts.yaml", "--json", cwd=project)
    assert month.returncode == 0, month.stderr
    assert json.loads(month.stdout)["totals"] == {"ana": {"points": "2"}, "ben": {"points": "2"}}
    assert "ana and ben lose 2 points each" in guide
    quarter = run(KAM, "commission-quarter", PLUGIN, "facts.yaml", "--json", cwd=project)
    assert quarter.returncode == 0, quarter.stderr
    result = json.loads(quarter.stdout)
    totals = {person: t["CNY"]["total"] for person, t in result["totals"].items()}
    assert totals == {"ana": "13500.03", "ben": "1500.00"}
    assert "reported **13500.03**" in guide and "30,000 = **1500.00**" in guide
    figures = [(l["person"], l["kind"], l["figure"]) for l in result["lines"]]
    assert figures == [
        ("ana", "commission", "6000.00"),
        ("ana", "commission", "4500.03"),
        ("ana", "year_bonus", "3000.00"),
        ("ana", "attainment", "1.0500025"),
        ("ben", "commission", "1500.00"),
    ]
    assert "(reported 4500.03)" in guide and "= 1.0500025" in guide
    assert result["carried"] == {
        "ana": {"sales_to_date": "210000.50", "bonus_paid": True},
        "ben": {"sales_to_date": "30000", "bonus_paid": False},
    }


def test_the_guides_unit_tests_pass(project):
    out = run(
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:pytest_nameko",
        "-p",
        "no:nameko_sqlalchemy",
        "tests",
        cwd=project,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert " passed" in out.stdout, out.stdout
