"""The access picture every service keeps and the decision on one call (services.common.access.guard)."""

from datetime import datetime, timedelta

import pytest
from nameko.testing.services import worker_factory

from kamkit.errors import Forbidden, Unauthorized
from services.common.access import rules as access
from services.common.access.guard import AccessView, admit, authorize
from services.common.storage import uow
from services.escalation.models import AccessPrincipal, Base
from services.escalation.service import EscalationService
from wire import events as E

NOW = datetime(2026, 11, 26, 12, 0)


def _announce(principal, version, grants, tokens):
    return E.make_event(
        E.ACCESS_CHANGED,
        business_line="*",
        principal=principal,
        name=principal,
        principal_kind="system",
        version=version,
        grants=grants,
        as_of=None,
        tokens=[
            {
                "id": t.token_id,
                "secret_hash": t.secret_hash,
                "expires_at": t.expires_at.isoformat(timespec="seconds"),
                "revoked_at": revoked,
            }
            for t, revoked in tokens
        ],
    )


def test_a_service_keeps_the_newest_announcement_of_each_principal(sqlite_db):
    worker = uow.for_worker(worker_factory(EscalationService, db=sqlite_db(Base)))
    token = access.new_token(NOW)
    first = _announce("crm", 2, {"telecom": "clerk"}, [(token, None)])
    worker.on_access_changed(first)
    worker.on_access_changed(_announce("crm", 1, {}, []))  # older, arriving late: ignored
    worker.on_access_changed(first)  # redelivered
    row = worker.db.session.get(AccessPrincipal, "crm")
    assert (row.version, row.grants, [t["id"] for t in row.tokens]) == (
        2,
        {"telecom": "clerk"},
        [token.token_id],
    )
    worker.on_access_changed(_announce("crm", 3, {"telecom": "clerk"}, [(token, NOW.isoformat())]))
    view = AccessView.of(worker.db.session.query(AccessPrincipal))
    with pytest.raises(Unauthorized):  # revoked in version 3
        authorize(view, token.text, "escalation", "get_assignment", {"business_line": "telecom"}, NOW)


def test_each_call_is_decided_by_token_role_and_line():
    clerk, reader, old = (
        access.new_token(NOW),
        access.new_token(NOW),
        access.new_token(NOW - timedelta(days=91)),
    )
    view = AccessView.of(
        [
            type(
                "Row",
                (),
                {
                    "principal": "crm",
                    "grants": {"telecom": "clerk"},
                    "tokens": _announce("crm", 1, {}, [(clerk, None), (old, None)])["tokens"],
                },
            ),
            type(
                "Row",
                (),
                {
                    "principal": "auditor",
                    "grants": {"*": "reader"},
                    "tokens": _announce("auditor", 1, {}, [(reader, None)])["tokens"],
                },
            ),
        ]
    )
    line = {"business_line": "telecom"}
    assert authorize(view, clerk.text, "intake", "record_opportunity", line, NOW) == "crm"
    assert authorize(view, f"Bearer {clerk.text}", "intake", "get_record", line, NOW) == "crm"
    assert (
        authorize(view, reader.text, "compensation", "get_statement", {"business_line": "bank"}, NOW)
        == "auditor"
    )
    refused = [
        (None, "intake", "get_record", line, Unauthorized),
        ("kam_0123456789abcdef_guess", "intake", "get_record", line, Unauthorized),
        (clerk.text[:-1] + "x", "intake", "get_record", line, Unauthorized),  # wrong secret
        (old.text, "intake", "get_record", line, Unauthorized),  # expired after its 90 days
        (clerk.text, "intake", "record_opportunity", {"business_line": "bank"}, Forbidden),  # another line
        (clerk.text, "assessment", "close_month", line, Forbidden),  # a manager's action
        (clerk.text, "intake", "record_batch", {**line, "kind": "person"}, Forbidden),  # the roster: admin
        (reader.text, "intake", "record_opportunity", line, Forbidden),
        (reader.text, "notify", "replay_parked", {}, Forbidden),
    ]
    for credential, service, method, arguments, error in refused:
        with pytest.raises(error) as raised:
            authorize(view, credential, service, method, arguments, NOW)
        assert raised.value.errors[0]["field"] == "authorization"


