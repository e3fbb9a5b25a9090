"""Text no database stores (a lone surrogate, NUL) is refused at the RPC boundary with the argument
named, through the real broker and PostgreSQL: it once answered ``internal error`` (issue 28)."""

import pytest

from kamkit.errors import Internal, InvalidFacts
from services.common.messaging.unstorable import may_hold, problems
from services.intake.service import IntakeService

pytestmark = pytest.mark.slow


def test_every_argument_is_walked_and_named():
    def method(self, business_line, kind, query=None):
        pass

    got = problems(
        method, ["acme", "opportunity"], {"query": {"match": {"customer": "a\x00b"}, "ids": ["\ud83d"]}}
    )
    assert got == [
        {"field": "query.match.customer", "message": "contains a NUL character, which cannot be stored"},
        {"field": "query.ids.0", "message": "contains a lone surrogate (U+D83D), which cannot be stored"},
    ]
    assert problems(method, ["acme", "opportunity"], {"query": {"note": "tab\tand 😍"}}) == []
    assert problems(method, ["ac\ud800me"], {}) == [
        {"field": "business_line", "message": "contains a lone surrogate (U+D800), which cannot be stored"}
    ]


def test_only_a_body_that_may_hold_such_text_is_walked():
    # as JSON carries them: NUL as \u0000, a surrogate as its escape (upper or lower case hex)
    assert may_hold(b'{"args": ["a\\u0000b"]}') and may_hold(b'{"args": ["\\uD800"]}')
    assert may_hold(b'{"args": ["\\udfff"]}') and may_hold(None)
    assert may_hold('{"args": ["\\ud83d\\ude0d"]}')  # a pair (an emoji): walked, nothing found
    assert not may_hold(b'{"args": ["tab\\t", "\\u4e2d\\u6587"]}')
    assert not may_hold('{"args": ["中文", "\\u0041"]}'.encode())


def test_the_services_refuse_it_by_name_and_write_nothing(start_service, rpc, pg_url_factory):
    start_service(IntakeService, pg_url_factory("intake"))
    rpc.intake.register_business_line({"key": "acme", "plugin": "acme-flat"})
    before = rpc.intake.record_counts("acme")
    calls = [
        (lambda: rpc.intake.register_branch("acme", {"id": "b\ud800"}), "branch.id"),
        (
            lambda: rpc.intake.register_person(
                "acme", {"id": "p1", "role": "account_manager", "name": "\udfff"}
            ),
            "person.name",
        ),
        (lambda: rpc.intake.list_records("acme", "person", {"match": {"name": "x\x00"}}), "query.match.name"),
    ]
    for call, field in calls:
        with pytest.raises(InvalidFacts) as exc:
            call()
        assert not isinstance(exc.value, Internal)
        assert exc.value.errors[0]["field"] == field
    assert rpc.intake.record_counts("acme") == before
