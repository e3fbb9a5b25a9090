"""access_principals.scopes: grants narrowed to a branch or to oneself (issue 25).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from services.common.storage import baseline

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    baseline.access_scopes()


def downgrade() -> None:
    baseline.drop_access_scopes()
