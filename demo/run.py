"""`make demo`: a sample organisation's year replayed through the five running services.

    python -m demo [--seed 2026] [--size small|full] [--out out]

Finds RabbitMQ (starts a local one if installed but stopped; otherwise says how to get one and
exits 1), starts the five services as separate processes (SQLite under <out>/var, or PostgreSQL
when <SERVICE>_DATABASE_URL is set), replays the year through their RPC endpoints with a progress
bar, closes every month and quarter, writes the sheets (months) and statements (quarters) as XLSX
and HTML under <out>/sheets and <out>/statements (reports/), each person's statement of each
period under <out>/people/<line>-<period>/, the bulletins under <out>/bulletins, prints a summary
and stops everything, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
import warnings
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")  # nameko 2.x runs on eventlet

from demo.generator import ALL_LINES, APPROVER, TELECOM, Size, generate  # noqa: E402
from kamkit.explain import INDICATOR_KINDS  # noqa: E402
from kamkit.money import fmt  # noqa: E402
from reports import write_period  # noqa: E402
from reports.sources import line_sources  # noqa: E402
from reports.view import (  # noqa: E402
    PeriodTotals,
    display_width,
)

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("intake", "escalation", "assessment", "compensation", "notify")
LINES = ALL_LINES


class Interrupted(Exception):
    """Ctrl-C (SIGINT) or SIGTERM: stop after the call in flight, then stop the services."""


_stop = {"requested": False}


def _request_stop(signum, frame):
    # nameko's client waits inside eventlet, where a KeyboardInterrupt can be lost: note the
    # request and act on it between calls instead
    _stop["requested"] = True


def check_stop():
    if _stop["requested"]:
        raise Interrupted()


def ensure_broker(uri: str) -> bool:
    from services.run import broker_reachable

    if broker_reachable(uri):
        return True
    if shutil.which("rabbitmq-server"):
        print("RabbitMQ is installed but not running: starting it (rabbitmq-server -detached)", flush=True)
        subprocess.run(["rabbitmq-server", "-detached"], check=False)
        for _ in range(60):
            time.sleep(1)
            if broker_reachable(uri):
                return True
    print(
        f"RabbitMQ is not reachable at {uri}.\n  Debian/Ubuntu: sudo apt install rabbitmq-server && "
        f"sudo rabbitmq-server -detached\n  or point AMQP_URI at a running broker.",
        file=sys.stderr,
    )
    return False


def start_services(out: Path, uri: str) -> tuple[subprocess.Popen, str]:
    """The five services on fresh databases under out/var, with access control on, and the
    demo's own administrator token (created as README "Who may do what" says)."""
    from kamcli.access import bootstrap

    var = out / "var"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    env = {
        **os.environ,
        "AMQP_URI": uri,
        "NOTIFY_OUTBOX_DIR": str(out / "bulletins"),
        "LOG_LEVEL": "WARNING",
        "ACCESS_CONTROL": "on",
    }
    for name in SERVICES:
        env.setdefault(f"{name.upper()}_DATABASE_URL", f"sqlite:///{var / name}.db")
    token = bootstrap(env["INTAKE_DATABASE_URL"], "demo", "The demo", days=1)["token"]
    # its own session: a terminal's Ctrl-C reaches the demo only, which then stops the services
    # after the call in flight (instead of the services vanishing under an unanswered call)
    return subprocess.Popen(
        [sys.executable, "-m", "services.run", *SERVICES],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=open(var / "services.log", "w"),
    ), token


def wait_until_up(rpc, proc, timeout=90):
    from nameko.exceptions import UnknownService

    from kamkit.errors import Unauthorized

    deadline = time.time() + timeout
    for name in SERVICES:
        while True:
            check_stop()
            if proc.poll() is not None:
                raise RuntimeError("the services stopped while starting; see out/var/services.log")
            try:
                getattr(rpc, name).list_parked(1)  # every service answers this once it is up
                break
            except (UnknownService, Unauthorized):  # not up yet, or the demo's token not announced yet
                if time.time() > deadline:
                    raise RuntimeError(f"service {name} did not start in {timeout}s") from None
                time.sleep(0.2)


