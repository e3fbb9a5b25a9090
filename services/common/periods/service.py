"""What a period service is: assessment (months into sheets of points) and compensation
(quarters into statements of pay) share all of it but what they compute.

A period service keeps its own projection of intake's records (``record_changed`` and
``records_changed``, applied once each), closes a period into an immutable, versioned sheet of
explained lines (services.common.periods.ledger) after waiting for every change intake has sent
(services.common.periods.catch_up), reopens one with a reason, answers its sheets page by page,
and announces each new sheet. A subclass names its RPCs and says what a period's computation is;
each change goes through a unit of work (services.common.storage.uow).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from nameko.dependency_providers import Config
from nameko.rpc import RpcProxy
from nameko.timer import timer

from kamkit.errors import NotFound
from services.common import mixins
from services.common.access.caller import Caller, reach_of
from services.common.access.reach import outside, people_reached
from services.common.messaging import rpc_fields as f
from services.common.messaging.entrypoints import handles
from services.common.messaging.origin import SuiteDispatcher
from services.common.messaging.rpc import api, validated
from services.common.periods.models import PeriodModels
from services.common.periods.period_run import (
    audit_reopen,
    caught_up,
    close_and_announce,
    line_plugin,
    project,
    projection_counts,
    projection_versions,
)
from services.common.periods.schemas import PeriodSchemas
from services.common.storage.outbox import send_outbox
from services.common.storage.uow import UnitsOfWork
from wire import events as E

Compute = Callable[[], tuple[Any, Any, Any]]  # -> (line blocks, carried in, carried out)


class PeriodService(mixins.AccessProjection, mixins.DeadLetters, mixins.AuditTrail):
    """The base of assessment and compensation. A subclass sets ``name``, ``db``
    (ServiceDatabase(models.base)), ``models``, ``schemas``, ``period_name`` ("month",
    "quarter"), ``closed_event`` and ``not_closed`` (what a missing sheet is called)."""

    models: ClassVar[PeriodModels]
    schemas: ClassVar[PeriodSchemas]
    period_name: ClassVar[str]
    closed_event: ClassVar[str]
    not_closed: ClassVar[str]

    dispatch = SuiteDispatcher()  # events under the service's broker user (services.common.messaging.origin)
    uow = UnitsOfWork()  # every change with its audit entry and events, published after commit
    config = Config()
    intake = RpcProxy(E.INTAKE)  # has every change arrived? (services.common.periods.catch_up)
    caller = Caller()  # how far the call reaches: a person's own lines, a branch's, the line's

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "models" in cls.__dict__:  # what the mixins and the unit of work read
            cls.tables, cls.AccessPrincipal = cls.models.tables, cls.models.access

    # --- the projection ---------------------------------------------------------------------

    @handles(E.INTAKE, E.RECORD_CHANGED)
    def on_record_changed(self, payload):
        with self.uow() as u:
            project(u, self.models.fact, payload)

    @handles(E.INTAKE, E.RECORDS_CHANGED)
    def on_records_changed(self, payload):
        self.on_record_changed(payload)

    @api
    def projection_status(self, business_line):
        """Records held per kind for the line: lets a caller check the projection caught up."""
        validated(f.LineRef, business_line=business_line)
        return projection_counts(self.db.session, self.models.fact, business_line)

    @api
    def projection_versions(self, business_line):
        """Sum of record versions per kind, to compare with intake.record_counts."""
        validated(f.LineRef, business_line=business_line)
        return projection_versions(self.db.session, self.models.fact, business_line)

    @api
    def list_periods(self, business_line):
        """The line's closed periods, newest first, each with its newest version and status."""
        validated(f.LineRef, business_line=business_line)
        return self.models.ledger.periods(self.db.session, business_line)

    @timer(interval=5)
    def flush_outbox(self):
        send_outbox(self.db.session, self.models.tables.outbox, self.dispatch)

    # --- what the subclasses' RPCs are made of ----------------------------------------------

    def _arguments(self, schema, **arguments) -> dict[str, Any]:
        """The call's arguments checked by ``schema``; the period under ``"period"``."""
        args = validated(schema, **arguments)
        args["period"] = args[self.period_name]
        return args

    def _plugin(self, business_line):
        return line_plugin(self.db.session, self.models.fact, business_line)

    def _close(self, business_line, period, plugin, compute: Compute, accept_missing) -> dict[str, Any]:
        """Close ``period`` with ``compute`` (or answer its closed sheet), waiting first for
        intake's changes; the new sheet is announced with ``closed_event``."""
        session = self.db.session
        with self.uow() as u:
            return close_and_announce(
                u,
                self.models,
                event_type=self.closed_event,
                business_line=business_line,
                period=str(period),
                plugin_key=plugin.key,
                compute=compute,
                ready=lambda: caught_up(
                    session,
                    self.models.fact,
                    self.intake,
                    config=self.config,
                    business_line=business_line,
                    accept_missing=accept_missing,
                ),
            )

    def _reopen(self, business_line, period, reason, after_reopen=None) -> dict[str, Any]:
        """Mark the current version reopened with ``reason``; ``after_reopen(u, sheet)`` adds what
        else the reopen changes in the same unit (answering extra fields for the audit entry and
        the answer)."""
        with self.uow() as u:
            sheet = self.models.ledger.reopen(u.session, business_line, str(period), reason)
            extra = after_reopen(u, sheet) if after_reopen is not None else {}
            audit_reopen(u, business_line, str(period), sheet, **extra)
        return {"period": str(period), "version": sheet.version, "status": sheet.status, **extra}

    def _sheet(self, business_line, period):
        sheet = self.models.ledger.current(self.db.session, business_line, str(period))
        if sheet is None:
            raise NotFound(f"{period} of {business_line!r} {self.not_closed}", field=self.period_name)
        return sheet

    def _lines(self, business_line, period, *, person=None, page=None, page_size=None, kind=None):
        """A sheet's lines, only those of the people within the caller's reach: another's person
        asked for by name is refused (and the refusal audited), unnamed ones left out."""
        people, reach = None, reach_of(self.caller)
        if not reach.whole:
            people = self._people_reached(business_line, reach)
            if person is not None and person not in people:
                raise outside(reach, what=f"person {person!r}", field="person")
        sheet = self._sheet(business_line, period)
        return self.models.ledger.sheet_dict(
            self.db.session, sheet, person=person, page=page, page_size=page_size, kind=kind, people=people
        )

    def _people_reached(self, business_line, reach):
        Fact = self.models.fact
        rows = self.db.session.query(Fact.key, Fact.doc).filter_by(business_line=business_line, kind="person")
        return people_reached(reach, ((key, (doc or {}).get("branch")) for key, doc in rows))

    def _page(self, **arguments):
        """A sheet's lines, all or page by page: the RPC's arguments, the period under its name."""
        q = self._arguments(self.schemas.query, **arguments)
        return self._lines(
            q["business_line"],
            q["period"],
            person=q["person"],
            page=q["page"],
            page_size=q["page_size"],
            kind=q["kind"],
        )

    def _history_of(self, **arguments):
        """Every version of a period's sheet: the RPC's arguments, the period under its name."""
        q = self._arguments(self.schemas.ref, **arguments)
        return self._history(q["business_line"], q["period"])

    def _history(self, business_line, period):
        return self.models.ledger.history(self.db.session, business_line, str(period))
