"""A line's rules from a month on (docs/rules.md §9.1): intake keeps each set with who set it,
when and why; bad sets are refused by field and nothing is written."""

import pytest
from intake_worker import service  # noqa: F401 - fixture

from kamkit.errors import Conflict, InvalidFacts, NotFound
from wire import events as E

JULY = {
    "effective_from": "2026-07",
    "plugin": "acme-flat",
    "parameters": {"rate": "0.05"},
    "reason": "new scheme",
}


def _line(service):
    return service.get_record("tel", "business_line", "tel")


def test_a_set_from_july_is_kept_beside_the_first_and_listed(service):
    written = service.set_line_rules("tel", {**JULY, "set_by": "clerk1"}, idempotency_key="r1")
    assert written["version"] == 2
    doc = _line(service)["record"]
    assert doc["plugin"] == "acme-flat" and not doc.get("parameters")  # the first set, unchanged
    (july,) = doc["rules"]
    assert july["effective_from"] == "2026-07" and july["parameters"] == {"rate": "0.05"}
    assert july["set_by"] == "clerk1" and july["set_at"] and july["reason"] == "new scheme"
    # a retry with the same key: one effect
    assert service.set_line_rules("tel", {**JULY, "set_by": "clerk1"}, idempotency_key="r1") == written
    assert _line(service)["version"] == 2
    listed = service.line_rules("tel")
    assert [s["effective_from"] for s in listed] == [None, "2026-07"]
    assert [s["plugin"] for s in listed] == ["acme-flat", "acme-flat"]
    changed = [c.args for c in service.dispatch.call_args_list if c.args[0] == E.RECORD_CHANGED]
    assert len(changed) == 1 and changed[0][1]["record"]["rules"][0]["effective_from"] == "2026-07"
    # the same month again replaces that month's set
    service.set_line_rules("tel", {**JULY, "parameters": {"rate": "0.06"}, "set_by": "clerk1"})
    assert [r["parameters"] for r in _line(service)["record"]["rules"]] == [{"rate": "0.06"}]


@pytest.mark.parametrize(
    ("change", "error", "field"),
    [
        ({"effective_from": "2026-13"}, InvalidFacts, "rules.effective_from"),
        ({"effective_from": "2026-Q3"}, InvalidFacts, "rules.effective_from"),
        ({"reason": ""}, InvalidFacts, "rules.reason"),
        ({"plugin": "no-such-rules"}, InvalidFacts, "rules.plugin"),
        ({"parameters": {"rate": "lots"}}, InvalidFacts, "rules.parameters.rate"),
        ({"parameters": {"rte": "0.05"}}, InvalidFacts, "rules.parameters.rte"),
    ],
)
def test_a_bad_set_is_refused_by_field_and_nothing_is_written(service, change, error, field):
    with pytest.raises(error) as refused:
        service.set_line_rules("tel", {**JULY, **change, "set_by": "clerk1"})
    assert refused.value.errors[0]["field"] == field
    assert _line(service)["version"] == 1


def test_rules_of_an_unknown_line_are_not_found_by_line(service):
    with pytest.raises(NotFound) as refused:
        service.set_line_rules("nope", {**JULY, "set_by": "clerk1"})
    assert refused.value.errors[0]["field"] == "business_line"


def test_people_must_be_known_to_the_rules_in_force_now_and_later(service):
    service.set_line_rules("tel", {**JULY, "plugin": "telecom", "parameters": {}, "set_by": "clerk1"})
    # an agent is a role of July's telecom rules: the line's first rules (acme-flat) are past
    service.register_person("tel", {"id": "ag1", "role": "agent", "branch": "b1"})
    with pytest.raises(Conflict) as refused:  # software has no agents: ag1 would drop out of pay
        service.set_line_rules(
            "tel",
            {
                "effective_from": "2099-01",
                "plugin": "software",
                "reason": "a later scheme",
                "set_by": "clerk1",
            },
        )
    assert (
        refused.value.errors[0]["field"] == "rules.plugin" and "agent" in refused.value.errors[0]["message"]
    )
    assert len(_line(service)["record"]["rules"]) == 1
