"""The tables of a period service (assessment, compensation): one set, made on each service's
own declarative base, so each keeps its own database and Alembic revisions."""

from __future__ import annotations

from dataclasses import dataclass

from services.common.access.guard import access_table
from services.common.periods.adjustments import adjustment_table
from services.common.periods.factstore import fact_history_tables, fact_table
from services.common.periods.inquiries import inquiry_table
from services.common.periods.ledger import Ledger, ledger_tables
from services.common.storage.db import new_base
from services.common.storage.uow import Tables, reliability


@dataclass(frozen=True)
class PeriodModels:
    base: type  # the service's declarative base; its migrations: services/<name>/migrations
    fact: type  # the projection of intake's records
    fact_history: type  # the versions a change replaced, with the clock's tick that replaced them
    clock: type  # each line's clock: the tick of the last change applied
    sheet: type  # a closed period's versions
    sheet_line: type  # their explained lines
    ledger: Ledger  # the two, for closing, reopening and reading periods
    adjustment: type  # corrections of closed versions, posted into a later period
    inquiry: type  # people's questions on their lines, and the answers
    access: type  # who may do what, as intake announced it
    tables: Tables  # applied events, idempotency answers, outbox, audit trail


def period_models(service: str) -> PeriodModels:
    base = new_base(service)
    sheet, sheet_line = ledger_tables(base)
    history, clock = fact_history_tables(base)
    return PeriodModels(
        base=base,
        fact=fact_table(base),
        fact_history=history,
        clock=clock,
        sheet=sheet,
        sheet_line=sheet_line,
        ledger=Ledger(sheet, sheet_line),
        adjustment=adjustment_table(base),
        inquiry=inquiry_table(base),
        access=access_table(base),
        tables=reliability(base),
    )
