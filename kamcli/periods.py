"""`kam replay`, `kam compare`, `kam rules`: a manager's trust in closed periods and what-if on
the real records, through the running services (docs/rules.md §9).

    kam replay LINE 2026-Q1 [--version N]      # identical, or every line that differs (exit 1)
    kam replay LINE all                        # every closed month and quarter of the line
    kam compare LINE 2026-Q1 --plugin software-progressive [--param k=v ...]   (2026-03 [--pay])
                [--json | --xlsx FILE | --html FILE]
    kam rules LINE                             # the line's rules over time
    kam rules LINE --from 2026-07 --plugin telecom --param base_task=25000 --reason "new year"

A month (2026-03) is assessment's sheet, and compensation's statement where the line pays
monthly; a quarter (2026-Q1) is compensation's run. The broker is AMQP_URI (or --amqp-uri); calls
carry KAM_TOKEN (or --token): a manager of the line to replay or compare, its admin to set rules.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from .documents import parse_assignments
from .parked import DEFAULT_AMQP_URI


def add_parsers(sub) -> None:
    p = sub.add_parser("replay", help="recompute closed periods from their recorded facts and rules")
    p.add_argument("line", help="the business line")
    p.add_argument("period", help="a month (2026-03), a quarter (2026-Q1), or 'all' closed periods")
    p.add_argument("--version", type=int, help="the version to replay (default: the newest)")
    _remote(p)
    p.set_defaults(func=cmd_replay)

    p = sub.add_parser("compare", help="a period's stored facts under another plugin or parameters")
    p.add_argument("line", help="the business line")
    p.add_argument("period", help="a month (2026-03) or a quarter (2026-Q1)")
    p.add_argument("--plugin", help="the other plugin (default: the period's own)")
    p.add_argument("--param", action="append", metavar="NAME=VALUE", help="a parameter (repeatable)")
    p.add_argument(
        "--pay", action="store_true", help="a month's pay (a line paid by the month), not its points"
    )
    p.add_argument("--xlsx", metavar="FILE", help="write both runs and the difference as a workbook")
    p.add_argument("--html", metavar="FILE", help="write the comparison as a page with a chart")
    _remote(p)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("rules", help="a line's rules over time; with --from, put a set in force")
    p.add_argument("line", help="the business line")
    p.add_argument(
        "--from", dest="effective_from", metavar="YYYY-MM", help="the month the set is in force from"
    )
    p.add_argument("--plugin", help="the plugin of the new set (default: the one in force now)")
    p.add_argument("--param", action="append", metavar="NAME=VALUE", help="a parameter (repeatable)")
    p.add_argument("--reason", help="why (required with --from)")
    _remote(p)
    p.set_defaults(func=cmd_rules)


def _remote(p) -> None:
    p.add_argument("--amqp-uri", default=os.environ.get("AMQP_URI", DEFAULT_AMQP_URI))
    p.add_argument("--timeout", type=float, default=600, help="seconds to wait for the service")
    p.add_argument("--token", default=os.environ.get("KAM_TOKEN"), help="an API token (default: KAM_TOKEN)")
    p.add_argument("--json", action="store_true", help="print JSON")


@contextlib.contextmanager
def _services(args):
    from nameko.exceptions import UnknownService
    from nameko.standalone.rpc import ClusterRpcProxy

    from kamkit.errors import Unavailable

    context = {"authorization": args.token} if args.token else {}
    try:
        with ClusterRpcProxy({"AMQP_URI": args.amqp_uri}, timeout=args.timeout, context_data=context) as rpc:
            yield rpc
    except UnknownService as exc:
        raise Unavailable(f"{exc.args[0]} is not running; start it and retry", field="service") from None


def _services_of(period: str) -> tuple[str, ...]:
    return ("compensation",) if "-Q" in period else ("assessment", "compensation")


def _closed(rpc, service: str, line: str) -> list[str]:
    return sorted(p["period"] for p in getattr(rpc, service).list_periods(line))


def cmd_replay(args) -> int:
    answers: list[dict[str, Any]] = []
    with _services(args) as rpc:
        if args.period == "all":
            for service in ("assessment", "compensation"):
                answers += [
                    {"service": service, **getattr(rpc, service).replay_period(args.line, period)}
                    for period in _closed(rpc, service, args.line)
                ]
        else:
            for service in _services_of(args.period):
                if service == "compensation" and "-Q" not in args.period:
                    if args.period not in _closed(rpc, service, args.line):
                        continue  # the line is not paid monthly: no statement of the month
                answer = getattr(rpc, service).replay_period(args.line, args.period, args.version)
                answers.append({"service": service, **answer})
    if args.json:
        _dump(answers)
    else:
        for answer in answers:
            print(replay_text(answer))
        same = sum(a["outcome"] == "identical" for a in answers)
        print(f"{same} of {len(answers)} closed version(s) replay identical")
    return 0 if answers and all(a["outcome"] == "identical" for a in answers) else 1


def replay_text(answer: dict[str, Any]) -> str:
    """One replay's outcome as a person reads it, with every differing line listed."""
    head = (
        f"{answer['service']} {answer['business_line']} {answer['period']} v{answer['version']} "
        f"({answer['plugin']} {answer['plugin_version'] or '?'}, facts at tick {answer['facts_tick']})"
    )
    if answer["outcome"] == "not_replayed":
        return f"{head}: NOT REPLAYED: {answer['why']}"
    if answer["outcome"] == "identical":
        return f"{head}: identical ({answer['lines_compared']} lines)"
    out = [f"{head}: DIFFERENT: {answer['lines_differing']} of {answer['lines_compared']} lines"]
    for d in answer["differences"]:
        old, new = (
            f"{x.get('figure')} {x.get('unit', '')}" for x in (d["recorded"] or {}, d["replayed"] or {})
        )
        out.append(
            f"  line {d['line']} {d['person']} {d['kind']} [{d['clause']}]: recorded {old}, replayed {new}"
        )
    for t in answer["totals_differ"]:
        out.append(f"  total {t['person']} {t['unit']}: recorded {t['recorded']}, replayed {t['replayed']}")
    if answer["carried_out_differs"]:
        out.append("  the carried state handed on differs")
    return "\n".join(out)