def caught_up(rpc, service: str, line: str, kinds) -> None:
    """Wait until a service's projection holds every change intake has published for the line."""
    want = {
        k: v[1] if k != "follow_up" else v[0] for k, v in rpc.intake.record_counts(line).items() if k in kinds
    }
    deadline = time.time() + 120
    while True:
        check_stop()
        have = getattr(rpc, service).projection_versions(line)
        if all(have.get(k, 0) >= n for k, n in want.items()):
            return
        if time.time() > deadline:
            raise RuntimeError(f"{service} did not catch up with intake on {line}: {have} vs {want}")
        time.sleep(0.05)


# what escalation reads: opportunities and their follow-ups, and cases with their calendars
ESCALATION_KINDS = ("opportunity", "person", "follow_up", "case", "calendar")
FACT_KINDS = (
    "person",
    "branch",
    "opportunity",
    "loss_review",
    "deal",
    "collection",
    "contract",
    "loan",
    "portfolio",
    "kpi",
    # the work around big customers (demo/work.py), read by the indicators
    "customer",
    "visit_plan",
    "visit",
    "development_plan",
    "complaint",
    "feedback_request",
    "budget",
    "expense",
    "attendance",
    "featured_service",
    # the records of seed 002's other schemes (demo/schemes.py, docs/rules.md §10)
    "case",
    "survey",
    "work_plan",
    "call_log",
    "incident",
    "standard_check",
    "appraisal",
    "appointment",
)


def progress(done: int, total: int, label: str) -> None:
    width = 40
    filled = width * done // total
    sys.stderr.write(
        f"\r[{'#' * filled}{'.' * (width - filled)}] {100 * done // total:3d}% {done}/{total} {label}"
    )
    sys.stderr.flush()


class Reports:
    """Writes each closed period's files in a worker process of its own while the replay goes on
    (drawing the charts is CPU work the replay need not wait for): the period's XLSX and HTML
    (out/sheets or out/statements) and a statement a person (out/people/<line>-<period>/); the
    line's earlier periods of the year draw its trend. ``finish`` waits for every file."""

    def __init__(self, rpc, out: Path):
        self.rpc, self.out = rpc, out
        self.lines: dict[str, dict] = {}  # line -> names and rules, and its periods' totals so far
        self.pool = ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_ignore_interrupts
        )
        self.pending: list = []

    def write(self, method: str, line: str, period: str, result: dict) -> None:
        if line not in self.lines:
            self.lines[line] = {"sources": line_sources(self.rpc.intake.list_records, line), "history": []}
        directory, plugin = self.lines[line]["sources"]
        folder = "sheets" if method == "close_month" else "statements"
        history = [t for t in self.lines[line]["history"] if t.period[:4] == period[:4]]
        self.pending.append(
            self.pool.submit(
                write_period,
                result,
                self.out / folder / f"{line}-{period}",
                directory,
                plugin=plugin,
                history=history,
                statements=self.out / "people" / f"{line}-{period}",
                answer=False,
            )
        )
        self.lines[line]["history"].append(PeriodTotals.of_sheet(result))
        if len(self.pending) > 8:  # the worker fell behind: wait rather than queue every period
            self.pending.pop(0).result()

    def finish(self) -> None:
        for future in self.pending:
            future.result()  # a file that could not be written fails the demo, here
        self.pending.clear()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the demo's to handle: it stops the pool


def replay(rpc, actions, out: Path, seed: int, others=None) -> dict:
    """``others``: a proxy by principal for the actions made by another (the approver)."""
    reports = Reports(rpc, out)
    try:
        closed = _replay(rpc, actions, seed, reports, others)
        reports.finish()
        return closed
    finally:
        reports.close()


def _replay(rpc, actions, seed: int, reports: Reports, others=None) -> dict:
    others = others or {}
    closed: dict = {"sheets": {}, "statements": {}, "names": {}}
    swept_on = None
    for i, a in enumerate(actions, 1):
        check_stop()
        # intake writes carry an idempotency key: replaying into kept (PostgreSQL) databases is safe
        kwargs = {"idempotency_key": f"demo:{seed}:{i}"} if a.service == "intake" else {}
        if a.service == "escalation" and a.day != swept_on:
            for line in LINES:  # a sweep reads every line's follow-ups and cases' deadlines
                caught_up(rpc, "escalation", line, ESCALATION_KINDS)
            swept_on = a.day  # the day's other calls follow nothing new
        if a.method in ("close_month", "run_quarter"):
            caught_up(rpc, a.service, a.args[0], FACT_KINDS)
        caller = rpc if a.as_principal is None else others[a.as_principal]
        result = getattr(getattr(caller, a.service), a.method)(*a.args, **dict(a.kwargs), **kwargs)
        if a.method in ("close_month", "run_quarter"):  # a close answers a summary: read the lines
            result = whole(rpc, a.service, *a.args)
        if a.method in ("close_month", "run_quarter"):
            line, period = a.args[0], a.args[1]
            closed["sheets" if a.method == "close_month" else "statements"][(line, period)] = result
            reports.write(a.method, line, period, result)
            closed["names"][line] = reports.lines[line]["sources"][0]
        if i % 20 == 0 or i == len(actions):
            progress(i, len(actions), a.day.isoformat())
    sys.stderr.write("\n")
    return closed


