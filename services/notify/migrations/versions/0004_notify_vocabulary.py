"""lines and people: notices name people, tiers and roles (issue 25).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from services.common.storage import baseline

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    baseline.notify_vocabulary()


def downgrade() -> None:
    baseline.drop_notify_vocabulary()
