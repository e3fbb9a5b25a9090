"""opportunities.assignment: the number of the newest owner assignment (escalation counts
them, notify keeps the newest it applied).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from services.common.storage import baseline

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    baseline.opportunities_assignment()


def downgrade() -> None:
    baseline.drop_opportunities_assignment()
