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

from kamkit.errors import Conflict, InvalidFacts, NotFound
from services.common.access import guard
from services.common.access import rules as access
from services.common.access.guard import AccessView
from services.common.messaging.rpc import api, validated
from services.common.storage.db import utcnow
from wire import events as E

from .models import Grant, Principal, Record, Token
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
                if _narrowed_or_linked(g):
                    view.scopes.setdefault(g.principal, {})[g.business_line] = _scope(g)
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
    def grant_role(self, principal, business_line, role, scope="line", branch=None, person=None):
        """Give a principal a role on a business line ("*": every line), replacing the one it had:
        over the whole line (scope ``line``), one branch's people (``branch``, naming it), or
        only oneself (``self``: reader or clerk). ``person``: who the principal is on the line
        (required by ``self``), one principal a person."""
        args = validated(
            AccessCall,
            principal=principal,
            business_line=business_line,
            role=role,
            scope=scope,
            branch=branch,
            person=person,
        )
        before = self._principal_dict(self._principal(args["principal"]))
        self._check_scope(args)
        self.db.session.merge(
            Grant(
                principal=args["principal"],
                business_line=args["business_line"],
                role=args["role"],
                scope=args["scope"],
                branch=args["branch"] if args["scope"] == access.BRANCH else None,
                person=args["person"],
            )
        )
        return self._changed(args["principal"], before, args["business_line"])

    def _check_scope(self, args) -> None:
        """A narrowed grant names what it narrows to, on one line, and that exists there; a
        person is one principal's (refused by the field's name otherwise)."""
        line, scope = args["business_line"], args["scope"]
        if line == access.EVERY_LINE and (scope != access.LINE or args["person"]):
            raise InvalidFacts("a grant on every line is whole and nobody in particular", field="scope")
        if scope == access.BRANCH and not args["branch"]:
            raise InvalidFacts("a grant on one branch names the branch", field="branch")
        if scope == access.SELF and not args["person"]:
            raise InvalidFacts("a grant on oneself names the person the principal is", field="person")
        if scope == access.SELF and args["role"] not in ("reader", "clerk"):
            raise InvalidFacts("a grant on oneself is a reader's or a clerk's", field="role")
        if scope != access.LINE and args["role"] == "admin":
            raise InvalidFacts("an admin's grant covers the whole line", field="scope")
        session = self.db.session
        named = (("branch", args["branch"] if scope == access.BRANCH else None), ("person", args["person"]))
        for kind, key in named:
            if (
                key is not None
                and session.query(Record.id).filter_by(business_line=line, kind=kind, key=key).first() is None
            ):
                raise NotFound(f"no {kind} {key!r} in business line {line!r}", field=kind)
        if args["person"]:
            other = (
                session.query(Grant.principal)
                .filter(Grant.business_line == line, Grant.person == args["person"])
                .filter(Grant.principal != args["principal"])
                .first()
            )
            if other is not None:
                raise Conflict(f"person {args['person']!r} on {line!r} is {other[0]!r}", field="person")

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
    rows = session.query(Grant).filter_by(principal=row.id).order_by(Grant.business_line).all()
    grants = {g.business_line: g.role for g in rows}
    scopes = {g.business_line: _scope(g) for g in rows if _narrowed_or_linked(g)}
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
        "scopes": scopes,
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
        scopes=state["scopes"],
        tokens=[
            {k: t[k] for k in ("id", "secret_hash", "expires_at", "revoked_at")} for t in state["tokens"]
        ],
        as_of=None,
    )


def _narrowed_or_linked(grant) -> bool:
    return (grant.scope or access.LINE) != access.LINE or grant.person is not None


def _scope(grant) -> dict:
    return {"scope": grant.scope or access.LINE, "branch": grant.branch, "person": grant.person}


def _iso(moment):
    return None if moment is None else moment.isoformat(timespec="seconds")
