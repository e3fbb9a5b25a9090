"""Scale-out: 1 and then 2 instances of intake, and of escalation, each instance its own
`python -m services.serve <name>` process (services/serve.py), on a throwaway vhost and PostgreSQL
database per service, the instances consuming the same `rpc-<service>` queue and event queues so
the broker spreads the work between them. The floor is the 1-instance figure of the same run.
Prints, per service, load and instance count, calls per second, the instances' CPU seconds a call
(utime + stime from /proc/<pid>/stat, summed over the instances, before vs after the measured
window) and the callers' own CPU a call, min/median/max over repeats; then for 2 instances the
ratios to 1: CPU a call (goal: within 10 %) and throughput. No assertion, no pass/fail.

    .venv/bin/python -m bench.scale_out [--calls 1000] [--events 1000] [--repeats 3] [--callers 10]
        [--lines 4] [--warmup N] [--service intake escalation] [--quick]

(`.venv/bin/python bench/scale_out.py` works too.) `--quick`: 200 calls, 200 events, 2 repeats,
about a minute on a quiet machine; the defaults take 5-10 minutes. `--events 0` leaves out the
event path.

Loads (callers are green threads of this process, each with its own ClusterRpcProxy):
- intake `record_opportunity`, each with its idempotency key, on one telecom line;
- escalation `get_assignment` of opportunities it has projected (1,000 of them, loaded first);
- escalation's event path: `--events` opportunities written through intake (one instance, not
  measured) while escalation's line locks are held by this script, so their `record_changed`
  events wait on the broker; the window runs from releasing the locks until escalation's own
  `projection_versions` shows them all applied. The events are spread over `--lines` lines: a
  line's events are applied one transaction at a time across all instances (a PostgreSQL
  advisory lock, services/common/storage/locks.py), so one line cannot use a second instance.

1 and 2 instances take turns (1, 2, then 2, 1, ...) so that a slow spell of the machine weighs on
both; the first instance stays up, the second is started and stopped between turns, and every
measurement is preceded by a warm-up. Needs the local RabbitMQ (rabbitmqctl usable, for the
throwaway vhost) and PostgreSQL (trust auth for postgres); every process started here is stopped
(SIGTERM, then killed after 30 s) and every database and vhost dropped, on an error, Ctrl-C or
SIGTERM too.
"""

from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections import Counter  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness import (  # noqa: E402
    PG_ADMIN,
    ROOT,
    Databases,
    busy_fraction,
    cpu_seconds,
    machine_jiffies,
    vhost,
)

from wire import events as E  # noqa: E402

LINE = "bench"  # intake's line, and escalation's for get_assignment
PROJECTED = 1000  # opportunities escalation holds for get_assignment
WRITE_LIMIT = 40  # seconds writing a held backlog at most (escalation's lock wait gives up at 60)
STOP_WAIT = 30  # seconds after SIGTERM before a process is killed (services.serve's grace is 20)
STARTED = time.monotonic()
RECORD_EVENTS = f"evt-{E.INTAKE}-{E.RECORD_CHANGED}--{E.ESCALATION}.on_record_changed"


# --- processes --------------------------------------------------------------------------------


