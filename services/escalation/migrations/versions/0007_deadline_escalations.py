"""deadline_escalations: a case's step past its due day climbs the ladder, each rung once
(issue 27).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from services.common.storage import baseline

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    baseline.deadline_escalations()


def downgrade() -> None:
    baseline.drop_deadline_escalations()
