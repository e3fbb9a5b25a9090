"""lines.rules: a line's rules in force from a month on, so escalation and notify use the set
in force on the day (issue 26).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from services.common.storage import baseline

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    baseline.line_rules()


def downgrade() -> None:
    baseline.drop_line_rules()
