"""assessment's migrations: run by services.common.storage.migrations (and the alembic command)."""

from alembic import context

from services.assessment.models import Base
from services.common.storage.migrations import run_env

run_env(context, Base.metadata)
