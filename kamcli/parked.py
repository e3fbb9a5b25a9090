"""`kam parked`: an operator's view of the events a service could not process (its dead-letter
queue, services.common.messaging.deadletter), through that service's RPCs.

    kam parked list escalation                 # id, event, error, attempts of each parked event
    kam parked show escalation ID              # the original event and headers, in full
    kam parked replay escalation ID|all        # back to its handler, attempts reset
    kam parked drop escalation ID|all          # discard for good

The broker is AMQP_URI (default the local one), or --amqp-uri; the calls carry the API token in
KAM_TOKEN, or --token (an admin of every line: parked events are any line's).
"""

from __future__ import annotations

import json
import os
import sys

SERVICES = ("intake", "escalation", "assessment", "compensation", "notify")
DEFAULT_AMQP_URI = "pyamqp://guest:guest@127.0.0.1:5672/"


def add_parser(sub) -> None:
    p = sub.add_parser("parked", help="list, show, replay or drop a service's parked events")
    p.add_argument("action", choices=("list", "show", "replay", "drop"))
    p.add_argument("service", choices=SERVICES)
    p.add_argument("parked_id", nargs="?", help="a parked event's id, or 'all' for replay/drop")
    p.add_argument("--limit", type=int, default=100, help="list at most this many")
    p.add_argument("--amqp-uri", default=os.environ.get("AMQP_URI", DEFAULT_AMQP_URI))
    p.add_argument("--timeout", type=float, default=30, help="seconds to wait for the service")
    p.add_argument(
        "--token",
        default=os.environ.get("KAM_TOKEN"),
        help="an API token of an admin of every line (default: KAM_TOKEN)",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_parked)


def cmd_parked(args) -> None:
    from kamkit.errors import InvalidFacts

    if args.action != "list" and not args.parked_id:
        raise InvalidFacts(f"`kam parked {args.action}` needs a parked event's id", field="parked_id")
    from nameko.standalone.rpc import ClusterRpcProxy

    context = {"authorization": args.token} if args.token else {}
    with ClusterRpcProxy({"AMQP_URI": args.amqp_uri}, timeout=args.timeout, context_data=context) as rpc:
        service = getattr(rpc, args.service)
        if args.action == "list":
            answer = service.list_parked(args.limit)
        elif args.action == "show":
            answer = service.get_parked(args.parked_id)
        elif args.action == "replay":
            answer = service.replay_parked(args.parked_id)
        else:
            answer = service.drop_parked(args.parked_id)
    if args.json or args.action == "show":
        json.dump(answer, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
    elif args.action == "list":
        print(f"{answer['count']} parked in {args.service}")
        for item in answer["items"]:
            print(
                f"{item['id']}  {item['event_type']}  event {item['event_id']}  line "
                f"{item['business_line']}  attempts {item['attempts']}  {item['parked_at']}\n"
                f"    {item['error_type']}: {item['error']}"
            )
    else:
        verb = "replayed" if args.action == "replay" else "dropped"
        print(f"{len(answer)} {verb}" + "".join(f"\n  {d['id']} (event {d['event_id']})" for d in answer))
