"""opportunities.decision: confirmed or rejected by its confirming role (docs/rules.md §1.1).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from services.common.storage import baseline

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    baseline.opportunities_decision()


def downgrade() -> None:
    baseline.drop_opportunities_decision()
