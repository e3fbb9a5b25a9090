"""escalation's schema as the suite created it before migrations (services.common.storage.baseline has the
tables several services share).

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from services.common.storage import baseline

revision = "0001"
down_revision = None


def upgrade() -> None:
    baseline.reliability()
    baseline.audit()
    baseline.access()
    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("business_line", sa.String(length=100), nullable=False),
        sa.Column("opportunity", sa.String(length=100), nullable=False),
        sa.Column("clock", sa.Date(), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column("person", sa.String(length=100), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "business_line", "opportunity", "clock", "week", "role", name="uq_escalation_once"
        ),
    )
    op.create_table(
        "follow_ups",
        sa.Column("business_line", sa.String(length=100), nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("opportunity", sa.String(length=100), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("business_line", "id"),
    )
    op.create_table(
        "lines",
        sa.Column("business_line", sa.String(length=100), nullable=False),
        sa.Column("plugin", sa.String(length=100), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("business_line"),
    )
    op.create_table(
        "opportunities",
        sa.Column("business_line", sa.String(length=100), nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("doc", sa.JSON(), nullable=False),
        sa.Column("branch", sa.String(length=100), nullable=True),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("tier", sa.String(length=64), nullable=True),
        sa.Column("owner_role", sa.String(length=64), nullable=True),
        sa.Column("owner", sa.String(length=100), nullable=True),
        sa.Column("confirming_role", sa.String(length=64), nullable=True),
        sa.Column("confirmer", sa.String(length=100), nullable=True),
        sa.Column("follow_up_days", sa.Integer(), nullable=True),
        sa.Column("clock", sa.Date(), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("business_line", "id"),
    )
    op.create_index("ix_opportunities_due", "opportunities", ["open", "due"])
    op.create_table(
        "people",
        sa.Column("business_line", sa.String(length=100), nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column("branch", sa.String(length=100), nullable=True),
        sa.Column("grade", sa.String(length=32), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("business_line", "id"),
    )
    op.create_index("ix_people_branch", "people", ["branch"])


def downgrade() -> None:
    baseline.drop(
        "people",
        "opportunities",
        "lines",
        "follow_ups",
        "escalations",
        "access_principals",
        "audit_log",
        "outbox",
        "idempotent_calls",
        "applied_events",
    )
