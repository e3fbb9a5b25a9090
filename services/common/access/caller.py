"""``self.caller()`` in a service: who this call is, as the access check found them;
``self.caller.reach``: what of the line it may touch (rules.Reach: the whole line with access
control off).

SafeRpc (services.common.messaging.entrypoints) puts the checked principal in the worker's
context data, replacing anything a caller sent under that name; with ACCESS_CONTROL off nobody
was checked and the answer is None. A service that records who acted (a target set, a change
approved) asks here, never the call's arguments.
"""

from __future__ import annotations

from nameko.extensions import DependencyProvider

from kamkit.errors import Forbidden, InvalidFacts
from services.common.access.rules import WHOLE_LINE, Reach
from services.common.storage.audit import NOBODY


class Checked:
    """The call's checked principal (calling it answers it) and reach."""

    def __init__(self, principal: str | None, reach: Reach):
        self.principal, self.reach = principal, reach

    def __call__(self) -> str | None:
        return self.principal


class Caller(DependencyProvider):
    def get_dependency(self, worker_ctx):
        principal = worker_ctx.context_data.get("principal")
        checked = principal if isinstance(principal, str) and principal not in ("", NOBODY) else None
        reach = Reach.parse(worker_ctx.context_data.get("reach")) if checked else WHOLE_LINE
        return Checked(checked, reach)


def reach_of(caller) -> Reach:
    """How far the call reaches: the checked one, or the whole line (access control off, or a
    test's stand-in for the dependency)."""
    reach = getattr(caller, "reach", None)
    return reach if isinstance(reach, Reach) else WHOLE_LINE


def acting(caller, claimed: str | None, field: str) -> str:
    """Who acts on a call: the checked principal; with access control off, the one the call
    names in ``field`` (required then). Naming someone else than oneself is refused."""
    who = acting_principal(caller)
    if who is None:
        if not claimed:
            raise InvalidFacts(f"name who acts in {field}: access control is off", field=field)
        return claimed
    if claimed and claimed != who:
        raise Forbidden(f"{field} is the caller, {who!r}: nobody acts as {claimed!r}", field=field)
    return who


def acting_principal(caller) -> str | None:
    """Who the checked principal of the call is, or None (access control off, or a test's
    stand-in, which answers nothing usable): kept beside what was done, where nobody else may be
    named."""
    who = caller() if callable(caller) else None
    return who if isinstance(who, str) and who else None
