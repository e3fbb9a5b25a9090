"""What assessment and compensation share around a period run: their projection handler's body,
the business line's plugin, the period's facts, and the period-closed event."""

from __future__ import annotations

import contextlib
import gc
from dataclasses import dataclass
from typing import Any

import eventlet
from eventlet import tpool
from sqlalchemy import func

from kamkit.errors import NotFound
from kamkit.plugin import RulePlugin
from kamkit.rulesets import RuleSet, in_force
from services.common.periods import catch_up, ledger
from services.common.periods.factstore import (
    AsOf,
    apply_record,
    clock_now,
    clock_set,
    period_records,
    preload,
)
from services.common.periods.ledger import Rules
from services.common.periods.stored_facts import build_facts, build_record
from services.common.storage.locks import lock
from services.common.storage.projection import each_change, plugin_of
from wire import events as E
from wire.records import KINDS

# Every kind a plugin reads (facts), plus the business line; follow-ups and complaints are not facts.
FACT_KINDS = tuple(k for k in KINDS if KINDS[k].facts_key or k == "business_line")


def project(u, models, payload) -> bool:
    """Apply one record_changed or records_changed event once, in the unit of work ``u``, as one
    tick of the line's clock (services.common.periods.factstore); returns whether anything changed."""
    if payload.get("kind") not in FACT_KINDS:
        return False
    if not u.first_time(payload["event_id"], E.RECORD_CHANGED):
        return False
    session, Fact = u.session, models.fact
    # the version check below reads a row another event may be rewriting: two updates of one
    # record applied side by side let the older overwrite the newer (a close then paid on it)
    lock(session, f"facts:{payload['business_line']}")
    stored = None
    if "records" in payload:  # a batch: its stored rows in one read, not one each
        stored = preload(
            session, Fact, payload["business_line"], payload["kind"], [r["key"] for r in payload["records"]]
        )
    # under the lock: the ticks are given in the order the changes commit
    tick = clock_now(session, models.clock, payload["business_line"]) + 1
    changed, History = False, models.fact_history
    for change in each_change(payload):
        applied = apply_record(session, Fact, change, FACT_KINDS, stored, tick=tick, History=History)
        changed = applied or changed
    if changed:
        clock_set(session, models.clock, payload["business_line"], tick)
    return changed


def yield_to_hub():
    """Let the service's other green threads run (heartbeats, other calls) between chunks of a
    long read or write."""
    eventlet.sleep(0)


def off_the_hub(function, *args):
    """Run a plugin's pure computation in a native thread (eventlet's tpool), so the service's hub
    keeps answering broker heartbeats and other calls during a long close; the database work
    around it stays on the hub."""
    return tpool.execute(function, *args)


def line_document(session, Fact, business_line: str) -> dict[str, Any]:
    row = session.get(Fact, (business_line, "business_line", business_line))
    if row is None:
        raise NotFound(f"business line {business_line!r} is not known here (yet)", field="business_line")
    return row.doc


@dataclass(frozen=True)
class LineRules:
    """A line's plugin for a period, configured with the set in force for it, and that set."""

    plugin: RulePlugin
    rules: RuleSet

    def recorded(self) -> Rules:
        """What a sheet computed with them records (for a replay)."""
        return Rules(
            plugin=self.plugin.key,
            plugin_version=self.plugin.version,
            parameters=dict(self.rules.parameters),
            rules_from=self.rules.effective_from,
        )


def line_plugin(session, Fact, business_line: str, period: str | None = None) -> LineRules:
    """The line's plugin with the set of rules in force for ``period`` (kamkit.rulesets)."""
    rules = in_force(line_document(session, Fact, business_line), period)
    return LineRules(plugin_of(rules.plugin, rules.parameters), rules)


def facts_for(
    session,
    Fact,
    business_line: str,
    *,
    first,
    last,
    lookback_days: int,
    periods,
    tick: int,
    targets_as_of=None,
    **top,
):
    """The period's facts from the projection as they stood at ``tick`` of the line's clock:
    streamed by kind and built without a second validation (services.common.periods.stored_facts),
    yielding to the hub between chunks.
    ``targets_as_of``: when the period first closed; a target change approved after it is left
    out, as if still pending (docs/rules.md §7: it does not rewrite a closed period)."""
    records = period_records(
        session,
        Fact,
        business_line,
        first=first,
        last=last,
        kinds=[k for k in FACT_KINDS if k != "business_line"],
        lookback_days=lookback_days,
        periods=[str(p) for p in periods],
        build=build_record,
        pause=yield_to_hub,
        as_of=AsOf(tick),
    )
    if targets_as_of is not None:
        records["target_change"] = [
            c
            for c in records.get("target_change", ())
            if c.decided_at is None or c.decided_at <= targets_as_of
        ]
    return build_facts(records, business_line=business_line, **top)


