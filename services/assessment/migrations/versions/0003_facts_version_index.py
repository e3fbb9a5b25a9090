"""The projection's changes per kind summed from an index: facts (business_line, kind, version).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from services.common.storage import baseline

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    baseline.facts_version_index()


def downgrade() -> None:
    baseline.drop_facts_version_index()
