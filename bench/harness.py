"""What the bench/ scripts share: a throwaway RabbitMQ vhost and PostgreSQL database, a service
started as its own `nameko run` process, its CPU time and peak RSS read from /proc, and the
min/median/max table every script prints. Nothing here asserts: benchmarks print, people judge.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
logging.getLogger("amqp").setLevel(
    logging.ERROR
)  # "Received method ... during closing channel" on every client close
TICK = os.sysconf("SC_CLK_TCK")
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (and its threads) from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def machine_jiffies() -> tuple[int, int]:
    """(busy, total) CPU time of the whole machine so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def busy_fraction(before: tuple[int, int], after: tuple[int, int]) -> float:
    """Share of all the machine's cores busy between two machine_jiffies() readings."""
    return (after[0] - before[0]) / max(1, after[1] - before[1])


def peak_rss_mib(pid: int) -> float:
    """The process's peak resident set (VmHWM) so far, MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


@contextlib.contextmanager
def vhost():
    """A throwaway vhost on the local broker; yields its AMQP URI."""
    name = f"kam_bench_{uuid.uuid4().hex[:8]}"
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", name], check=True, capture_output=True)
    subprocess.run(
        ["rabbitmqctl", "-q", "set_permissions", "-p", name, "guest", ".*", ".*", ".*"],
        check=True,
        capture_output=True,
    )
    try:
        yield f"pyamqp://guest:guest@127.0.0.1:5672/{name}"
    finally:
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", name], capture_output=True)


class Databases:
    """Creates databases for a run (PostgreSQL, or SQLite files under ``tmp``); drops them after."""

    def __init__(self, admin: str, tmp: Path):
        self.admin, self.tmp, self.created = admin, Path(tmp), []
        self.engine = None
        if admin != "sqlite":
            import sqlalchemy as sa

            self.engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")

    @property
    def kind(self) -> str:
        return "SQLite" if self.engine is None else "PostgreSQL"

    def new(self, label: str) -> str:
        name = f"kam_bench_{label}_{uuid.uuid4().hex[:6]}"
        if self.engine is None:
            return f"sqlite:///{self.tmp}/{name}.db"
        import sqlalchemy as sa

        with self.engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return self.admin.rsplit("/", 1)[0] + f"/{name}"

    def drop_all(self):
        if self.engine is None:
            return
        import sqlalchemy as sa

        with self.engine.connect() as conn:
            for name in self.created:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def consumers(amqp_uri: str, queue: str) -> int:
    """How many consumers a queue of the throwaway vhost has (are all the instances up?)."""
    listed = subprocess.run(
        ["rabbitmqctl", "-q", "list_queues", "-p", amqp_uri.rsplit("/", 1)[1], "name", "consumers"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return next(
        (
            int(n)
            for name, n in (line.split() for line in listed.splitlines() if line.strip())
            if name == queue
        ),
        0,
    )


def start_service(module: str, config: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    """``nameko run --config CONFIG MODULE`` as a child process (logs to ``log``). Access control
    is off unless ``env`` turns it on: these benches call without a token and measure the
    service's own work (bench/demo_year.py runs with it on, as the demo does)."""
    nameko = Path(sys.executable).with_name("nameko")
    return subprocess.Popen(
        [str(nameko), "run", "--config", config, module],
        cwd=ROOT,
        env={**os.environ, "LOG_LEVEL": "WARNING", "ACCESS_CONTROL": "off", **env},
        stdout=open(log, "wb"),
        stderr=subprocess.STDOUT,
    )


def stop_service(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wait_for(call, deadline: float = 60):
    """Call until it answers (the service is up); returns its answer."""
    end = time.time() + deadline
    while True:
        try:
            return call()
        except Exception:  # not up yet
            if time.time() > end:
                raise
            time.sleep(0.2)


def spread(values: Sequence[float], fmt: str = "8.2f") -> str:
    """min median max of a list of figures, formatted."""
    return " ".join(format(v, fmt) for v in (min(values), statistics.median(values), max(values)))


def table(
    title: str,
    rows: Iterable[tuple[str, Sequence[float], Sequence[float]]],
    first: str = "seconds",
    second: str = "peak RSS MiB",
) -> None:
    """Prints subject | first min/median/max | second min/median/max."""
    print(title)
    print(f"{'subject':<40} {first + ' min/median/max':>28} {second + ' min/median/max':>32}")
    for subject, a, b in rows:
        print(f"{subject:<40} {spread(a):>28} {spread(b, '9.0f'):>32}")


def median(values: Sequence[float]) -> float:
    return statistics.median(values)
