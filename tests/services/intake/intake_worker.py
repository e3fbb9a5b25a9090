"""intake's RPC methods on a worker (nameko worker_factory) with a real SQLite database: line
"tel" (acme-flat rules), branch b1 and account manager am1 registered, dispatch mock reset."""

import pytest
from nameko.testing.services import worker_factory
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from services.common.storage import migrations, uow
from services.intake.models import Base
from services.intake.service import IntakeService


class _Db:
    def __init__(self, session):
        self.session = session


@pytest.fixture
def service(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'intake.db'}")
    migrations.prepare(engine, Base.metadata)
    session = sessionmaker(bind=engine)()
    worker = uow.for_worker(worker_factory(IntakeService, db=_Db(session)))
    worker.register_business_line({"key": "tel", "plugin": "acme-flat"})
    worker.register_branch("tel", {"id": "b1", "urban": True})
    worker.register_person("tel", {"id": "am1", "role": "account_manager", "branch": "b1"})
    worker.dispatch.reset_mock()
    yield worker
    session.close()
