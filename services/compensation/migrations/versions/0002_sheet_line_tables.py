"""A sheet line row may hold a table of many lines (kamkit.explain.LineTable): line_count.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from services.common.storage import baseline

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    baseline.ledger_line_count()


def downgrade() -> None:
    baseline.drop_ledger_line_count()
