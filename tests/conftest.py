# nameko's service containers hang under pytest unless eventlet patches the stdlib first;
# this must run before anything imports socket/threading.
import eventlet

eventlet.monkey_patch()

from services.common.storage.green import make_green  # noqa: E402

make_green()  # psycopg2 as every service runs it (services.serve): its queries yield to eventlet

# ---------------------------------------------------------------------------------------------
# Real infrastructure for service tests: a fresh RabbitMQ vhost per test and a fresh PostgreSQL
# database per test. Under CI=true an unreachable broker or database FAILS the run; elsewhere
# the test is skipped with the reason and how to get the missing server.
import os  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

# imported here, not in the fixtures: a module first imported mid-run is compiled from source
# (no bytecode cache when PYTHONDONTWRITEBYTECODE is set), and CPython 3.11.7 compiling after
# green threads have switched stacks can fail with "AST constructor recursion depth mismatch"
from nameko.containers import ServiceContainer  # noqa: E402
from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402
from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from services.common.storage import migrations  # noqa: E402
from wire import events as E  # noqa: E402
from wire.records import record_key  # noqa: E402

AMQP_HOST = os.environ.get("KAM_TEST_AMQP_HOST", "127.0.0.1")
PG_HOST = os.environ.get("KAM_TEST_PG_HOST", "127.0.0.1")
PG_ADMIN_URL = os.environ.get("KAM_TEST_PG_ADMIN", f"postgresql://postgres@{PG_HOST}:5432/postgres")
HOW = {
    "rabbitmq": "RabbitMQ on 127.0.0.1:5672 (guest/guest): `apt install rabbitmq-server` then "
    "`rabbitmq-server -detached`",
    "postgres": "PostgreSQL on 127.0.0.1:5432 with trust auth for user postgres: `apt install "
    "postgresql` then `pg_ctlcluster $(ls /etc/postgresql) main start`",
}


def _reachable(host, port):
    try:
        socket.create_connection((host, port), timeout=2).close()
        return True
    except OSError:
        return False


def _missing(what):
    message = f"{what} is not reachable; needed: {HOW[what]}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def _rabbitmqctl(*args):
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


@pytest.fixture
def amqp_uri():
    """A throwaway vhost on the real broker, so each test starts with empty queues."""
    if not _reachable(AMQP_HOST, 5672):
        _missing("rabbitmq")
    vhost = f"kam_test_{uuid.uuid4().hex[:10]}"
    try:
        _rabbitmqctl("add_vhost", vhost)
        _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.fail(
            f"cannot create a test vhost with rabbitmqctl ({exc}); run the tests as a user "
            f"allowed to run rabbitmqctl (root or rabbitmq)"
        )
    yield f"pyamqp://guest:guest@{AMQP_HOST}:5672/{vhost}"
    # deleted while the next test runs (rabbitmqctl takes about half a second); waited for at the end
    _deleting[:] = [process for process in _deleting if process.poll() is None]
    _deleting.append(
        subprocess.Popen(
            ["rabbitmqctl", "-q", "delete_vhost", vhost], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    )


_deleting: list[subprocess.Popen] = []


def pytest_sessionfinish(session, exitstatus):
    for process in _deleting:
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def pg_url_factory():
    """Creates throwaway PostgreSQL databases: factory(name) -> URL; dropped after the test."""
    if not _reachable(PG_HOST, 5432):
        _missing("postgres")
    import sqlalchemy as sa

    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    created = []

    def make(name):
        db = f"kam_test_{name}_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{db}"'))
        created.append(db)
        return f"postgresql://postgres@{PG_HOST}:5432/{db}"

    yield make
    with admin.connect() as conn:
        for db in created:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def start_service(amqp_uri, pg_url_factory):
    """start_service(ServiceClass, db_url=None, **config) -> running container (stopped after,
    before the test's databases are dropped)."""

    containers = []

    def start(cls, db_url=None, **config):
        conf = {"AMQP_URI": amqp_uri, **config}
        if db_url:
            conf["DB_URIS"] = {f"{cls.name}:Base": db_url}
        container = ServiceContainer(cls, conf)
        container.start()
        containers.append(container)
        return container

    yield start
    # together: each stop waits out its consumers' one-second drain, so one by one they cost
    # ~2 s a container, several minutes over the suite
    pool = eventlet.GreenPool()
    for container in containers:
        pool.spawn(container.stop)
    pool.waitall()


@pytest.fixture
def rpc(amqp_uri):
    """A standalone RPC client of the test's vhost: rpc.intake.get_record(...)."""

    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) as proxy:
        yield proxy


@pytest.fixture
def sqlite_db(tmp_path):
    """sqlite_db(Base) -> an object with .session, as nameko-sqlalchemy gives a worker."""

    sessions = []

    class Db:
        def __init__(self, session):
            self.session = session

    def make(base):
        engine = create_engine(f"sqlite:///{tmp_path / f'unit{len(sessions)}.db'}")
        migrations.prepare(engine, base.metadata)  # a service's revisions, as it starts
        sessions.append(sessionmaker(bind=engine)())
        return Db(sessions[-1])

    yield make
    for s in sessions:
        s.close()


def record_event(kind, record, version=1, line="acme", event_id=None, key=None):
    """A record_changed payload as intake publishes it (for handler unit tests)."""

    return E.make_event(
        E.RECORD_CHANGED,
        business_line=line,
        kind=kind,
        key=key or record_key(kind, record),
        version=version,
        record=record,
        change="created" if version == 1 else "updated",
        as_of=None,
        **({"event_id": event_id} if event_id else {}),
    )


@pytest.fixture
def free_port():
    """A TCP port on loopback that nothing listens on now (for a gateway under test)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- a headless browser for the report pages (Debian's chromium and chromedriver, driven by
# selenium), one a test module; skipped where neither is installed, failed under CI -----------
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def browser():
    if not (Path(CHROMEDRIVER).exists() and (shutil.which("chromium") or shutil.which("chromium-browser"))):
        message = "needs chromium and its driver: `apt install chromium chromium-driver`"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1400"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


@pytest.fixture
def page_errors(browser):
    """The page's console errors since the last call."""
    return lambda: [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


@pytest.fixture
def texts_outside(browser):
    """(how many SVGs match a selector, the texts of them the browser draws outside their SVG)."""
    return lambda selector: browser.execute_script(_TEXTS_OUTSIDE, selector)


_TEXTS_OUTSIDE = """
const found = [];
const svgs = document.querySelectorAll(arguments[0]);
for (const svg of svgs) {
  const box = svg.getBoundingClientRect();
  for (const text of svg.querySelectorAll('text')) {
    const r = text.getBoundingClientRect();
    if (r.width && (r.left < box.left - 0.5 || r.right > box.right + 0.5 ||
                    r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5))
      found.push(text.textContent);
  }
}
return [svgs.length, found];
"""
