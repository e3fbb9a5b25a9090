"""The revisions of tables several services share, each service's revision calling them: 0001,
the tables as they stood when the suite took up migrations (each service's versions/0001 creates
its own tables and calls these), then each later change, in order.

History, not models: never edit what is here. A change to a shared table is a new function here
and a new revision in every service that has the table.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

_PG_APPEND_ONLY = (
    "CREATE OR REPLACE FUNCTION kam_audit_append_only() RETURNS trigger AS $$ BEGIN "
    "RAISE EXCEPTION 'audit_log is append-only'; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION kam_audit_append_only()",
)
_SQLITE_APPEND_ONLY = tuple(
    f"CREATE TRIGGER audit_log_no_{what.lower()} BEFORE {what} ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
    for what in ("UPDATE", "DELETE")
)


def reliability() -> None:
    """Applied events, idempotency keys, the event outbox (services.common.storage.db)."""
    op.create_table(
        "applied_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("applied_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_table(
        "idempotent_calls",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("method", sa.String(length=64), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("claim", sa.String(length=32), nullable=True),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_outbox_claim", "outbox", ["claim"])


def audit() -> None:
    """The append-only audit trail (services.common.storage.audit), refused UPDATE and DELETE by the
    database itself."""
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("principal", sa.String(length=100), nullable=False),
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("business_line", sa.String(length=100), nullable=True),
        sa.Column("target", sa.String(length=200), nullable=True),
        sa.Column("period", sa.String(length=16), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("correlation_id", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_line_at", "audit_log", ["business_line", "at"])
    op.create_index("ix_audit_period", "audit_log", ["period"])
    op.create_index("ix_audit_principal", "audit_log", ["principal"])
    op.create_index("ix_audit_target", "audit_log", ["target"])
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _PG_APPEND_ONLY if postgres else _SQLITE_APPEND_ONLY:
        op.execute(statement)


def access() -> None:
    """Who may do what, as intake announced it (services.common.access.guard)."""
    op.create_table(
        "access_principals",
        sa.Column("principal", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("grants", sa.JSON(), nullable=False),
        sa.Column("tokens", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("principal"),
    )


def facts() -> None:
    """The projection of intake's records (services.common.periods.factstore)."""
    op.create_table(
        "facts",
        sa.Column("business_line", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("period", sa.String(length=16), nullable=True),
        sa.Column("doc", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("business_line", "kind", "key"),
    )
    op.create_index("ix_facts_line_kind_day", "facts", ["business_line", "kind", "day"])
    op.create_index("ix_facts_period", "facts", ["period"])


def ledger() -> None:
    """Closed, versioned sheets and their lines (services.common.periods.ledger)."""
    op.create_table(
        "sheets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("business_line", sa.String(length=100), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("plugin", sa.String(length=100), nullable=False),
        sa.Column("totals", sa.JSON(), nullable=False),
        sa.Column("carried_in", sa.JSON(), nullable=True),
        sa.Column("carried_out", sa.JSON(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=False),
        sa.Column("reopened_at", sa.DateTime(), nullable=True),
        sa.Column("reopen_reason", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("stale_since", sa.DateTime(), nullable=True),
        sa.Column("stale_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("business_line", "period", "version", name="uq_sheet_version"),
    )
    op.create_table(
        "sheet_lines",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sheet_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column("figure", sa.String(length=40), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("clause", sa.String(length=64), nullable=False),
        sa.Column("line", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["sheet_id"], ["sheets.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sheet_lines_person", "sheet_lines", ["sheet_id", "person"])


def ledger_line_count() -> None:
    """0002 (assessment, compensation): a sheet line row may hold a table of many lines."""
    with op.batch_alter_table("sheet_lines") as batch:
        batch.add_column(sa.Column("line_count", sa.Integer(), nullable=False, server_default="1"))


def drop_ledger_line_count() -> None:
    with op.batch_alter_table("sheet_lines") as batch:
        batch.drop_column("line_count")


def facts_version_index() -> None:
    """0003 (assessment, compensation): the projection's changes per kind summed from an index
    (services.common.periods.catch_up asks before every close)."""
    op.create_index("ix_facts_line_kind_version", "facts", ["business_line", "kind", "version"])


def drop_facts_version_index() -> None:
    op.drop_index("ix_facts_line_kind_version", "facts")


def opportunities_assignment() -> None:
    """0002 (escalation, notify): each opportunity's newest owner assignment, by number, so that
    of two owner_assigned events arriving out of order the newer stands."""
    with op.batch_alter_table("opportunities") as batch:
        batch.add_column(sa.Column("assignment", sa.Integer(), nullable=False, server_default="0"))


def drop_opportunities_assignment() -> None:
    with op.batch_alter_table("opportunities") as batch:
        batch.drop_column("assignment")


def opportunities_decision() -> None:
    """0003 (escalation): an opportunity's confirmation decision (docs/rules.md §1.1): a rejected
    one is neither followed up nor in the bulletin."""
    with op.batch_alter_table("opportunities") as batch:
        batch.add_column(sa.Column("decision", sa.String(16), nullable=True))


def drop_opportunities_decision() -> None:
    with op.batch_alter_table("opportunities") as batch:
        batch.drop_column("decision")


def access_scopes() -> None:
    """access_principals.scopes (issue 25): grants narrowed to a branch or to oneself, and the
    person a principal is on a line."""
    with op.batch_alter_table("access_principals") as batch:
        batch.add_column(sa.Column("scopes", sa.JSON(), nullable=True))


def drop_access_scopes() -> None:
    with op.batch_alter_table("access_principals") as batch:
        batch.drop_column("scopes")


def grant_scopes() -> None:
    """0002 (intake): a grant's scope (line, branch, self), its branch and the person the
    principal is on the line (issue 25); existing grants cover their whole line."""
    with op.batch_alter_table("grants") as batch:
        batch.add_column(sa.Column("scope", sa.String(16), nullable=False, server_default="line"))
        batch.add_column(sa.Column("branch", sa.String(100), nullable=True))
        batch.add_column(sa.Column("person", sa.String(100), nullable=True))


def drop_grant_scopes() -> None:
    with op.batch_alter_table("grants") as batch:
        for column in ("person", "branch", "scope"):
            batch.drop_column(column)


def warnings() -> None:
    """0005 (escalation): what warnings are made of, and each warning sent once (issue 25)."""
    op.create_table(
        "awaiting",
        sa.Column("business_line", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("doc", sa.JSON(), nullable=False),
        sa.Column("since", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("business_line", "kind", "key"),
    )
    op.create_table(
        "warnings_sent",
        sa.Column("business_line", sa.String(length=100), nullable=False),
        sa.Column("dedup", sa.String(length=250), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("business_line", "dedup"),
    )


def drop_warnings() -> None:
    drop("warnings_sent", "awaiting")


def deadline_escalations() -> None:
    """0007 (escalation): each rung notified for a case's step past its due day, once (issue 27)."""
    op.create_table(
        "deadline_escalations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("business_line", sa.String(length=100), nullable=False),
        sa.Column("case", sa.String(length=100), nullable=False),
        sa.Column("rule", sa.String(length=100), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column("person", sa.String(length=100), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("business_line", "case", "rule", "due", "step", "role", name="uq_deadline_once"),
    )


def drop_deadline_escalations() -> None:
    drop("deadline_escalations")


def notify_vocabulary() -> None:
    """0004 (notify): lines and people, so notices name people and tiers (issue 25)."""
    op.create_table(
        "lines",
        sa.Column("business_line", sa.String(length=100), nullable=False),
        sa.Column("plugin", sa.String(length=100), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("business_line"),
    )
    op.create_table(
        "people",
        sa.Column("business_line", sa.String(length=100), nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("branch", sa.String(length=100), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("business_line", "id"),
    )


def drop_notify_vocabulary() -> None:
    drop("people", "lines")


def drop(*tables: str) -> None:
    """A baseline's downgrade: its tables gone (their indexes and triggers with them)."""
    for table in tables:
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql" and "audit_log" in tables:
        op.execute("DROP FUNCTION IF EXISTS kam_audit_append_only()")


def replayable() -> None:
    """0005 (assessment, compensation): the fact clock and the versions a change replaced, and what
    a sheet records for a replay: the rules it was computed with and the tick it read (issue 26)."""
    with op.batch_alter_table("facts") as batch:
        batch.add_column(sa.Column("seq", sa.Integer(), nullable=True))
    op.create_table(
        "fact_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("business_line", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("period", sa.String(length=16), nullable=True),
        sa.Column("doc", sa.JSON(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.Column("replaced_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_fact_history_replaced", "fact_history", ["business_line", "kind", "replaced_seq"])
    op.create_table(
        "fact_clock",
        sa.Column("business_line", sa.String(length=100), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("business_line"),
    )
    with op.batch_alter_table("sheets") as batch:
        batch.add_column(sa.Column("plugin_version", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("parameters", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("rules_from", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("facts_seq", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("sources", sa.JSON(), nullable=True))
    op.create_table(
        "adjustments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("business_line", sa.String(length=100), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=100), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("facts_seq", sa.Integer(), nullable=True),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("carried_out", sa.JSON(), nullable=True),
        sa.Column("inquiry", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_adjustments_target", "adjustments", ["business_line", "target"])
    op.create_table(
        "inquiries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("business_line", sa.String(length=100), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=100), nullable=False),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("quoted", sa.JSON(), nullable=True),
        sa.Column("record", sa.Text(), nullable=True),
        sa.Column("reason_code", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("raised_by", sa.String(length=100), nullable=True),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answered_by", sa.String(length=100), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("adjustment", sa.Integer(), nullable=True),
        sa.Column("warned_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_inquiries_line_status", "inquiries", ["business_line", "status"])


def drop_replayable() -> None:
    drop("inquiries", "adjustments")
    with op.batch_alter_table("sheets") as batch:
        for column in ("sources", "facts_seq", "rules_from", "parameters", "plugin_version"):
            batch.drop_column(column)
    drop("fact_clock", "fact_history")
    with op.batch_alter_table("facts") as batch:
        batch.drop_column("seq")


def line_rules() -> None:
    """escalation 0006, notify 0005: a projected line's rules from a month on (issue 26)."""
    with op.batch_alter_table("lines") as batch:
        batch.add_column(sa.Column("rules", sa.JSON(), nullable=True))


def drop_line_rules() -> None:
    with op.batch_alter_table("lines") as batch:
        batch.drop_column("rules")
