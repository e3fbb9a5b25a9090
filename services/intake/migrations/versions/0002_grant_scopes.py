"""grants narrowed to a branch or to oneself, and linked to a person (issue 25).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from services.common.storage import baseline

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    baseline.grant_scopes()


def downgrade() -> None:
    baseline.drop_grant_scopes()
