"""intake's access RPCs (services/intake/access.py) on a worker with SQLite: principals, roles
and tokens, each change announced with an access_changed event that carries hashes, never a
secret."""

import pytest
from nameko.testing.services import worker_factory

from kamkit.errors import Conflict, InvalidFacts, NotFound
from services.common.access import rules as access
from services.common.storage import uow
from services.common.storage.db import utcnow
from services.intake.models import Base, Token
from services.intake.service import IntakeService
from wire import events as E


@pytest.fixture
def intake(sqlite_db):
    return uow.for_worker(worker_factory(IntakeService, db=sqlite_db(Base)))


def _events(worker):
    return [c.args[1] for c in worker.dispatch.call_args_list if c.args[0] == E.ACCESS_CHANGED]


def test_roles_and_tokens_are_kept_and_announced_without_secrets(intake):
    hr = {"id": "hr-system", "name": "HR", "kind": "system"}
    assert intake.create_principal(hr)["version"] == 1
    assert intake.create_principal(hr)["version"] == 1  # the same again: nothing new
    intake.grant_role("hr-system", "telecom", "clerk")
    assert intake.grant_role("hr-system", "*", "reader")["grants"] == {"*": "reader", "telecom": "clerk"}
    issued = intake.issue_token("hr-system", days=30, note="payroll bridge")
    token_id, secret = access.parse_token(issued["token"])
    stored = intake.db.session.get(Token, token_id)
    assert secret not in stored.secret_hash
    assert access.token_valid(stored.secret_hash, secret, stored.expires_at, stored.revoked_at, utcnow())
    revoked = intake.revoke_token(token_id)
    assert revoked["tokens"][0]["revoked_at"] is not None and revoked["version"] == 5
    assert intake.revoke_token(token_id)["version"] == 5  # revoking again changes nothing
    assert intake.revoke_role("hr-system", "telecom")["grants"] == {"*": "reader"}

    events = _events(intake)
    assert [e["version"] for e in events] == [1, 2, 3, 4, 5, 6]
    assert events[3]["tokens"] == [
        {
            "id": token_id,
            "secret_hash": stored.secret_hash,
            "expires_at": stored.expires_at.isoformat(timespec="seconds"),
            "revoked_at": None,
        }
    ]
    assert all(secret not in str(e) for e in events)
    assert all(secret not in str(p) for p in intake.list_principals())
    assert "secret_hash" not in intake.list_principals()[0]["tokens"][0]


def test_bad_calls_name_the_field_and_change_nothing(intake):
    intake.create_principal({"id": "li.wei", "name": "Li Wei", "kind": "person"})
    before = intake.list_principals()
    cases = [
        (
            lambda: intake.create_principal({"id": "li wei", "name": "x", "kind": "person"}),
            InvalidFacts,
            "id",
        ),
        (
            lambda: intake.create_principal({"id": "li.wei", "name": "Other", "kind": "person"}),
            Conflict,
            "principal.id",
        ),
        (lambda: intake.grant_role("li.wei", "telecom", "owner"), InvalidFacts, "role"),
        (lambda: intake.grant_role("nobody", "telecom", "reader"), NotFound, "principal"),
        (lambda: intake.issue_token("li.wei", days=0), InvalidFacts, "days"),
        (lambda: intake.revoke_token("0123456789abcdef"), NotFound, "token_id"),
    ]
    for call, error, field in cases:
        with pytest.raises(error) as raised:
            call()
        assert raised.value.errors[0]["field"] == field
    assert intake.list_principals() == before