def cmd_compare(args) -> int:
    from reports.comparison import comparison_page, comparison_text, comparison_workbook

    parameters = parse_assignments(args.param or [])
    service = "compensation" if "-Q" in args.period or args.pay else "assessment"
    with _services(args) as rpc:
        answer = getattr(rpc, service).compare_period(
            args.line, args.period, plugin=args.plugin, parameters=parameters, lines=bool(args.xlsx)
        )
    if args.xlsx:
        comparison_workbook(answer, Path(args.xlsx))
    if args.html:
        Path(args.html).write_text(comparison_page(answer), encoding="utf-8")
    if args.json:
        _dump(answer)
    else:
        print(comparison_text(answer))
    return 0


def cmd_rules(args) -> int:
    from kamkit.errors import InvalidFacts

    with _services(args) as rpc:
        if args.effective_from:
            if not args.reason:
                raise InvalidFacts("say why the rules change (--reason)", field="reason")
            now = [s for s in rpc.intake.line_rules(args.line) if s["in_force_now"]][0]
            rules = {
                "effective_from": args.effective_from,
                "plugin": args.plugin or now["plugin"],
                "parameters": parse_assignments(args.param or []),
                "reason": args.reason,
            }
            rpc.intake.set_line_rules(args.line, rules)
        listed = rpc.intake.line_rules(args.line)
    if args.json:
        _dump(listed)
        return 0
    for s in listed:
        since = s["effective_from"] or "the start"
        params = ", ".join(f"{k}={v}" for k, v in sorted(s["parameters"].items())) or "defaults"
        mark = "  <- in force now" if s["in_force_now"] else ""
        who = f"; set by {s['set_by']} {s['set_at']}: {s['reason']}" if s["set_by"] else ""
        print(f"from {since}: {s['plugin']} ({params}){who}{mark}")
    return 0


def _dump(value) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
