"""intake's RPCs for who may do what: principals, their roles per business line, their API
tokens (services.common.access.rules says what each role covers and what a token is).

Each change is written with an ``access_changed`` event (the principal as it now stands: roles,
and tokens by id and hash, never a secret) in the same transaction, and sent after the commit,
so every service can hold the same picture. Changes are idempotent by nature (a grant sets a role,
a revocation clears it) except issue_token, which mints a new token each call: its secret is in
that answer only.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from kamkit.errors import Conflict, NotFound
from services.common.access import guard
from services.common.access import rules as access
from services.common.access.guard import AccessView
from services.common.messaging.rpc import api, validated
from services.common.storage.db import utcnow
from wire import events as E

from .models import Grant, Principal, Token
from .schemas import AccessCall, PrincipalBody


class AccessAdmin:
    """Mixed into IntakeService: ``self.db`` and ``self.dispatch`` are the service's."""

    @staticmethod
    def access_view(engine) -> AccessView:
        """intake checks calls against its own tables (services.common.access.guard)."""
        view = AccessView()
        with Session(engine) as session:
            for t in session.query(Token).all():
                view.tokens[t.id] = (t.principal, t.secret_hash, t.expires_at, t.revoked_at)
            for g in session.query(Grant).all():
                view.grants.setdefault(g.principal, {})[g.business_line] = g.role
        return view

    @api
    def create_principal(self, principal):
        """Create a principal ({id, name, kind: person|system}); the same again changes nothing."""
        body = validated(PrincipalBody, **(principal if isinstance(principal, dict) else {"id": principal}))
        session = self.db.session
        row = session.get(Principal, body["id"])
        if row is not None:
            if (row.name, row.kind) != (body["name"], body["kind"]):
                raise Conflict(
                    f"principal {body['id']!r} exists as {row.kind} {row.name!r}", field="principal.id"
                )
            return self._principal_dict(row)
        session.add(Principal(id=body["id"], name=body["name"], kind=body["kind"], version=1))
        session.flush()
        return self._announce(body["id"])

    @api
    def grant_role(self, principal, business_line, role):
        """Give a principal a role on a business line ("*": every line), replacing the one it had."""
        args = validated(AccessCall, principal=principal, business_line=business_line, role=role)
        before = self._principal_dict(self._principal(args["principal"]))
        self.db.session.merge(
            Grant(principal=args["principal"], business_line=args["business_line"], role=args["role"])
        )
        return self._changed(args["principal"], before, args["business_line"])

    @api
    def revoke_role(self, principal, business_line):
        args = validated(AccessCall, principal=principal, business_line=business_line)
        before = self._principal_dict(self._principal(args["principal"]))
        grant = self.db.session.get(Grant, (args["principal"], args["business_line"]))
        if grant is None:
            return before
        self.db.session.delete(grant)
        return self._changed(args["principal"], before, args["business_line"])

    @api
    def issue_token(self, principal, days=access.DEFAULT_TOKEN_DAYS, note=None):
        """A new API token: ``token`` is its text, shown in this answer only (store it now)."""
        args = validated(AccessCall, principal=principal, days=days, note=note)
        before = self._principal_dict(self._principal(args["principal"]))
        new = access.new_token(utcnow(), args["days"])
        self.db.session.add(
            Token(
                id=new.token_id,
                principal=args["principal"],
                secret_hash=new.secret_hash,
                note=args.get("note"),
                expires_at=new.expires_at,
            )
        )
        self._changed(args["principal"], before)
        return {
            "token": new.text,
            "token_id": new.token_id,
            "principal": args["principal"],
            "expires_at": new.expires_at.isoformat(timespec="seconds"),
        }

    @api
    def revoke_token(self, token_id):
        """Revoke a token now (revoking it again changes nothing)."""
        args = validated(AccessCall, token_id=token_id)
        token = self.db.session.get(Token, args["token_id"])
        if token is None:
            raise NotFound(f"no token {args['token_id']!r}", field="token_id")
        if token.revoked_at is None:
            before = self._principal_dict(self._principal(token.principal))
            token.revoked_at = utcnow()
            return self._changed(token.principal, before)
        return self._principal_dict(self._principal(token.principal))

    @api
    def list_principals(self):
        """Every principal with its roles and its tokens (ids, expiry, revocation; no secrets)."""
        rows = self.db.session.query(Principal).order_by(Principal.id).all()
        return [self._principal_dict(row) for row in rows]

    # --- internals --------------------------------------------------------------------------

    def _principal(self, principal_id):
        row = self.db.session.get(Principal, principal_id) if isinstance(principal_id, str) else None
        if row is None:
            raise NotFound(f"no principal {principal_id!r}", field="principal")
        return row

    def _changed(self, principal_id, before, business_line=None):
        row = self._principal(principal_id)
        row.version += 1
        self.db.session.flush()
        return self._announce(principal_id, before, business_line)

    def _announce(self, principal_id, before=None, business_line=None):
        """Commit the change with its access_changed event and its audit entry (the principal
        before and after: roles and token ids, never a secret), send the event; the principal."""
        with self.uow() as u:
            u.emit(E.ACCESS_CHANGED, access_event(u.session, self._principal(principal_id)))
            u.audit(
                business_line=business_line,
                target=f"principal:{principal_id}",
                before=before,
                after=self._principal_dict(self._principal(principal_id)),
            )
            u.commit()
            guard.changed()  # this process's next call already sees it
        return self._principal_dict(self._principal(principal_id))

    def _principal_dict(self, row):
        return principal_dict(self.db.session, row)


def principal_dict(session, row, hashes=False) -> dict:
    """A principal with its roles and tokens (with ``hashes``: the tokens' secret hashes too)."""
    grants = {
        g.business_line: g.role
        for g in session.query(Grant).filter_by(principal=row.id).order_by(Grant.business_line)
    }
    tokens = [
        {
            "id": t.id,
            "note": t.note,
            "created_at": _iso(t.created_at),
            "expires_at": _iso(t.expires_at),
            "revoked_at": _iso(t.revoked_at),
            **({"secret_hash": t.secret_hash} if hashes else {}),
        }
        for t in session.query(Token).filter_by(principal=row.id).order_by(Token.created_at, Token.id)
    ]
    return {
        "id": row.id,
        "name": row.name,
        "kind": row.kind,
        "version": row.version,
        "grants": grants,
        "tokens": tokens,
    }


def access_event(session, row) -> dict:
    """The access_changed event of a principal as it now stands (flushed changes included)."""
    state = principal_dict(session, row, hashes=True)
    return E.make_event(
        E.ACCESS_CHANGED,
        business_line=access.EVERY_LINE,
        principal=row.id,
        name=row.name,
        principal_kind=row.kind,
        version=row.version,
        grants=state["grants"],
        tokens=[
            {k: t[k] for k in ("id", "secret_hash", "expires_at", "revoked_at")} for t in state["tokens"]
        ],
        as_of=None,
    )


def _iso(moment):
    return None if moment is None else moment.isoformat(timespec="seconds")
