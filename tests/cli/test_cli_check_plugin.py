"""`kam check-plugin`: the contract's checks on an installed key or a module:Class, exit 0 when the
plugin keeps the contract, 1 naming each problem in words, 2 when there is no such plugin."""

import json
import subprocess
import sys
from pathlib import Path

from acme_rules import AcmeFlatPlugin
from kamcli.main import check_outcome
from kamkit.conformance import CHECKS

KAM = Path(sys.executable).with_name("kam")
N = len(CHECKS)


def kam(*args, cwd=None):
    out = subprocess.run([str(KAM), *args], capture_output=True, text=True, cwd=cwd, timeout=120)
    assert "Traceback" not in out.stderr, out.stderr
    return out


class LadderTypo(AcmeFlatPlugin):
    ladder = ("account_manager", "area_manager")


def test_a_plugin_that_keeps_the_contract_is_ok():
    out = kam("check-plugin", "acme-flat")
    assert (out.returncode, out.stdout) == (0, f"acme-flat 1.0.0: ok ({N} checks)\n")
    out = kam("check-plugin", "telecom", "--json")
    assert out.returncode == 0
    assert json.loads(out.stdout) == {
        "plugin": "telecom",
        "version": "1.1.0",
        "ok": True,
        "checks": N,
        "problems": [],
    }


def test_an_unknown_key_exits_2_naming_the_installed_ones():
    out = kam("check-plugin", "telekom")
    assert out.returncode == 2 and out.stdout == ""
    assert "unknown plugin 'telekom'" in out.stderr
    assert all(key in out.stderr for key in ("acme-flat", "banking", "software", "telecom"))
    assert "module:Class" in out.stderr  # how to name a plugin not installed yet
    out = kam("check-plugin", "telekom", "--json")
    assert out.returncode == 2 and json.loads(out.stdout)["error"] == "unknown_plugin"


def test_problems_are_rendered_one_a_line_in_words():
    outcome = check_outcome(LadderTypo)
    assert outcome.exit_code == 1
    head, *problems = outcome.text.splitlines()
    assert head == f"acme-flat 1.0.0: 1 problem ({N} checks)"
    assert len(problems) == 1 and problems[0].startswith(
        "  ladder-role-unknown: the ladder names role 'area_manager', which is not in roles"
    )
    data = json.loads(check_outcome(LadderTypo, as_json=True).text)
    assert (data["ok"], [p["what"] for p in data["problems"]]) == (False, ["ladder-role-unknown"])
    assert check_outcome(AcmeFlatPlugin).exit_code == 0


def test_a_plugin_not_installed_yet_is_named_module_colon_class(tmp_path):
    (tmp_path / "draft_rules.py").write_text(
        "from acme_rules import AcmeFlatPlugin\n\n\n"
        "class Draft(AcmeFlatPlugin):\n"
        "    key = 'draft'\n"
        "    ladder = ('account_manager', 'area_manager')\n",
        encoding="utf-8",
    )
    out = kam("check-plugin", "draft_rules:Draft", cwd=tmp_path)  # imported from the current directory
    assert out.returncode == 1
    assert out.stdout.splitlines()[0] == f"draft 1.0.0: 1 problem ({N} checks)"
    assert "ladder-role-unknown" in out.stdout
    out = kam("check-plugin", "acme_rules:AcmeFlatPlugin", cwd=tmp_path)  # from the installed packages
    assert out.returncode == 0 and out.stdout.startswith("acme-flat 1.0.0: ok")
    out = kam("check-plugin", "draft_rulez:Draft", cwd=tmp_path)
    assert out.returncode == 2 and "draft_rulez" in out.stderr and "acme-flat" in out.stderr
    out = kam("check-plugin", "kamkit:Param", cwd=tmp_path)
    assert out.returncode == 2 and "not a RulePlugin" in out.stderr


def test_help_mentions_the_check():
    out = kam("--help")
    assert out.returncode == 0 and "check-plugin" in out.stdout.split("positional arguments")[0]
