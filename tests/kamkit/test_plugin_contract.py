"""Plugins are found by entry point, configured per business line, and validated by name."""

from decimal import Decimal

import pytest

from kamkit.config import load_config, parse_config
from kamkit.errors import ConfigError, UnknownPlugin
from kamkit.facts_schema import load_facts
from kamkit.loader import available, load_plugin
from kamkit.params import Param
from kamkit.plugin import RulePlugin
from plugins import BUILT_IN as ALL_BUILT_IN

BUILT_IN = set(ALL_BUILT_IN)


def test_built_in_and_third_party_plugins_are_discovered_by_entry_point():
    # acme-flat lives in examples/acme-rules, a separately installed distribution
    found = available()
    assert BUILT_IN | {"acme-flat"} <= set(found)
    assert found["acme-flat"].dist.name == "acme-rules"


@pytest.mark.parametrize("key", sorted(BUILT_IN | {"acme-flat"}))
def test_every_plugin_honours_the_contract(key):
    plugin = load_plugin(key)
    assert isinstance(plugin, RulePlugin) and plugin.key == key
    assert plugin.version and plugin.names.zh and plugin.names.en
    assert plugin.ladder and set(plugin.ladder) <= set(plugin.roles)
    names = [p.name for p in plugin.parameters]
    assert len(names) == len(set(names)), "parameter names must be unique"
    for p in plugin.parameters:
        assert p.basis in {"seed", "default", "reading"} and p.doc and p.clause
    described = plugin.describe()
    assert {p["name"] for p in described["parameters"]} == set(names)


def test_unknown_plugin_error_lists_installed_ones():
    with pytest.raises(UnknownPlugin) as exc:
        load_plugin("telekom")
    message = exc.value.errors[0]["message"]
    assert "'telekom'" in message and "telecom" in message and "acme-flat" in message


def test_override_is_typed_and_unknown_parameter_is_named():
    plugin = load_plugin("acme-flat", {"missed_points": "4.5", "big_deal": 50000})
    assert plugin.params["missed_points"] == Decimal("4.5")
    assert plugin.params["big_deal"] == Decimal(50000)
    with pytest.raises(ConfigError) as exc:
        load_plugin("acme-flat", {"missed_pionts": 4})
    assert exc.value.errors[0]["field"] == "parameters.missed_pionts"
    assert "missed_points" in exc.value.errors[0]["message"]  # lists what exists
    with pytest.raises(ConfigError) as exc:
        load_plugin("acme-flat", {"rate": "lots"})
    assert exc.value.errors[0]["field"] == "rate"
    with pytest.raises(ConfigError):
        load_plugin("acme-flat", {"follow_up_days": 0})


def test_a_parameter_declares_its_bounds_and_an_override_outside_them_is_named():
    # a divisor: 0 would divide by zero, and a negative one is refused as "> 0", not as ">= 0"
    divisor = Param("d", Decimal("1.17"), "ratio", "X §1", "Divides.", positive=True)
    assert divisor.parse("0.5") == Decimal("0.5")
    for bad in (0, "0", "0.000", "-1.17"):
        with pytest.raises(ConfigError) as exc:
            divisor.parse(bad)
        assert exc.value.errors == [{"field": "d", "message": f"must be > 0, got {bad}"}]
    months = Param("m", 3, "int", "X §1", "Months.", minimum=1)
    assert months.parse(1) == 1
    with pytest.raises(ConfigError) as exc:
        months.parse(0)
    assert exc.value.errors == [{"field": "m", "message": "must be >= 1, got 0"}]
    with pytest.raises(ConfigError, match="must be an integer|Not a valid integer"):
        months.parse("soon")  # not a number: the kind says so