def test_what_intake_announces_reaches_every_service_through_the_broker(start_service, rpc, pg_url_factory):
    import eventlet
    import sqlalchemy as sa

    from services.assessment.service import AssessmentService
    from services.compensation.service import CompensationService
    from services.intake.service import IntakeService
    from services.notify.service import NotifyService

    start_service(IntakeService, pg_url_factory("intake"))
    urls = {}
    for cls in (EscalationService, AssessmentService, CompensationService, NotifyService):
        urls[cls.name] = pg_url_factory(cls.name)
        start_service(cls, urls[cls.name], **({"NOTIFY_CHANNELS": []} if cls is NotifyService else {}))
    rpc.intake.create_principal({"id": "crm", "name": "CRM", "kind": "system"})
    rpc.intake.grant_role("crm", "telecom", "clerk")
    token_id = rpc.intake.issue_token("crm", days=7)["token_id"]

    def held(url):
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        with engine.connect() as conn:
            row = conn.execute(
                sa.text("SELECT version, grants, tokens FROM access_principals WHERE principal = 'crm'")
            ).first()
        engine.dispose()
        return row

    with eventlet.Timeout(30):
        for name, url in urls.items():
            while (row := held(url)) is None or row.version < 3:
                eventlet.sleep(0.1)
            assert row.grants == {"telecom": "clerk"} and [t["id"] for t in row.tokens] == [token_id], name


def _row(principal, grants, tokens, scopes=None):
    return type(
        "Row",
        (),
        {
            "principal": principal,
            "grants": grants,
            "scopes": scopes,
            "tokens": _announce(principal, 1, {}, [(t, None) for t in tokens])["tokens"],
        },
    )


def test_a_narrowed_grant_reaches_only_the_scoped_rpcs_and_says_how_far():
    mine, branch, both = access.new_token(NOW), access.new_token(NOW), access.new_token(NOW)
    view = AccessView.of(
        [
            _row("ann", {"telecom": "reader"}, [mine], {"telecom": {"scope": "self", "person": "p1"}}),
            _row("bo", {"telecom": "manager"}, [branch], {"telecom": {"scope": "branch", "branch": "b1"}}),
            # a whole-line reader everywhere and a narrowed clerk here: the clerk's acts are narrowed,
            # the reads are the whole line's (the grant giving the role decides)
            _row(
                "cy",
                {"*": "reader", "telecom": "clerk"},
                [both],
                {"telecom": {"scope": "self", "person": "p3"}},
            ),
        ]
    )
    line = {"business_line": "telecom"}
    got = admit(view, mine.text, "compensation", "get_statement", line, NOW)
    assert (got.principal, got.reach) == ("ann", access.Reach("self", person="p1"))
    assert admit(view, branch.text, "intake", "decide_target_change", line, NOW).reach == access.Reach(
        "branch", branch="b1"
    )
    assert admit(view, both.text, "assessment", "get_sheet", line, NOW).reach.whole
    assert admit(view, both.text, "intake", "request_target_change", line, NOW).reach.scope == "self"
    for credential, service, method in (
        (mine.text, "compensation", "run_history"),  # a whole period's versions: the line's
        (mine.text, "escalation", "tier_counts"),
        (mine.text, "intake", "record_counts"),
        (branch.text, "assessment", "close_month"),  # a close is the whole line's
        (branch.text, "intake", "record_visit"),
    ):
        with pytest.raises(Forbidden) as refused:
            admit(view, credential, service, method, line, NOW)
        assert "covers" in str(refused.value) and refused.value.errors[0]["field"] == "authorization"


def test_a_reach_travels_as_text_and_back():
    for reach in (
        access.WHOLE_LINE,
        access.Reach("line", person="p9"),
        access.Reach("self", person="p1"),
        access.Reach("branch", branch="b1"),
    ):
        assert access.Reach.parse(reach.text()) == reach
    assert access.Reach.parse("") == access.WHOLE_LINE