class Fleet:
    """The service processes this script started; ``stop_all`` stops every one still running."""

    def __init__(self, tmp: Path):
        self.tmp, self.procs, self.logs, self.sinks = tmp, [], {}, {}

    def start(self, service: str, amqp_uri: str, db_url: str, label: str) -> subprocess.Popen:
        log = self.tmp / f"{label}.log"
        sink = open(log, "wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "services.serve", service],
            cwd=ROOT,
            env={
                **os.environ,
                "AMQP_URI": amqp_uri,
                f"{service.upper()}_DATABASE_URL": db_url,
                "ACCESS_CONTROL": "off",  # a closed bench: the callers carry no token
                "LOG_LEVEL": "WARNING",
            },
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        self.procs.append(proc)
        self.logs[proc.pid], self.sinks[proc.pid] = log, sink
        return proc

    def stop(self, *procs: subprocess.Popen) -> None:
        """SIGTERM to all of them, then wait for each; killed if still running after STOP_WAIT."""
        running = [p for p in procs if p.poll() is None]
        for p in running:
            p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_WAIT
        for p in running:
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"  pid {p.pid} still running {STOP_WAIT} s after SIGTERM: killed", file=sys.stderr)
                p.kill()
                p.wait()
        for p in procs:
            if p in self.procs:
                self.procs.remove(p)
            sink = self.sinks.pop(p.pid, None)
            if sink is not None:
                sink.close()

    def stop_all(self) -> None:
        self.stop(*self.procs)

    def tail(self, proc: subprocess.Popen) -> str:
        return self.logs[proc.pid].read_text(errors="replace")[-2000:]

    def check(self, procs) -> None:
        for p in procs:
            if p.poll() is not None:
                raise RuntimeError(f"service process {p.pid} exited with {p.returncode}:\n" + self.tail(p))


def answering(fleet: Fleet, procs, call, timeout: float = 120):
    """``call()`` until it answers (the services are up); a process that exits, or no answer within
    ``timeout``, raises with the processes' last log lines."""
    deadline = time.monotonic() + timeout
    while True:
        fleet.check(procs)
        try:
            return call()
        except Exception as exc:  # not up yet: UnknownService, a timeout
            if time.monotonic() > deadline:
                tails = "\n".join(f"--- pid {p.pid}:\n{fleet.tail(p)}" for p in procs)
                raise RuntimeError(f"no answer within {timeout} s ({exc!r}); logs:\n{tails}") from None
            time.sleep(0.3)


def queue_state(amqp_uri: str, queue: str) -> tuple[int, int]:
    """(messages ready, consumers) of a queue, by a passive declare: (0, 0) if it does not exist."""
    from amqp.exceptions import NotFound
    from kombu import Connection

    with Connection(amqp_uri) as conn:
        try:
            _, messages, consumers = conn.default_channel.queue_declare(queue, passive=True)
        except NotFound:
            return 0, 0
        return messages, consumers


def wait_consuming(fleet: Fleet, procs, amqp_uri: str, queues: list[str], timeout: float = 90) -> None:
    """Until every queue has one consumer per running instance (all of them up, or the stopped one
    gone)."""
    deadline = time.monotonic() + timeout
    while any(queue_state(amqp_uri, q)[1] != len(procs) for q in queues):
        fleet.check(procs)
        if time.monotonic() > deadline:
            raise RuntimeError(f"{queues} not consumed by {len(procs)} instance(s) within {timeout} s")
        time.sleep(0.2)


def progress(text: str) -> None:
    print(f"  {time.monotonic() - STARTED:5.0f} s: {text}", file=sys.stderr, flush=True)


# --- callers ----------------------------------------------------------------------------------


class Callers:
    """``n`` standalone RPC clients, each with its own connection, driven as green threads."""

    def __init__(self, amqp_uri: str, n: int):
        from nameko.standalone.rpc import ClusterRpcProxy

        self.proxies = [ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=120) for _ in range(n)]
        self.rpcs = []
        try:
            for proxy in self.proxies:
                self.rpcs.append(proxy.start())
        except BaseException:
            self.close()
            raise

    def run(self, calls: int, call, until: float | None = None) -> float:
        """``call(rpc, i)`` for i in range(calls), spread over the clients, or as many as are made
        before the monotonic time ``until``; wall seconds."""
        n = len(self.rpcs)

        def client(worker: int):
            for i in range(worker, calls, n):
                if until is not None and time.monotonic() > until:
                    return
                call(self.rpcs[worker], i)

        pool = eventlet.GreenPool(n)
        began = time.perf_counter()
        threads = [pool.spawn(client, w) for w in range(n)]
        for t in threads:
            t.wait()  # raises what a client raised
        return time.perf_counter() - began

    def close(self) -> None:
        for proxy in self.proxies:
            try:
                proxy.stop()
            except Exception:  # its connection is gone already
                pass


