"""Run one service of the suite: ``python -m services.serve intake`` (or escalation, assessment,
compensation, notify, gateway).

It does what ``nameko run --config services/<name>/config.yaml services.<name>.service`` does, with
one difference an operator sees: a stop. nameko's runner answers every SIGTERM by starting another
stop, and a Ctrl-C in a terminal reaches every process of the group while the supervisor
(``services.run``) forwards its own SIGTERM too, so each service was stopped twice: 22 s and a
traceback per service ("re-send() an already-triggered event") where one stop takes a few seconds.
Here SIGTERM, SIGINT and SIGHUP all ask for the same single stop: the first starts it (the service
stops taking messages, lets running workers finish, then exits 0); one that comes while it runs is
logged and changes nothing; if workers are still running after ``STOP_GRACE`` seconds (20 by
default, or the ``STOP_GRACE`` environment variable), they are killed and the exit status is 1.
"""

from __future__ import annotations

import eventlet

eventlet.monkey_patch()  # before anything opens a socket, as nameko run does

from services.common.storage.green import make_green  # noqa: E402

make_green()  # psycopg2's queries yield to the other workers (services.common.storage.green)

import argparse  # noqa: E402
import importlib  # noqa: E402
import logging  # noqa: E402
import logging.config  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import yaml  # noqa: E402
from nameko.cli.main import setup_yaml_parser  # noqa: E402
from nameko.runners import ServiceRunner  # noqa: E402

from services.common.messaging.entrypoints import check_queues  # noqa: E402
from services.common.messaging.queues import QueueTypeClash  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("intake", "escalation", "assessment", "compensation", "notify", "gateway")
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
log = logging.getLogger("kam.serve")


def load_config(name: str) -> dict:
    """services/<name>/config.yaml with ${VAR:default} read from the environment, as nameko run
    reads it."""
    setup_yaml_parser()
    with open(ROOT / "services" / name / "config.yaml") as handle:
        return yaml.safe_load(handle)


def service_class(name: str) -> type:
    module = importlib.import_module(f"services.{name}.service")
    return next(
        c
        for c in vars(module).values()
        if isinstance(c, type) and c.__module__ == module.__name__ and getattr(c, "name", None) == name
    )


class Stopper:
    """One stop however many signals arrive. A signal handler runs in the main loop and may not use
    eventlet's primitives, so it only notes the signal; the main greenlet polls for it."""

    def __init__(self, runner: ServiceRunner, grace: float):
        self.runner, self.grace = runner, grace
        self.signals: list[str] = []

    def on_signal(self, signum, _frame) -> None:
        self.signals.append(signal.Signals(signum).name)

    def serve(self) -> int:
        """Run until a stop signal (0, or 1 if work had to be killed) or until the service fails by
        itself (its error is raised: the supervisor restarts it)."""
        running = eventlet.spawn(self.runner.wait)
        while not self.signals:
            if running.dead:
                running.wait()  # raises what stopped the container
                log.error("the service stopped by itself")
                return 1
            try:
                eventlet.sleep(0.2)
            except InterruptedError:  # a signal during the hub's wait
                continue
        log.info("stopping on %s: no new messages; running work finishes", self.signals[0])
        stop = eventlet.spawn(self.runner.stop)
        try:
            with eventlet.Timeout(self.grace):
                stop.wait()
        except eventlet.Timeout:
            log.error("work still running after %g s; killing it (its messages are redelivered)", self.grace)
            self.runner.kill()
            return 1
        extra = len(self.signals) - 1
        log.info("stopped" + (f" ({extra} further stop signal(s) ignored)" if extra else ""))
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.serve", description=__doc__.splitlines()[0])
    parser.add_argument("service", choices=SERVICES)
    args = parser.parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    config = load_config(args.service)
    if "LOGGING" in config:
        logging.config.dictConfig(config["LOGGING"])
    else:
        logging.basicConfig(level=logging.INFO, format="%(message)s")
    runner = ServiceRunner(config)
    runner.add_service(service_class(args.service))
    stopper = Stopper(runner, grace=float(os.environ.get("STOP_GRACE", "20")))
    for signum in STOP_SIGNALS:
        signal.signal(signum, stopper.on_signal)
    try:
        for container in runner.containers:  # before start: raised here, not inside a green thread
            check_queues(container)
    except QueueTypeClash as clash:  # a setting to change, not a crash: said once, plainly
        log.error("not started: %s", clash)
        return 2
    runner.start()
    return stopper.serve()


if __name__ == "__main__":
    sys.exit(main())