def closed_event(event_type: str, sheet, line_count: int) -> dict[str, Any]:
    return E.make_event(
        event_type,
        business_line=sheet.business_line,
        period=sheet.period,
        version=sheet.version,
        totals=sheet.totals,
        plugin=sheet.plugin,
        lines=line_count,
        reason=sheet.reason,
        as_of=None,
    )


def projection_counts(session, Fact, business_line: str) -> dict[str, int]:
    """How many records of each kind this service holds for a line (has it caught up?)."""
    rows = (
        session.query(Fact.kind, func.count())
        .filter(Fact.business_line == business_line)
        .group_by(Fact.kind)
        .all()
    )
    return {kind: n for kind, n in sorted(rows)}


def projection_versions(session, Fact, business_line: str) -> dict[str, int]:
    """Sum of record versions per kind: equals intake's once every change has arrived."""
    rows = (
        session.query(Fact.kind, func.sum(Fact.version))
        .filter(Fact.business_line == business_line)
        .group_by(Fact.kind)
        .all()
    )
    return {kind: int(n) for kind, n in sorted(rows)}


@contextlib.contextmanager
def collector_paused():
    """No cyclic garbage collection while a close builds and computes its period: a million
    records alive make every full collection walk them all (3.2 s instead of 5.2 to build a
    million opportunities). The records hold no cycles; collection resumes after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def caught_up(
    session, Fact, intake, *, config, business_line: str, accept_missing: str | None = None
) -> str | None:
    """Wait until this projection holds every change intake has sent for the line, or refuse
    (services.common.periods.catch_up); ``intake`` is the service's RpcProxy to it. With
    ``accept_missing``, answers the note a sheet closed behind intake carries in its reason."""

    def held():
        session.rollback()  # each poll a fresh read: an open transaction keeps seeing its snapshot
        return projection_versions(session, Fact, business_line)

    return catch_up.wait_for_intake(
        lambda: intake.record_counts(business_line),
        held,
        FACT_KINDS,
        wait_s=catch_up.seconds(config),
        business_line=business_line,
        accept_missing=accept_missing,
    )


def close_and_announce(
    u, models, *, event_type: str, business_line: str, period: str, rules: Rules, compute, ready=None
) -> dict[str, Any]:
    """Close the period (or find its closed sheet), announce a new sheet once, and answer with its
    summary (totals, line count, version): the lines are read page by page, so no reply grows
    with the organisation. A new sheet is written in the unit of work ``u`` with its audit entry
    and its ``event_type`` event; finding the closed one changes nothing and records nothing.
    ``ready()`` runs first when the period is to be computed (``caught_up``), outside any lock:
    waiting for events there would hold up the very writes it waits for; what it answers is
    added to the new sheet's reason."""
    session = u.session
    note = None
    if ready is not None:
        latest = models.ledger.current(session, business_line, period)
        if latest is None or latest.status != ledger.CLOSED:
            note = ready()
    with collector_paused():
        sheet, created = models.ledger.close(
            session,
            business_line,
            period,
            rules=rules,
            compute=compute,
            pause=yield_to_hub,
            note=note,
        )
    session.flush()
    answer = models.ledger.summary_dict(session, sheet)
    if created:
        u.emit(event_type, closed_event(event_type, sheet, answer["line_count"]))
        u.audit(
            business_line=business_line,
            target=f"sheet:{period}",
            period=period,
            after={k: answer[k] for k in ("version", "status", "plugin", "reason", "line_count")},
        )
    u.commit()
    return answer


def audit_reopen(u, business_line: str, period: str, sheet, **after) -> None:
    """The audit entry of a reopened period: the version it was, what it is now, and why."""
    u.audit(
        business_line=business_line,
        target=f"sheet:{period}",
        period=period,
        before={"version": sheet.version, "status": ledger.CLOSED},
        after={"version": sheet.version, "status": sheet.status, "reason": sheet.reopen_reason, **after},
    )