def write_opportunity(line: str, run: str, branch: str = "b1", owner: str = "am1"):
    def call(rpc, i: int):
        rpc.intake.record_opportunity(
            line,
            {
                "id": f"{run}-{i}",
                "amount": 30000 + i % 1000,
                "discovered": "2026-03-02",
                "branch": branch,
                "account_manager": owner,
                "lines": i % 7,
            },
            idempotency_key=f"{run}-{i}",
        )

    return call


def set_up_line(rpc, line: str) -> None:
    rpc.intake.register_business_line({"key": line, "plugin": "telecom"}, idempotency_key=f"line-{line}")
    rpc.intake.register_branch(line, {"id": "b1"}, idempotency_key=f"b1-{line}")
    for person, role in (("am1", "account_manager"), ("bm1", "branch_manager")):
        rpc.intake.register_person(
            line, {"id": person, "role": role, "branch": "b1"}, idempotency_key=f"{person}-{line}"
        )


@dataclass
class Sample:
    rate: float  # calls (or events) a second
    cpu_ms: float  # the instances' CPU a call, ms
    caller_ms: float | None  # this process's CPU a call, ms (None: no callers in the window)
    busy: float  # share of the machine's cores busy in the window
    shares: list[float] = field(default_factory=list)  # each instance's share of the instances' CPU
    polls: int = 0  # projection_versions calls in the window (the event path)


def measured(procs, calls: int, work) -> Sample:
    """Runs ``work()`` (returns wall seconds, or None to use the elapsed time) between two readings
    of the instances' and this process's CPU."""
    before = [cpu_seconds(p.pid) for p in procs]
    machine, mine = machine_jiffies(), time.process_time()
    began = time.perf_counter()
    seconds = work() or (time.perf_counter() - began)
    caller = time.process_time() - mine
    spent = [cpu_seconds(p.pid) - b for p, b in zip(procs, before)]
    busy = busy_fraction(machine, machine_jiffies())
    total = sum(spent)
    return Sample(
        calls / seconds,
        total / calls * 1000,
        caller / calls * 1000,
        busy,
        [s / total if total else 0 for s in spent],
    )


# --- the subjects -----------------------------------------------------------------------------


class IntakeWrites:
    """intake.record_opportunity from ``callers`` clients."""

    service, labels = "intake", ("intake record_opportunity",)

    def __init__(self, fleet: Fleet, amqp_uri: str, dbs: Databases, args):
        self.fleet, self.amqp_uri, self.args = fleet, amqp_uri, args
        self.db_url = dbs.new("intake")
        self.queues = [f"rpc-{self.service}"]

    def prepare(self) -> None:
        from nameko.standalone.rpc import ClusterRpcProxy

        with ClusterRpcProxy({"AMQP_URI": self.amqp_uri}, timeout=30) as rpc:
            answering(self.fleet, self.fleet.procs, lambda: rpc.intake.list_lines())
            set_up_line(rpc, LINE)

    def measure(self, procs) -> list[Sample]:
        args = self.args
        callers = Callers(self.amqp_uri, args.callers)
        try:
            callers.run(args.warmup, write_opportunity(LINE, f"warm-{uuid.uuid4().hex[:6]}"))
            call = write_opportunity(LINE, uuid.uuid4().hex[:8])
            return [measured(procs, args.calls, lambda: callers.run(args.calls, call))]
        finally:
            callers.close()


