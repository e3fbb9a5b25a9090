"""A pooled PostgreSQL connection is checked before use only after lying idle
(services.common.storage.db.ping_when_idle): a dead idle one is replaced before the caller sees it; a busy
one is not pinged, and if it died the call fails once and the pool starts afresh."""

import pytest
import sqlalchemy as sa

from services.common.storage import db


def _kill_backends(url):
    name = url.rsplit("/", 1)[1]
    admin = sa.create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        killed = conn.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :db AND pid <> pg_backend_pid()"
            ),
            {"db": name},
        ).scalar()
    admin.dispose()
    return killed


def test_idle_connections_are_checked_busy_ones_are_not(pg_url_factory, monkeypatch):
    url = pg_url_factory("ping")
    engine = sa.create_engine(url, **db._engine_options(url, workers=0))
    db.ping_when_idle(engine)

    def query():
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT 1")).scalar()

    assert query() == 1
    # idle "long enough" (threshold 0): the dead connection is found by the ping and replaced
    monkeypatch.setattr(db, "PING_IDLE_S", 0)
    assert _kill_backends(url) >= 1
    assert query() == 1
    # used within the threshold: no ping, so the dead connection fails the call that uses it ...
    monkeypatch.setattr(db, "PING_IDLE_S", 3600)
    assert _kill_backends(url) >= 1
    with pytest.raises(sa.exc.OperationalError):
        query()
    # ... and only that call: the pool was invalidated, the next one connects afresh
    assert query() == 1
    engine.dispose()
