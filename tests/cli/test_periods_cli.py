"""`kam replay` and `kam compare` as a manager reads them (kamcli/periods.py); the calls through
the broker are in tests/gateway/test_gateway_http.py."""

from kamcli.main import build_parser
from kamcli.periods import replay_text

SAME = {
    "service": "compensation",
    "business_line": "tel",
    "period": "2026-Q1",
    "version": 2,
    "plugin": "telecom",
    "plugin_version": "1.0.0",
    "facts_tick": 41,
    "outcome": "identical",
    "lines_compared": 12,
}


def test_an_identical_replay_is_one_line_naming_version_rules_and_tick():
    assert (
        replay_text(SAME)
        == "compensation tel 2026-Q1 v2 (telecom 1.0.0, facts at tick 41): identical (12 lines)"
    )


def test_a_different_replay_lists_each_line_and_total():
    answer = {
        **SAME,
        "outcome": "different",
        "lines_differing": 1,
        "differences": [
            {
                "line": 3,
                "person": "am1",
                "kind": "commission",
                "clause": "003 §六1",
                "recorded": {"figure": "390.00", "unit": "CNY"},
                "replayed": {"figure": "450.00", "unit": "CNY"},
            }
        ],
        "totals_differ": [{"person": "am1", "unit": "CNY", "recorded": "2290.00", "replayed": "2350.00"}],
        "carried_out_differs": True,
    }
    text = replay_text(answer).splitlines()
    assert text[0].endswith("DIFFERENT: 1 of 12 lines")
    assert text[1] == "  line 3 am1 commission [003 §六1]: recorded 390.00 CNY, replayed 450.00 CNY"
    assert text[2] == "  total am1 CNY: recorded 2290.00, replayed 2350.00"
    assert text[3] == "  the carried state handed on differs"


def test_a_replay_not_made_says_why():
    answer = {**SAME, "outcome": "not_replayed", "plugin_version": "0.9.0", "why": "0.9.0 is not installed"}
    assert replay_text(answer).endswith("NOT REPLAYED: 0.9.0 is not installed")


def test_compare_and_rules_take_their_options():
    args = build_parser().parse_args(
        [
            "compare",
            "sw",
            "2026-Q1",
            "--plugin",
            "software-progressive",
            "--param",
            "rate=0.05",
            "--xlsx",
            "q.xlsx",
        ]
    )
    assert (args.plugin, args.param, args.xlsx) == ("software-progressive", ["rate=0.05"], "q.xlsx")
    args = build_parser().parse_args(["rules", "tel", "--from", "2026-07", "--reason", "H2"])
    assert (args.effective_from, args.reason) == ("2026-07", "H2")
