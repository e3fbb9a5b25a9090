"""A worker whose database connection dies under it (PostgreSQL restarted, connections
terminated) must not take the service down when its session is closed at teardown."""

import pytest
import sqlalchemy as sa
from nameko_sqlalchemy.database import Database, DatabaseWrapper
from sqlalchemy.orm import declarative_base, sessionmaker

from services.common.storage.db import ServiceDatabase


class _Worker:  # a worker context stand-in: the provider keys its sessions by it (weakly)
    pass


def _worker_with_a_dead_connection(provider, url, admin_url):
    engine = provider.engine = sa.create_engine(url)
    worker = _Worker()
    provider.dbs[worker] = wrapper = DatabaseWrapper(sessionmaker(bind=engine))
    backend = wrapper.session.execute(sa.text("SELECT pg_backend_pid()")).scalar()  # a transaction is open
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:  # what a restart does to every connection
        conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
    admin.dispose()
    return worker, engine


def test_a_connection_lost_before_teardown_is_discarded_not_raised(pg_url_factory):
    from conftest import PG_ADMIN_URL

    url = pg_url_factory("teardown")
    # the hazard: nameko-sqlalchemy's own teardown raises, and nameko stops the service for it
    plain = Database(declarative_base())
    worker, engine = _worker_with_a_dead_connection(plain, url, PG_ADMIN_URL)
    with pytest.raises(sa.exc.OperationalError):
        Database.worker_teardown(plain, worker)
    engine.dispose()

    provider = ServiceDatabase(declarative_base())
    worker, engine = _worker_with_a_dead_connection(provider, url, PG_ADMIN_URL)
    provider.worker_teardown(worker)  # logged, not raised
    assert worker not in provider.dbs
    with engine.connect() as conn:  # and the pool serves working connections again
        assert conn.execute(sa.text("SELECT 1")).scalar() == 1
    engine.dispose()