@pytest.mark.parametrize(
    "key, name",
    [
        ("software", "vat_divisor"),
        ("software-progressive", "vat_divisor"),
        ("banking", "overdue_step"),
        ("software", "kpi_divisor"),
        ("software-progressive", "kpi_divisor"),
        ("telecom", "kpi_divisor"),
    ],
)
def test_every_divisor_of_the_built_in_plugins_must_be_above_zero(key, name):
    # each is divided by (a bonus / vat_divisor; the excess overdue rate / overdue_step; a KPI score /
    # kpi_divisor): 0 was a DivisionByZero in the middle of a run
    with pytest.raises(ConfigError) as exc:
        load_plugin(key, {name: 0})
    assert exc.value.errors[0]["field"] == name and "must be > 0" in exc.value.errors[0]["message"]
    assert load_plugin(key, {name: "0.01"}).params[name] == Decimal("0.01")


COUNTS = [(key, p.name) for key in sorted(BUILT_IN) for p in load_plugin(key).parameters if p.kind == "int"]


@pytest.mark.parametrize(("key", "name"), COUNTS)
def test_no_count_of_the_built_in_plugins_takes_a_negative_value(key, name):
    # months, years, loans, lines and quotas: a negative count means nothing (a quota of -1 entries)
    with pytest.raises(ConfigError) as exc:
        load_plugin(key, {name: -1})
    assert exc.value.errors[0]["field"] == name and "must be >=" in exc.value.errors[0]["message"]


def test_the_counts_checked_are_many():
    assert len({key for key, _ in COUNTS}) >= 4


def test_config_picks_a_plugin_per_business_line(tmp_path):
    path = tmp_path / "org.yaml"
    path.write_text(
        """
business_lines:
  city-telecom:
    plugin: telecom
  acme-sales:
    plugin: acme-flat
    parameters:
      missed_points: 6
""",
        encoding="utf-8",
    )
    config = load_config(path)
    acme = config.plugin_for("acme-sales")
    assert acme.key == "acme-flat" and acme.params["missed_points"] == Decimal(6)
    assert config.plugin_for("city-telecom").key == "telecom"
    # The swapped-in third-party rules really run: 2 audit findings x 6 points = 12 for am1.
    facts = load_facts(
        {
            "month": "2026-03",
            "people": [{"id": "am1", "role": "account_manager"}],
            "opportunities": [
                {
                    "id": f"o{i}",
                    "amount": 30000,
                    "discovered": f"2026-03-0{i}",
                    "origin": "audit",
                    "account_manager": "am1",
                }
                for i in (1, 2)
            ],
        }
    )
    lines = acme.assess_month(facts).lines
    assert [l.figure for l in lines] == [Decimal(6), Decimal(6)]
    assert {l.clause for l in lines} == {"ACME §2"}
    with pytest.raises(ConfigError) as exc:
        config.plugin_for("retail")
    assert "acme-sales" in exc.value.errors[0]["message"]


def test_config_errors_name_the_line_and_field():
    with pytest.raises(UnknownPlugin) as exc:
        parse_config({"business_lines": {"x": {"plugin": "nope"}}})
    assert exc.value.errors[0]["field"] == "business_lines.x.plugin"
    with pytest.raises(ConfigError) as exc:
        parse_config({"business_lines": {"x": {"plugin": "acme-flat", "parameters": {"bogus": 1}}}})
    assert exc.value.errors[0]["field"] == "business_lines.x.parameters.bogus"
    with pytest.raises(ConfigError) as exc:
        parse_config({"business_lines": {"x": {"plugn": "acme-flat"}}})
    assert {e["field"] for e in exc.value.errors} == {
        "business_lines.x.value.plugin",
        "business_lines.x.value.plugn",
    }


def test_escalation_climbs_one_rung_per_overdue_week():
    plugin = load_plugin("acme-flat")  # ladder: account_manager -> branch_manager
    assert plugin.escalation_role("account_manager", 6) == []
    # day 7: week 1 overdue -> one rung up
    assert plugin.escalation_role("account_manager", 7) == [(1, "branch_manager")]
    # day 20: weeks 1 and 2, but the ladder has only one rung above: stays at the top
    assert plugin.escalation_role("account_manager", 20) == [(1, "branch_manager")]
    assert plugin.escalation_role("branch_manager", 30) == []
    custom = load_plugin("acme-flat", {"follow_up_days": 3})
    assert custom.escalation_role("account_manager", 3) == [(1, "branch_manager")]
