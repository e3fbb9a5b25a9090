"""Two transactions side by side on PostgreSQL, as two instances of a service would run them:
real OS threads (eventlet's originals), each worker with its own session and connection. One
transaction is held open at its commit while the other runs, so the interleaving that lost a
change is made every time, not waited for."""

import eventlet
import sqlalchemy as sa
from nameko.testing.services import worker_factory
from sqlalchemy.orm import sessionmaker

from services.common.storage import migrations, uow

threading = eventlet.patcher.original("threading")
time = eventlet.patcher.original("time")


class Db:
    """What nameko-sqlalchemy gives a worker: ``.session``."""

    def __init__(self, session):
        self.session = session


class Workers:
    """workers(**dependencies) -> a worker of ``Service`` with its own session on ``url``."""

    def __init__(self, Service, Base, url):
        self.engine = sa.create_engine(url)
        migrations.prepare(self.engine, Base.metadata)
        self.Service, self.sessions = Service, sessionmaker(bind=self.engine)

    def __call__(self, **dependencies):
        worker = worker_factory(self.Service, db=Db(self.sessions()), **dependencies)
        if hasattr(self.Service, "tables"):  # changes through real units of work, audited in real rows
            uow.for_worker(worker)
        return worker

    def close(self):
        self.engine.dispose()


class HeldAtCommit:
    """Runs ``call(*args)`` in a thread whose session stops at its next commit until ``release``."""

    def __init__(self, session, call, *args):
        self.arrived, self.go_on, commit = threading.Event(), threading.Event(), session.commit

        def held_commit():
            session.commit = commit  # only the first commit is held
            self.arrived.set()
            self.go_on.wait(30)
            commit()

        session.commit = held_commit
        self.thread = threading.Thread(target=call, args=args)
        self.thread.start()
        assert self.arrived.wait(30), "the held transaction never reached its commit"

    def release(self):
        self.go_on.set()
        self.thread.join(30)
        assert not self.thread.is_alive()


def in_thread(call, *args):
    """``call(*args)`` started in a thread; join it with finish()."""
    result = {}

    def run():
        try:
            result["value"] = call(*args)
        except Exception as exc:  # handed to the test
            result["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def still_waiting(thread, seconds=0.5) -> bool:
    """True if the thread is still blocked after ``seconds`` (on a lock the other one holds)."""
    time.sleep(seconds)
    return thread.is_alive()
