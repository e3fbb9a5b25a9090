"""notify's schema as the suite created it before migrations (services.common.storage.baseline has the
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
        "messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dedup", sa.String(length=200), nullable=False),
        sa.Column("business_line", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("markdown", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedup"),
    )
    op.create_table(
        "opportunities",
        sa.Column("business_line", sa.String(length=100), nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("doc", sa.JSON(), nullable=True),
        sa.Column("tier", sa.String(length=64), nullable=True),
        sa.Column("owner", sa.String(length=100), nullable=True),
        sa.Column("owner_role", sa.String(length=64), nullable=True),
        sa.Column("in_bulletin", sa.Boolean(), nullable=False),
        sa.Column("last_follow_up", sa.Date(), nullable=True),
        sa.Column("escalations", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("business_line", "id"),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id", "channel", name="uq_delivery"),
    )


def downgrade() -> None:
    baseline.drop(
        "deliveries",
        "opportunities",
        "messages",
        "access_principals",
        "audit_log",
        "outbox",
        "idempotent_calls",
        "applied_events",
    )
