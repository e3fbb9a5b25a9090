"""The fact clock and history, and what a sheet records for a replay (issue 26).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from services.common.storage import baseline

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    baseline.replayable()


def downgrade() -> None:
    baseline.drop_replayable()
