"""intake's migrations: run by services.common.storage.migrations (and the alembic command)."""

from alembic import context

from services.common.storage.migrations import run_env
from services.intake.models import Base

run_env(context, Base.metadata)
