"""The demo against its floor, in the same run: `make demo`'s generated year (every intake write,
sweep, bulletin, month close and quarter run, the sheets read page by page and written as XLSX and
HTML) replayed through the five running services, against the same calls sent to echo services of
the same names and methods (bench/demo_echo.py). Prints seconds (min/median/max over repeats)
and the ratio demo / floor; no assertion, no pass/fail.

    .venv/bin/python bench/demo_year.py [--size full|small] [--repeats 3]

Needs the local RabbitMQ (rabbitmqctl usable, for the throwaway vhost). The services keep SQLite
databases under a temporary directory, as `make demo` does by default.
"""

from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import ROOT, median, start_service, stop_service, table, vhost, wait_for  # noqa: E402

sys.path.insert(0, str(ROOT))

from demo import run as demo  # noqa: E402
from demo.generator import Size, generate  # noqa: E402

SEED = 2026


def floor(amqp_uri: str, actions, tmp: Path) -> float:
    from nameko.standalone.rpc import ClusterRpcProxy

    proc = start_service(
        "bench.demo_echo", "services/intake/config.yaml", {"AMQP_URI": amqp_uri}, tmp / "echo.log"
    )
    try:
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=120) as rpc:
            for name in demo.SERVICES:
                wait_for(lambda name=name: getattr(rpc, name).list_parked(1))
            began = time.perf_counter()
            for i, a in enumerate(actions, 1):
                kwargs = {"idempotency_key": f"demo:{SEED}:{i}"} if a.service == "intake" else {}
                getattr(getattr(rpc, a.service), a.method)(*a.args, **kwargs)
            return time.perf_counter() - began
    finally:
        stop_service(proc)


def subject(amqp_uri: str, actions, tmp: Path) -> float:
    from nameko.standalone.rpc import ClusterRpcProxy

    out = tmp / "out"
    proc, token = demo.start_services(out, amqp_uri)
    try:
        with ClusterRpcProxy(
            {"AMQP_URI": amqp_uri}, timeout=300, context_data={"authorization": token}
        ) as rpc:
            demo.wait_until_up(rpc, proc)
            began = time.perf_counter()
            demo.replay_with_approver(rpc, amqp_uri, actions, out, SEED)  # as `make demo` replays it
            return time.perf_counter() - began
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=("full", "small"), default="full")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    actions = generate(SEED, size=Size.small() if args.size == "small" else Size())
    floors, subjects = [], []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as tmp, vhost() as amqp_uri:
            floors.append(floor(amqp_uri, actions, Path(tmp)))
        with tempfile.TemporaryDirectory() as tmp, vhost() as amqp_uri:
            subjects.append(subject(amqp_uri, actions, Path(tmp)))
    table(
        f"the demo's year ({args.size}, seed {SEED}): {len(actions)} calls, {args.repeats} repeats",
        [
            ("floor: the same calls to echo services", floors, [len(actions)] * len(floors)),
            ("the demo through the five services", subjects, [len(actions)] * len(subjects)),
        ],
        second="calls",
    )
    print(f"demo = {median(subjects) / median(floors):.1f} x floor")


if __name__ == "__main__":
    main()
