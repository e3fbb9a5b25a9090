"""access_principals.scopes: grants narrowed to a branch or to oneself (issue 25).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from services.common.storage import baseline

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    baseline.access_scopes()


def downgrade() -> None:
    baseline.drop_access_scopes()
