"""Before a period is computed: has this service's projection received every change intake sent?

A close right after the last record of the month (or while the broker redelivers, or with an
event parked) would otherwise pay on facts still in flight, and the sheet would stand as if
complete. intake counts, per kind, the changes it has sent (``record_counts``: the sum of its
records' versions); the projection holds the same sum once every change has arrived
(``period_run.projection_versions``). The close waits for the two to agree, up to
``CLOSE_CATCH_UP_SECONDS`` of the service's config, and is refused otherwise, naming each kind
behind: nothing is computed or written. 0 turns the check off: for a service whose projection is
filled without intake (a bench), never where people are paid.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import eventlet

from kamkit.errors import ConfigError, Conflict, SuiteError, Unavailable

CONFIG_KEY = "CLOSE_CATCH_UP_SECONDS"
DEFAULT_SECONDS = 30.0
ASK_TIMEOUT_S = 10.0  # nameko 2's RpcProxy waits for ever on a reply from a service that is down


def seconds(config: Mapping[str, Any]) -> float:
    value = config.get(CONFIG_KEY, DEFAULT_SECONDS)
    if value in (None, ""):
        return DEFAULT_SECONDS
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ConfigError(
            f"{CONFIG_KEY} must be a number of seconds, got {value!r}", field=CONFIG_KEY
        ) from None


def behind(sent: Mapping[str, Any], held: Mapping[str, int], kinds) -> dict[str, tuple[int, int]]:
    """{kind: (changes held here, changes intake sent)} of each fact kind not caught up yet.
    ``sent`` is intake.record_counts: {kind: [records, sum of versions]}."""
    return {
        kind: (held.get(kind, 0), int(counts[1]))
        for kind, counts in sorted(sent.items())
        if kind in kinds and held.get(kind, 0) < int(counts[1])
    }


def wait_for_intake(
    ask_intake: Callable[[], Mapping[str, Any]],
    held: Callable[[], Mapping[str, int]],
    kinds,
    *,
    wait_s: float,
    business_line: str,
    pause: Callable[[float], Any] = eventlet.sleep,
    accept_missing: str | None = None,
) -> str | None:
    """Return once the projection (``held()``) holds every change intake reports (``ask_intake()``)
    for ``kinds``; raise Conflict if it still does not after ``wait_s`` seconds, Unavailable if
    intake cannot be asked. Polls with a growing pause: ``held`` is one indexed sum over the line.

    ``accept_missing`` (an operator's reason: a payroll deadline, a record that cannot be
    projected until a fault is fixed) turns the refusal into a note for the sheet's reason, naming
    what is missing and why it was closed anyway; None when nothing was."""
    if wait_s <= 0:
        return None
    deadline, delay = time.monotonic() + wait_s, 0.05
    while True:
        try:
            with eventlet.Timeout(ASK_TIMEOUT_S):
                sent = ask_intake()
        except SuiteError:
            raise  # intake's own answer (an unknown line, a caller without a role): as it is
        except (Exception, eventlet.Timeout) as exc:  # down, unreachable, slow
            raise Unavailable(
                f"intake cannot be asked whether every record of {business_line!r} has arrived here "
                f"({type(exc).__name__}); nothing was computed, retry when it answers",
                field="business_line",
            ) from None
        lagging = behind(sent, held(), kinds)
        if not lagging:
            return None
        if time.monotonic() >= deadline:
            detail = "; ".join(
                f"{kind}: {have:,} of {sent_:,} changes" for kind, (have, sent_) in lagging.items()
            )
            if accept_missing is not None:
                return f"closed behind intake ({detail}): {accept_missing.strip()}"
            raise Conflict(
                f"this service has not yet received every record intake holds for {business_line!r} "
                f"({detail}) after waiting {wait_s:g} s: events are still in flight, or parked "
                f"(list_parked: replay them; a record whose event was dropped is sent again by "
                f"intake.update_record with no changes); nothing was computed, retry once it has "
                f"caught up, or close on what is held with accept_missing (a reason)",
                field="business_line",
            )
        pause(delay)
        delay = min(delay * 2, 1.0)
