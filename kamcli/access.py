"""`kam access bootstrap`: the first administrator, created where intake keeps its data (never a
default password, never an open RPC). Run it once, on the machine that holds intake's database.

    kam access bootstrap ADMIN_ID --name "Li Wei" [--database URL] [--days 90]

Creates the principal with the admin role on every business line and one API token, prints the
token once (store it: only its hash is kept), and leaves an ``access_changed`` event in intake's
outbox for the running service to send. Refused if an administrator of every line exists already:
administrators then manage principals with intake's RPCs (create_principal, grant_role,
issue_token, revoke_token). The database is --database, else INTAKE_DATABASE_URL, else intake's
default (sqlite:///var/intake.db, relative to where the services run).
"""

from __future__ import annotations

import json
import os
import sys

DEFAULT_DATABASE = "sqlite:///var/intake.db"


def add_parser(sub) -> None:
    p = sub.add_parser("access", help="create the first administrator and their API token")
    p.add_argument("action", choices=("bootstrap",))
    p.add_argument("principal", help="the administrator's id (letters, digits, . _ @ -)")
    p.add_argument("--name", required=True, help="the administrator's name")
    p.add_argument(
        "--database",
        default=os.environ.get("INTAKE_DATABASE_URL", DEFAULT_DATABASE),
        help="intake's database URL",
    )
    p.add_argument("--days", type=int, default=90, help="days the token is valid (1-366)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--token-only", action="store_true", help="print only the token (for TOKEN=$(kam ...))")
    p.set_defaults(func=cmd_access)


def cmd_access(args) -> None:
    answer = bootstrap(args.database, args.principal, args.name, args.days)
    if args.token_only:
        print(answer["token"])
    elif args.json:
        json.dump(answer, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(f"administrator {answer['principal']} created (admin on every business line)")
        print(f"API token (shown this once; store it now): {answer['token']}")
        print(f"token id {answer['token_id']}, expires {answer['expires_at']}")


def bootstrap(database: str, principal: str, name: str, days: int = 90) -> dict:
    """The first administrator of every line and their token ({principal, token, token_id,
    expires_at, ...}), written into intake's database with the event that announces them."""
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from kamkit.errors import Conflict
    from services.common.access import rules as access
    from services.common.messaging.rpc import validated
    from services.common.storage import migrations
    from services.common.storage.db import _engine_options, utcnow
    from services.intake.access import access_event
    from services.intake.models import Base, Grant, OutboxEvent, Principal, Token
    from services.intake.schemas import AccessCall, PrincipalBody
    from wire import events as E

    body = validated(PrincipalBody, id=principal, name=name, kind="person")
    days = validated(AccessCall, days=days)["days"]
    engine = sa.create_engine(database, **_engine_options(database))
    try:
        migrations.prepare(engine, Base.metadata)  # as intake does when it starts
        with Session(engine) as session:
            admins = [
                g.principal
                for g in session.query(Grant).filter_by(business_line=access.EVERY_LINE, role="admin")
            ]
            if admins:
                raise Conflict(
                    f"an administrator of every line exists already ({', '.join(sorted(admins))}); "
                    f"they create principals and tokens with intake's RPCs",
                    field="principal",
                )
            if session.get(Principal, body["id"]) is not None:
                raise Conflict(f"principal {body['id']!r} exists already", field="principal")
            session.add(Principal(id=body["id"], name=body["name"], kind="person", version=1))
            session.flush()
            session.add(Grant(principal=body["id"], business_line=access.EVERY_LINE, role="admin"))
            token = access.new_token(utcnow(), days)
            session.add(
                Token(
                    id=token.token_id,
                    principal=body["id"],
                    secret_hash=token.secret_hash,
                    note="kam access bootstrap",
                    expires_at=token.expires_at,
                )
            )
            session.flush()
            event = access_event(session, session.get(Principal, body["id"]))
            session.add(
                OutboxEvent(event_type=E.ACCESS_CHANGED, payload=event)
            )  # the service's timer sends it
            session.commit()
    finally:
        engine.dispose()
    return {
        "principal": body["id"],
        "role": "admin",
        "business_line": access.EVERY_LINE,
        "token": token.text,
        "token_id": token.token_id,
        "expires_at": token.expires_at.isoformat(timespec="seconds"),
    }