def whole(rpc, service: str, line: str, period: str, page_size: int = 1000) -> dict:
    """A closed period with every line, read page by page (replies stay small), and its indicator
    section (indicator and scorecard lines, read by kind) apart from the lines as ``indicators``."""
    read = rpc.assessment.get_sheet if service == "assessment" else rpc.compensation.get_run_lines

    def every(**kind):
        first = read(line, period, page=1, page_size=page_size, **kind)
        lines = list(first["lines"])
        for page in range(2, -(-first["total_lines"] // page_size) + 1):
            lines += read(line, period, page=page, page_size=page_size, **kind)["lines"]
        return first, lines

    first, lines = every()
    section = [item for kind in sorted(INDICATOR_KINDS) for item in every(kind=kind)[1]]
    for key in ("page", "page_size", "total_lines"):
        first.pop(key)
    lines = [item for item in lines if item["kind"] not in INDICATOR_KINDS]  # however a page holds them
    return {**first, "lines": lines, "indicators": section}


def _who(closed, line: str, person: str, width: int) -> str:
    """A person as the summary names them: name (id), padded for Chinese and Latin alike."""
    names = closed["names"].get(line)
    text = f"{names.name(person)} ({person})" if names and names.name(person) != person else person
    return text + " " * max(0, width - display_width(text))


def summary(rpc, closed) -> str:
    out = ["", "== Summary =="]
    out.append(
        "Opportunities by tier (telecom): "
        + ", ".join(f"{t}: {n}" for t, n in rpc.escalation.tier_counts(TELECOM).items())
    )
    out.append(f"Escalations: {len(rpc.escalation.list_escalations(TELECOM))}")
    points, clauses = Counter(), defaultdict(Counter)
    for (line, _), sheet in closed["sheets"].items():
        for item in sheet["lines"]:
            if item["unit"] == "points":
                points[line, item["person"]] += Decimal(item["figure"])
                clauses[line, item["person"]][item["clause"]] += Decimal(item["figure"])
    out.append("Top penalty points of the year:")
    for who, total in sorted(points.items(), key=lambda kv: (-kv[1], kv[0]))[:5]:
        top = ", ".join(f"{c} {v}" for c, v in clauses[who].most_common(3))
        out.append(f"  {_who(closed, *who, 36)} {total:>6}  ({top})")
    paid = defaultdict(Counter)
    for (line, _), run in closed["statements"].items():
        for person, units in run["totals"].items():
            paid[line][person] += Decimal(units.get("CNY", "0"))
    out.append("Commissions and pay of the year (CNY), top 5 per line:")
    for line in LINES:
        for person, total in sorted(paid[line].items(), key=lambda kv: (-kv[1], kv[0]))[:5]:
            out.append(f"  {line:<16} {_who(closed, line, person, 30)} {fmt(total):>12}")
    out += indicator_summary(closed)
    out += scheme_summary(rpc, closed)
    out += target_summary(rpc)
    out.append(f"Bulletins sent: {len(rpc.notify.list_messages(kind='weekly_bulletin'))}")
    warned = Counter(m["subject"].split(" / ")[0] for m in rpc.notify.list_messages(kind="warning"))
    out.append(
        "Warnings before a breach (docs/rules.md §8): "
        + (", ".join(f"{what} {n}" for what, n in sorted(warned.items())) or "none")
    )
    return "\n".join(out)


def scheme_summary(rpc, closed) -> list[str]:
    """What the seed-002 schemes' lines stated over the year (docs/rules.md §11-§16)."""
    from demo import schemes

    out = ["Seed 002's other schemes (docs/rules.md §11-§16):"]
    cards = [
        (item["person"], Decimal(item["figure"]), Decimal(item["inputs"]["full_of_scored"]))
        for (line, period), run in closed["statements"].items()
        if line == schemes.CARD and period.endswith("Q4")
        for item in run["lines"]
        if item["kind"] == "appraisal_total" and item["inputs"]["period"] == period[:4]
    ]
    out.append(
        f"  {schemes.CARD:<16} the year's scorecards: "
        + ", ".join(
            f"{_who(closed, schemes.CARD, p, 0)} {total:.2f} of {full}" for p, total, full in sorted(cards)
        )
    )
    grades = Counter(
        item["kind"]
        for (line, _), sheet in closed["sheets"].items()
        if line == schemes.GRADES
        for item in sheet["lines"]
    )
    out.append(
        f"  {schemes.GRADES:<16} grade lines of the year: "
        + ", ".join(f"{kind} {n}" for kind, n in sorted(grades.items()))
    )
    deadlines = Counter()
    for (line, _), sheet in closed["sheets"].items():
        if line in (schemes.POWER, schemes.RAIL):
            for item in sheet["lines"]:
                if item["kind"] == "deadline":
                    deadlines[line, item["inputs"]["state"]] += 1
    for line in (schemes.POWER, schemes.RAIL):
        states = ", ".join(f"{state} {n}" for (l, state), n in sorted(deadlines.items()) if l == line)
        out.append(f"  {line:<16} deadlines falling due: {states or 'none'}")
    still = rpc.escalation.list_deadlines(schemes.POWER, as_of=f"{schemes_year(closed)}-12-31")
    told = [
        m
        for m in rpc.notify.list_messages(kind="escalation")
        if m["business_line"] in (schemes.POWER, schemes.RAIL)
    ]
    out.append(
        f"  {schemes.POWER:<16} steps still open at the year end {len(still)}; "
        f"deadlines escalated up the ladder (docs/rules.md §10.2): {len(told)}"
    )
    verdicts = Counter(
        (item["inputs"].get("case"), item["figure"])
        for (line, _), sheet in closed["sheets"].items()
        if line == schemes.RAIL
        for item in sheet["lines"]
        if item["kind"] == "qualified"
    )
    out.append(
        f"  {schemes.RAIL:<16} qualification verdicts: "
        + ", ".join(
            f"{case} {'qualifies' if Decimal(str(fig or 0)) else 'does not qualify'}"
            for case, fig in sorted(verdicts)
        )
    )
    return out


def schemes_year(closed) -> str:
    return min(period for _, period in closed["sheets"])[:4]


def target_summary(rpc) -> list[str]:
    """Targets set and changes asked for, with who decided (docs/rules.md §7); each statement shows
    the target it measured against in a ``target`` line."""
    out = ["Targets (docs/rules.md §7):"]
    for line in LINES:
        for kind in ("target", "target_change"):
            for item in rpc.intake.list_records(line, kind, {"page_size": 1000})["items"]:
                d = item["record"]
                what = f"{d['id']}: {d.get('person') or 'department'} {d['amount']} from {d['period']}"
                if kind == "target":
                    out.append(f"  {line:<16} target {what}, set by {d['set_by']}")
                    continue
                decided = f" by {d['decided_by']}" if d.get("decided_by") else ""
                out.append(
                    f"  {line:<16} change {what}, asked by {d['requested_by']}: {d['status']}{decided}"
                )
    return out


def indicator_counts(section) -> Counter:
    """How many of a period's indicator lines are met, not met, not applicable (a ratio over
    nothing) or shown without a standard to judge them by (a count of customers won)."""
    counts = Counter()
    for item in section:
        if item["kind"] != "indicator":
            continue
        inputs = item.get("inputs") or {}
        if not inputs.get("applicable", item.get("figure") is not None):
            counts["n/a"] += 1
        else:
            counts[{True: "met", False: "not met"}.get(inputs.get("met"), "shown")] += 1
    return counts


def indicator_lines(closed) -> list[str]:
    """The lines whose sheets or statements show indicators (a grade ladder or deadlines show none)."""
    shown = {
        line
        for kind in ("sheets", "statements")
        for (line, _), r in closed[kind].items()
        if r.get("indicators")
    }
    return [line for line in LINES if line in shown]


def indicator_summary(closed) -> list[str]:
    """Per line: the indicators of its months together and of each quarter, met / not met / not
    applicable, and the quarter's account-manager sheets (003 §十一) where the line has them."""
    out = ["Indicators (met / not met / not applicable; shown: no standard to judge by):"]
    for line in indicator_lines(closed):
        months = Counter()
        for (l, _), sheet in closed["sheets"].items():
            if l == line:
                months += indicator_counts(sheet.get("indicators", ()))
        rows = [("months", months, "")]
        for (l, period), run in sorted(closed["statements"].items()):
            if l != line:
                continue
            section = run.get("indicators", ())
            sheets = [Decimal(i["figure"]) for i in section if i["kind"] == "scorecard"]
            note = f"  sheets {len(sheets)}, mean {sum(sheets) / len(sheets):.1f}" if sheets else ""
            rows.append((period, indicator_counts(section), note))
        for i, (period, n, note) in enumerate(rows):
            out.append(
                f"  {line if i == 0 else '':<16} {period:<8} {n['met']:>5} met {n['not met']:>5} not met"
                f" {n['n/a']:>4} n/a {n['shown']:>4} shown{note}"
            )
    return out


def second_manager(rpc) -> str:
    """A manager of every line other than the demo's administrator, who decides the target
    changes the administrator asks for (docs/rules.md §7: never the one who asked): its token."""
    rpc.intake.create_principal({"id": APPROVER, "name": "Zhao Min", "kind": "person"})
    rpc.intake.grant_role(APPROVER, "*", "manager")
    # announced to every service within seconds (services.common.access.guard); its first decision
    # comes months of the replayed year later
    return rpc.intake.issue_token(APPROVER, days=1)["token"]


def replay_with_approver(rpc, uri: str, actions, out: Path, seed: int) -> dict:
    """Replay the year with the administrator's ``rpc``, and the target changes it asks for
    decided by the second manager (docs/rules.md §7: never the one who asked)."""
    from nameko.standalone.rpc import ClusterRpcProxy

    approver = second_manager(rpc)
    with ClusterRpcProxy({"AMQP_URI": uri}, timeout=120, context_data={"authorization": approver}) as zhao:
        return replay(rpc, actions, out, seed, others={APPROVER: zhao})


def run_demo(seed: int, size: Size, out: Path, uri: str) -> tuple[dict, str]:
    """Start the services, replay the generated year, stop them; (closed sheets/statements, summary)."""
    for sub in ("sheets", "statements", "people", "bulletins"):
        shutil.rmtree(out / sub, ignore_errors=True)
    actions = generate(seed, size=size)
    print(f"Replaying {len(actions)} calls of a generated year (seed {seed})", flush=True)
    proc, token = start_services(out, uri)
    from nameko.standalone.rpc import ClusterRpcProxy

    try:
        with ClusterRpcProxy({"AMQP_URI": uri}, timeout=120, context_data={"authorization": token}) as rpc:
            wait_until_up(rpc, proc)
            closed = replay_with_approver(rpc, uri, actions, out, seed)
            from demo.year_end import year_end  # after the year: it reads this module's helpers

            after = year_end(rpc)
            return closed, "\n".join([summary(rpc, closed), *after])
    finally:  # also on Ctrl-C: never leave the services running
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="demo", description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--size", choices=("small", "full"), default="full")
    parser.add_argument("--out", default="out")
    parser.add_argument(
        "--opportunities-per-month",
        type=float,
        default=None,
        help="per telecom account manager (default 1.5 full, 0.7 small)",
    )
    args = parser.parse_args(argv)
    logging.getLogger("amqp").setLevel(logging.ERROR)  # returned-message chatter on shutdown
    uri = os.environ.get("AMQP_URI", "pyamqp://guest:guest@127.0.0.1:5672/")
    if not ensure_broker(uri):
        return 1
    out = Path(args.out).resolve()
    signal.signal(signal.SIGINT, _request_stop)
    signal.signal(signal.SIGTERM, _request_stop)
    try:
        size = Size.small() if args.size == "small" else Size()
        if args.opportunities_per_month is not None:
            size = dataclasses.replace(size, opportunities_per_month=args.opportunities_per_month)
        _, text = run_demo(args.seed, size, out, uri)
    except (Interrupted, KeyboardInterrupt):
        print("\ninterrupted: the services are stopped", file=sys.stderr)
        return 130
    print(text)
    print(f"Sheets, statements and bulletins are in {out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
