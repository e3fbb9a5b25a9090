"""intake's schema as the suite created it before migrations (services.common.storage.baseline has the
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
    op.create_table(
        "principals",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("business_line", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("doc", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("business_line", "kind", "key", name="uq_record_key"),
    )
    op.create_index("ix_records_line_kind_day", "records", ["business_line", "kind", "day"])
    op.create_table(
        "grants",
        sa.Column("principal", sa.String(length=100), nullable=False),
        sa.Column("business_line", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["principal"],
            ["principals.id"],
        ),
        sa.PrimaryKeyConstraint("principal", "business_line"),
    )
    op.create_table(
        "tokens",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("principal", sa.String(length=100), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["principal"],
            ["principals.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_tokens_principal", "tokens", ["principal"])


def downgrade() -> None:
    baseline.drop(
        "tokens",
        "grants",
        "records",
        "principals",
        "audit_log",
        "outbox",
        "idempotent_calls",
        "applied_events",
    )
