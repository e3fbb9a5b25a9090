"""awaiting and warnings_sent: warnings before a breach, each sent once (issue 25).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from services.common.storage import baseline

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    baseline.warnings()


def downgrade() -> None:
    baseline.drop_warnings()
