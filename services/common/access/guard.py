"""Each service's picture of who may do what, and the decision on one call (issue 11).

intake announces every principal as it now stands (``access_changed``: roles per business line,
tokens by id and SHA-256); every other service keeps the latest version of each in its own
``access_principals`` table (``AccessProjection``), so a call can be checked where the data is,
with no call to intake. ``authorize`` decides on one call from an ``AccessView`` of those rows.

With ``ACCESS_CONTROL`` on in a service's config, every RPC is checked before a worker runs
(``check_call``, called by services.common.messaging.entrypoints.SafeRpc): the caller's token travels in
nameko's context data as ``authorization``. Each process reads its picture from its table at most
every ``REFRESH_S`` seconds (instances share the table, and only one of them receives each
event), so a revocation holds everywhere within seconds.
"""

from __future__ import annotations

import functools
import inspect
import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import eventlet
from sqlalchemy import JSON, Column, Integer, String

from kamkit.errors import Forbidden, Unauthorized
from services.common.access import rules as access
from services.common.storage import audit
from services.common.storage.db import ServiceDatabase, utcnow

log = logging.getLogger("kam.guard")


def access_table(Base):
    """The access projection's table on a service's declarative Base."""

    class AccessPrincipal(Base):
        """A principal as intake last announced it: roles per line, tokens (id, hash, expiry)."""

        __tablename__ = "access_principals"
        principal = Column(String(100), primary_key=True)
        version = Column(Integer, nullable=False)
        name = Column(String(200), nullable=False)
        grants = Column(JSON, nullable=False)  # {business_line or "*": role}
        # {business_line: {scope, branch, person}} for grants narrowed or linked to a person
        scopes = Column(JSON, nullable=True)
        tokens = Column(JSON, nullable=False)  # [{id, secret_hash, expires_at, revoked_at}]

    return AccessPrincipal


def apply_access(session, AccessPrincipal, payload: Mapping[str, Any]) -> bool:
    """Keep the newest version of the principal; an older or repeated one changes nothing."""
    row = session.get(AccessPrincipal, payload["principal"])
    if row is not None and row.version >= payload["version"]:
        return False
    if row is None:
        row = AccessPrincipal(principal=payload["principal"])
        session.add(row)
    row.version, row.name = payload["version"], payload["name"]
    row.grants, row.tokens = dict(payload["grants"]), list(payload["tokens"])
    row.scopes = dict(payload.get("scopes") or {})  # events from before issue 25 carry none
    return True


REFRESH_S = 2.0  # how old a process's access picture may be
RELOAD_S = 0.25  # how often an unknown token may make it read its table again
_GENERATION = [0]  # + 1 when this process commits an access change: its pictures are read again


def changed() -> None:
    """This process committed a change of who may do what: it holds from its next call."""
    _GENERATION[0] += 1


@dataclass
class AccessView:
    """Tokens by id and roles by principal, from the projection's rows."""

    tokens: dict[str, tuple[str, str, datetime, datetime | None]] = field(default_factory=dict)
    grants: dict[str, Mapping[str, str]] = field(default_factory=dict)
    scopes: dict[str, Mapping[str, Mapping[str, Any]]] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: Iterable[Any]) -> AccessView:
        view = cls()
        for row in rows:
            view.grants[row.principal] = row.grants
            scopes = getattr(row, "scopes", None)  # rows announced before issue 25 hold none
            if scopes:
                view.scopes[row.principal] = scopes
            for t in row.tokens:
                view.tokens[t["id"]] = (
                    row.principal,
                    t["secret_hash"],
                    datetime.fromisoformat(t["expires_at"]),
                    datetime.fromisoformat(t["revoked_at"]) if t["revoked_at"] else None,
                )
        return view


@dataclass(frozen=True)
class Admitted:
    """Who a call is and what of its line it may touch."""

    principal: str
    reach: access.Reach = access.WHOLE_LINE


def authorize(
    view: AccessView, credential: Any, service: str, method: str, arguments: Mapping[str, Any], now: datetime
) -> str:
    """The principal making the call (``admit``'s, without the reach)."""
    return admit(view, credential, service, method, arguments, now).principal


def admit(
    view: AccessView, credential: Any, service: str, method: str, arguments: Mapping[str, Any], now: datetime
) -> Admitted:
    """The principal making the call and its reach, if its token is good and one of its roles
    covers the action on the call's business line, with a grant on the whole line unless the RPC
    narrows its answer (rules.SCOPED); else Unauthorized (no, unknown, expired or revoked token)
    or Forbidden (a role too low, on another line, or narrowed). ``arguments``: by name."""
    parsed = access.parse_token(credential)
    if parsed is None:
        raise _refusal(
            Unauthorized(
                "the call carries no API token (context data 'authorization')", field="authorization"
            ),
            "-",
        )
    token_id, secret = parsed
    known = view.tokens.get(token_id)
    if known is None or not access.token_valid(known[1], secret, known[2], known[3], now):
        raise _refusal(
            Unauthorized("the API token is unknown, expired or revoked", field="authorization"),
            f"token:{token_id}",
        )
    principal = known[0]
    if (service, method) in access.ON_ANY_LINE and any(
        r in access.ROLES for r in view.grants.get(principal, {}).values()
    ):
        return Admitted(principal)  # the service answers only what the grants cover
    role, line_argument = access.needed(service, method, arguments.get("kind"))
    line = arguments.get(line_argument) if line_argument else None
    if line is not None and not isinstance(line, str):
        line = None  # a malformed line is the method's own error to name; only "*" roles pass here
    if not access.allows(view.grants.get(principal, {}), line, role):
        where = f"business line {line!r}" if line else "every business line"
        raise _refusal(
            Forbidden(
                f"{principal} may not {service}.{method} on {where}: it needs the {role} role",
                field="authorization",
            ),
            principal,
        )
    grants = view.grants.get(principal, {})
    reach = access.reach_on(view.scopes.get(principal, {}), grants, line, role)
    if not reach.whole and (service, method) not in access.SCOPED:
        raise _refusal(
            Forbidden(
                f"{principal}'s grant on {line!r} covers {reach.covers()} only: {service}.{method} needs "
                "a grant on the whole line",
                field="authorization",
            ),
            principal,
        )
    return Admitted(principal, reach)


