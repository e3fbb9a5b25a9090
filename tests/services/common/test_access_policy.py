"""Who may do what (services.common.access.rules): pure rules, no service."""

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from services.common.access import rules as access

NOW = datetime(2026, 11, 26, 12, 0)
ROOT = Path(__file__).resolve().parents[3]


def test_every_rpc_of_every_service_is_an_action_with_a_role():
    # a new RPC is closed (admin only) until it is placed in the catalogue; this keeps it placed
    for service in ("intake", "escalation", "assessment", "compensation", "notify"):
        source = (ROOT / "services" / service / "service.py").read_text()
        for method in re.findall(r"@api\n    def (\w+)\(", source):
            assert (service, method) in access.ACTIONS or method in access.OPERATIONS, (service, method)


def test_roles_cover_the_ones_before_them_per_line_and_on_every_line():
    grants = {"telecom": "clerk", "*": "reader"}
    assert access.role_on(grants, "telecom") == "clerk"
    assert access.role_on(grants, "banking") == "reader"  # the grant on every line
    assert access.role_on(grants, None) == "reader"  # no particular line: only "*" counts
    assert access.role_on({"telecom": "admin"}, None) is None
    assert access.allows(grants, "telecom", "reader") and access.allows(grants, "telecom", "clerk")
    assert not access.allows(grants, "telecom", "manager")
    assert not access.allows({}, "telecom", "reader")
    assert not access.allows({"telecom": "owner"}, "telecom", "reader")  # not a role: nothing


def test_what_each_call_needs():
    assert access.needed("intake", "record_opportunity") == ("clerk", "business_line")
    # the roster through the generic batch or update is an organisation change: admin
    assert access.needed("intake", "record_batch", kind="person") == ("admin", "business_line")
    assert access.needed("intake", "update_record", kind="opportunity") == ("clerk", "business_line")
    assert access.needed("assessment", "close_month") == ("manager", "business_line")
    assert access.needed("compensation", "get_statement") == ("reader", "business_line")
    assert access.needed("intake", "register_business_line") == ("admin", None)
    assert access.needed("notify", "replay_parked") == ("admin", None)
    assert access.needed("intake", "a_method_nobody_placed") == ("admin", None)


def test_a_token_is_found_by_its_id_proved_by_its_secret_and_ends():
    token = access.new_token(NOW, days=30)
    assert token.expires_at == NOW + timedelta(days=30)
    token_id, secret = access.parse_token(token.text)
    assert token_id == token.token_id and secret not in token.secret_hash
    assert access.parse_token(f"Bearer {token.text}") == (token_id, secret)
    assert access.token_valid(token.secret_hash, secret, token.expires_at, None, NOW)
    assert not access.token_valid(token.secret_hash, secret + "x", token.expires_at, None, NOW)
    assert not access.token_valid(token.secret_hash, secret, token.expires_at, NOW, NOW)  # revoked
    assert not access.token_valid(
        token.secret_hash, secret, token.expires_at, None, token.expires_at
    )  # expired
    for text in (None, 42, "", "kam_short_x", "other_0123456789abcdef_secret", "kam_0123456789abcdef_"):
        assert access.parse_token(text) is None
    with pytest.raises(ValueError):
        access.new_token(NOW, days=0)