class EscalationWork:
    """escalation.get_assignment from ``callers`` clients, and escalation's event path."""

    service = "escalation"
    labels = ("escalation get_assignment", "escalation record_changed events")

    def __init__(self, fleet: Fleet, amqp_uri: str, dbs: Databases, args):
        import sqlalchemy as sa

        self.fleet, self.amqp_uri, self.args = fleet, amqp_uri, args
        self.db_url = dbs.new("escalation")
        self.intake = fleet.start("intake", amqp_uri, dbs.new("intake"), "escalation-run-intake")
        self.queues = [f"rpc-{self.service}", RECORD_EVENTS]
        self.lines = [f"ev{n}" for n in range(args.lines)]
        self.engine = sa.create_engine(self.db_url, pool_size=1)

    def prepare(self) -> None:
        from nameko.standalone.rpc import ClusterRpcProxy

        with ClusterRpcProxy({"AMQP_URI": self.amqp_uri}, timeout=120) as rpc:
            answering(self.fleet, self.fleet.procs, lambda: rpc.intake.list_lines())
            answering(self.fleet, self.fleet.procs, lambda: rpc.escalation.tier_counts(LINE))
            for line in [LINE, *self.lines]:
                set_up_line(rpc, line)
            opportunities = [
                {
                    "id": f"o{i}",
                    "amount": 30000 + i % 1000,
                    "discovered": "2026-03-02",
                    "branch": "b1",
                    "account_manager": "am1",
                }
                for i in range(PROJECTED)
            ]
            rpc.intake.record_batch(LINE, "opportunity", opportunities, idempotency_key="projected")
            self.projected = {line: 0 for line in self.lines}
            self._until_projected(rpc, {LINE: PROJECTED}, 120)
            for line in self.lines:  # the people too: until then an opportunity waits for its owner
                deadline = time.monotonic() + 60
                while rpc.escalation.projection_versions(line).get("person", 0) < 2:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"escalation did not project {line}'s people")
                    time.sleep(0.1)

    def _until_projected(self, rpc, want: dict[str, int], timeout: float) -> int:
        """Polls escalation's own projection_versions until each line holds ``want`` opportunities;
        returns how many RPCs that took."""
        deadline, polls = time.monotonic() + timeout, 0
        pending = dict(want)
        while pending:
            for line, n in list(pending.items()):
                polls += 1
                if rpc.escalation.projection_versions(line).get("opportunity", 0) >= n:
                    del pending[line]
            if pending:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"escalation did not project {pending} within {timeout} s")
                self.fleet.check([self.intake])
                eventlet.sleep(0.02)
        return polls

    def _write_events(self, callers: Callers, n: int, within: float | None = None) -> int:
        """n opportunities through intake, spread over the lines (or as many as are written within
        ``within`` seconds); how many. ``self.projected`` counts them."""
        run, lines, written = uuid.uuid4().hex[:8], self.lines, Counter()

        def call(rpc, i):
            line = lines[i % len(lines)]
            write_opportunity(line, run)(rpc, i)
            written[line] += 1

        callers.run(n, call, None if within is None else time.monotonic() + within)
        for line, k in written.items():
            self.projected[line] += k
        return sum(written.values())

    def measure(self, procs) -> list[Sample]:
        import sqlalchemy as sa
        from kombu import Connection

        args = self.args
        callers = Callers(self.amqp_uri, args.callers)
        try:
            # get_assignment
            def read(rpc, i):
                rpc.escalation.get_assignment(LINE, f"o{(i * 7919) % PROJECTED}")

            callers.run(args.warmup, read)
            reads = measured(procs, args.calls, lambda: callers.run(args.calls, read))
            if args.events <= 0:
                return [reads]

            # the event path: warm up unheld, then a backlog held behind the lines' locks
            self._write_events(callers, max(args.warmup // 4, 10 * len(procs)))
            self._until_projected(callers.rpcs[0], self.projected, 120)
            with self.engine.connect() as conn:
                tx = conn.begin()
                for line in self.lines:
                    conn.execute(
                        sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                        {"key": f"escalation:line:{line}"},
                    )
                held = time.monotonic()
                # the first handlers wait for a lock from here and give up after 60 s
                # (services/common/storage/locks.py): what is written within WRITE_LIMIT is the backlog
                written = self._write_events(callers, args.events, WRITE_LIMIT)
                want = dict(self.projected)
                # every event on the broker: all but the instances' prefetch (10 each) still queued
                ready = written - 10 * len(procs)
                deadline = time.monotonic() + 10
                while queue_state(self.amqp_uri, RECORD_EVENTS)[0] < ready and time.monotonic() < deadline:
                    time.sleep(0.05)
                progress(
                    f"{written} events held {time.monotonic() - held:.1f} s, "
                    f"{queue_state(self.amqp_uri, RECORD_EVENTS)[0]} of them on the queue"
                )

                def drain():
                    tx.commit()  # the locks go: the held events are applied from here
                    began = time.perf_counter()
                    # the broker's count first (it costs the instances nothing), then the service's own
                    # count for the last events, those taken off the queue and still being applied
                    with Connection(self.amqp_uri) as broker:
                        while broker.default_channel.queue_declare(RECORD_EVENTS, passive=True)[1]:
                            if time.perf_counter() - began > 300:
                                raise RuntimeError("escalation did not take the held events within 300 s")
                            eventlet.sleep(0.02)
                    polls.append(self._until_projected(callers.rpcs[0], want, 300))
                    return time.perf_counter() - began

                polls: list[int] = []
                events = measured(procs, written, drain)
            events.caller_ms, events.polls = None, polls[0]
            return [reads, events]
        finally:
            callers.close()

    def close(self) -> None:
        self.engine.dispose()


# --- the run ----------------------------------------------------------------------------------


def run_subject(kind, fleet: Fleet, dbs: Databases, args, results: dict) -> None:
    """1 and 2 instances of one service, taking turns, ``args.repeats`` times."""
    with vhost() as amqp_uri:
        subject = None
        try:
            subject = kind(fleet, amqp_uri, dbs, args)
            first = fleet.start(subject.service, amqp_uri, subject.db_url, f"{subject.service}-1")
            subject.prepare()
            progress(f"{subject.service}: up and prepared")
            second = None
            for repeat in range(args.repeats):
                for instances in (1, 2) if repeat % 2 == 0 else (2, 1):
                    if instances == 2 and second is None:
                        second = fleet.start(
                            subject.service, amqp_uri, subject.db_url, f"{subject.service}-2-{repeat}"
                        )
                    elif instances == 1 and second is not None:
                        fleet.stop(second)
                        second = None
                    procs = [first] if second is None else [first, second]
                    wait_consuming(fleet, procs, amqp_uri, subject.queues)
                    progress(f"{subject.service}: {instances} instance(s) consuming")
                    samples = subject.measure(procs)
                    fleet.check(procs)
                    for label, sample in zip(subject.labels, samples):
                        results.setdefault((label, instances), []).append(sample)
                        progress(
                            f"repeat {repeat + 1}/{args.repeats}: {label}, {instances} instance(s): "
                            f"{sample.rate:.1f}/s, {sample.cpu_ms:.2f} ms CPU a call"
                        )
        finally:
            fleet.stop_all()  # before the vhost goes
            if subject is not None and hasattr(subject, "close"):
                subject.close()


def spread(values, fmt: str) -> str:
    return " ".join(format(v, fmt) for v in (min(values), statistics.median(values), max(values)))


def ratio(one: list[Sample], two: list[Sample], attr: str) -> tuple[float, float, float]:
    """2 instances / 1: the ratio of the medians, and the smallest and largest of the repeats' pairs
    (each repeat's two runs were measured one after the other)."""
    pairs = [getattr(b, attr) / getattr(a, attr) for a, b in zip(one, two)]
    med = statistics.median(getattr(s, attr) for s in two) / statistics.median(getattr(s, attr) for s in one)
    return med, min(pairs), max(pairs)


def report(results: dict, args, subjects, idle_busy: float) -> None:
    cores = os.cpu_count()
    print(
        f"scale_out: 1 vs 2 instances (`python -m services.serve`), PostgreSQL, {cores} cores "
        f"({idle_busy:.0%} busy before the bench began); {args.repeats} repeats; {args.callers} callers; "
        f"{args.calls} calls a run (after {args.warmup} to warm up), "
        + (f"{args.events} events over {args.lines} lines" if args.events > 0 else "no event path")
    )
    print(
        f"{'service / load':<34} {'inst':>4} {'calls/s min/median/max':>26} "
        f"{'service CPU ms/call min/med/max':>33} {'caller ms/call':>14} {'busy':>5} {'CPU split':>10}"
    )
    for kind in subjects:
        for label in kind.labels:
            for instances in (1, 2):
                samples = results.get((label, instances))
                if not samples:
                    continue
                caller = [s.caller_ms for s in samples if s.caller_ms is not None]
                split = "/".join(
                    f"{statistics.median(s.shares[n] for s in samples):.2f}" for n in range(instances)
                )
                print(
                    f"{label:<34} {instances:>4} {spread([s.rate for s in samples], '8.1f'):>26} "
                    f"{spread([s.cpu_ms for s in samples], '10.3f'):>33} "
                    f"{(format(statistics.median(caller), '.3f') if caller else '-'):>14} "
                    f"{statistics.median(s.busy for s in samples):>5.0%} {split:>10}"
                )
    polls = [s.polls for (label, _), samples in results.items() for s in samples if s.polls]
    print(
        "(events: events/s and CPU ms an event. busy: share of all the machine's cores busy in the "
        "window, whoever used them; CPU split: each instance's share of the instances' CPU"
        + (
            f"; each event window's end was read by {min(polls)}-{max(polls)} projection_versions calls, "
            "counted in the service's CPU)"
            if polls
            else ")"
        )
    )
    print("2 instances / 1 (floor: 1 instance, same run; medians, and min-max of the repeats' pairs):")
    for kind in subjects:
        for label in kind.labels:
            one, two = results.get((label, 1)), results.get((label, 2))
            if not one or not two:
                continue
            cpu, rate = ratio(one, two, "cpu_ms"), ratio(one, two, "rate")
            verdict = "within 10 %" if cpu[0] <= 1.10 else "NOT within 10 %"
            print(
                f"  {label:<34} CPU/call x {cpu[0]:.2f} ({cpu[1]:.2f}-{cpu[2]:.2f}, goal <= 1.10: {verdict});"
                f" throughput x {rate[0]:.2f} ({rate[1]:.2f}-{rate[2]:.2f})"
            )
    print(
        f"The machine has {cores} cores; the broker, PostgreSQL and the callers (this process) run on "
        f"them beside the instances"
        + (
            ", so a second instance finds no idle core and no throughput gain is expected: the CPU a "
            "call is the figure that says whether a second instance costs more work."
            if (cores or 1) <= 2
            else "."
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=1000, help="RPC calls a measured run")
    parser.add_argument(
        "--events", type=int, default=1000, help="events held and released a run (0: no event path)"
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--callers", type=int, default=10, help="concurrent clients")
    parser.add_argument("--lines", type=int, default=4, help="business lines the events are spread over")
    parser.add_argument("--warmup", type=int, default=None, help="calls before each run (default calls/5)")
    parser.add_argument(
        "--service", choices=("intake", "escalation"), nargs="+", default=["intake", "escalation"]
    )
    parser.add_argument(
        "--quick", action="store_true", help="200 calls, 200 events, 2 repeats, 50 to warm up: about a minute"
    )
    args = parser.parse_args()
    if args.quick:
        args.calls, args.events, args.repeats, args.warmup = 200, 200, 2, 50
    if args.warmup is None:
        args.warmup = max(args.calls // 5, 20 * args.callers)

    def stop_on_sigterm(signum, _frame):
        raise SystemExit(128 + signum)  # the finally blocks below stop the services and drop the databases

    signal.signal(signal.SIGTERM, stop_on_sigterm)
    subjects = [k for k in (IntakeWrites, EscalationWork) if k.service in args.service]
    results: dict = {}
    began, before = time.monotonic(), machine_jiffies()
    time.sleep(2)
    idle_busy = busy_fraction(before, machine_jiffies())
    with tempfile.TemporaryDirectory() as tmp:
        fleet = Fleet(Path(tmp))
        dbs = Databases(PG_ADMIN, Path(tmp))
        try:
            for kind in subjects:
                run_subject(kind, fleet, dbs, args, results)
        finally:
            fleet.stop_all()
            dbs.drop_all()
            dbs.engine.dispose()
    report(results, args, subjects, idle_busy)
    print(f"({time.monotonic() - began:.0f} s in all)")


if __name__ == "__main__":
    main()