def _refusal(error, who: str):
    error.principal = who  # for the audit entry (the token's id when its holder is unknown)
    return error


def record_refusal(
    container, method: str, body: Mapping[str, Any], context: Mapping[str, Any], refusal
) -> None:
    """An audit entry for a refused call, in its own transaction; a failure to write it is logged,
    never turned into another answer (the caller is refused either way)."""
    database = next(d for d in container.dependencies if isinstance(d, ServiceDatabase))
    try:
        call = audit.Call(
            container.service_name,
            method,
            _arguments(container.service_cls, method, body),
            context,
            getattr(refusal, "principal", "-"),
        )
        audit.refused(database.engine, container.service_cls.tables.audit, call, why=str(refusal))
    except Exception:  # the database may be the very thing that is down
        log.warning(
            "could not record the refusal of %s.%s in the audit trail",
            container.service_name,
            method,
            exc_info=True,
        )


def record_read(container, method: str, worker_ctx, refusal=None) -> None:
    """An audit entry for a read answered to a checked principal (a person's sheet, statement,
    records, messages: the trail names who read what), or for a call its service refused inside
    (``refusal``: another person's object asked for by a narrowed grant), in its own
    transaction; writes are in their own unit of work's entry. A failure to write it is logged,
    the answer still given."""
    if refusal is None and access.needed(container.service_name, method)[0] != access.ROLES[0]:
        return
    database = next(d for d in container.dependencies if isinstance(d, ServiceDatabase))
    context = worker_ctx.context_data
    arguments = _arguments(
        container.service_cls, method, {"args": worker_ctx.args, "kwargs": worker_ctx.kwargs}
    )
    try:
        if refusal is not None:
            refusal.principal = context["principal"]
            record_refusal(container, method, {"kwargs": arguments}, context, refusal)
            return
        call = audit.Call(container.service_name, method, arguments, context, context["principal"])
        audit.read(
            database.engine,
            container.service_cls.tables.audit,
            call,
            reach=str(context.get("reach") or access.LINE),
        )
    except Exception:
        log.warning("could not record a read of %s.%s", container.service_name, method, exc_info=True)


def access_control_on(config: Mapping[str, Any]) -> bool:
    return str(config.get("ACCESS_CONTROL", "off")).strip().lower() in ("on", "true", "1", "yes")


def check_call(container, method: str, body: Mapping[str, Any], context: Mapping[str, Any]) -> Admitted:
    """Authorize one RPC message of ``container``'s service: who it is, or the refusal. A
    token this process has not seen is looked for in a picture read after the call arrived (a
    token just issued works at once); those rereads happen at most every ``RELOAD_S``, the call
    waiting for its turn, so guessed tokens cannot make a process read all the time."""
    arrived = time.monotonic()
    credential, arguments = context.get("authorization"), _arguments(container.service_cls, method, body)
    view = _current_view(container)
    parsed = access.parse_token(credential)
    if parsed is not None and parsed[0] not in view.tokens:
        loaded_at = container._kam_access[0]
        if loaded_at < arrived:
            eventlet.sleep(max(0.0, loaded_at + RELOAD_S - time.monotonic()))
            view = _current_view(container, max_age=0.0 if container._kam_access[0] < arrived else REFRESH_S)
    return admit(view, credential, container.service_name, method, arguments, utcnow())


def _arguments(service_cls, method: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """The call's arguments by name (what the line and the record kind are read from); a call
    that does not fit the method is the method's own error, answered after the check."""
    args, kwargs = body.get("args") or [], body.get("kwargs") or {}
    try:
        bound = _signature(service_cls, method).bind_partial(None, *args, **kwargs)
    except (TypeError, AttributeError):
        return dict(kwargs) if isinstance(kwargs, Mapping) else {}
    return {name: value for name, value in list(bound.arguments.items())[1:]}


@functools.cache
def _signature(service_cls, method: str) -> inspect.Signature:
    """A method's signature, worked out once (every call of a service is checked)."""
    return inspect.signature(getattr(service_cls, method))


def _current_view(container, max_age: float = REFRESH_S) -> AccessView:
    loaded = getattr(container, "_kam_access", None)
    if loaded is None or time.monotonic() - loaded[0] > max_age or loaded[1] != _GENERATION[0]:
        database = next(d for d in container.dependencies if isinstance(d, ServiceDatabase))
        generation = _GENERATION[0]
        loaded = (time.monotonic(), generation, container.service_cls.access_view(database.engine))
        container._kam_access = loaded
    return loaded[2]
