"""`kam access bootstrap`: the first administrator, created where intake keeps its data."""

import json

import sqlalchemy as sa

from kamcli.main import main
from services.common.access import rules as access
from services.common.storage.db import utcnow
from services.intake.models import OutboxEvent, Token
from wire import events as E


def test_the_first_administrator_is_created_once_with_a_token_shown_once(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'intake.db'}"
    assert main(["access", "bootstrap", "li.wei", "--name", "Li Wei", "--database", url, "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert (answer["principal"], answer["role"], answer["business_line"]) == ("li.wei", "admin", "*")
    token_id, secret = access.parse_token(answer["token"])

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        stored = conn.execute(
            sa.select(Token.secret_hash, Token.expires_at, Token.revoked_at).where(Token.id == token_id)
        ).one()
        (event,) = [
            json.loads(p) if isinstance(p, str) else p
            for p in conn.execute(
                sa.select(OutboxEvent.payload).where(OutboxEvent.event_type == E.ACCESS_CHANGED)
            ).scalars()
        ]
    engine.dispose()
    assert access.token_valid(stored.secret_hash, secret, stored.expires_at, stored.revoked_at, utcnow())
    assert event["grants"] == {"*": "admin"} and secret not in json.dumps(event)
    E.check_event(E.ACCESS_CHANGED, event)  # what the service's timer will send is a valid event

    # a second bootstrap is refused: administrators manage principals through intake's RPCs
    assert main(["access", "bootstrap", "zhang", "--name", "Zhang", "--database", url]) == 2
    assert "an administrator of every line exists already (li.wei)" in capsys.readouterr().err
    # a bad id is named, nothing written
    assert (
        main(["access", "bootstrap", "bad id", "--name", "X", "--database", f"sqlite:///{tmp_path / 'b.db'}"])
        == 2
    )
    assert "id:" in capsys.readouterr().err
