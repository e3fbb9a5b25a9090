"""`kam`: list and explain rule plugins; run classify / assess-month / commission-quarter on a
facts file (JSON or YAML) and print an explained table, or JSON with --json.

    kam plugins
    kam explain telecom
    kam classify telecom examples/telecom.yaml
    kam assess-month telecom examples/telecom.yaml --month 2026-03
    kam commission-quarter software examples/software.yaml --quarter 2026-Q2 --carried q1.json
    kam assess-month telecom-city facts.yaml --config org.yaml      # a business line of a config
    kam parked list escalation       # operators: events a service parked (kamcli/parked.py)

Errors (bad facts, unknown plugin or parameter) are printed naming each field and exit with 2.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import Any, Sequence

from shared.config import load_config
from shared.errors import InvalidFacts, SuiteError
from shared.explain import plain
from shared.facts_schema import load_facts
from shared.loader import available, load_plugin
from shared.periods import Month, Quarter
from shared.plugin import RulePlugin

from . import parked, render
from .documents import parse_assignments, read_document


def _plugin(args) -> RulePlugin:
    overrides = parse_assignments(args.param or [])
    if args.config:
        line = load_config(args.config).lines.get(args.target)
        if line is None:
            raise SuiteError(f"business line {args.target!r} is not in {args.config}", field="target")
        return load_plugin(line.plugin_key, {**line.parameters, **overrides})
    return load_plugin(args.target, overrides)


def _facts(args, period: str | None = None):
    document = read_document(args.facts)
    if not isinstance(document, dict):
        raise InvalidFacts("the facts document must be a mapping at the top level", field="facts")
    facts = load_facts(document)
    if period == "month":
        month = args.month and _period(Month, args.month, "--month") or facts.month
        if month is None:
            raise InvalidFacts("no month: give `month: YYYY-MM` in the facts or --month", field="month")
        facts = dataclasses.replace(facts, month=month)
    if period == "quarter":
        quarter = args.quarter and _period(Quarter, args.quarter, "--quarter") or facts.quarter
        if quarter is None:
            raise InvalidFacts("no quarter: give `quarter: YYYY-Qn` in the facts or --quarter",
                               field="quarter")
        facts = dataclasses.replace(facts, quarter=quarter)
    return facts


def _period(kind, text, name):
    try:
        return kind.parse(text)
    except ValueError as exc:
        raise InvalidFacts(str(exc), field=name) from None


def _emit(args, payload: dict[str, Any], text: str) -> None:
    if args.json:
        json.dump(plain(payload), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(text)


# --- commands --------------------------------------------------------------------------


def cmd_plugins(args) -> None:
    rows, payload = [], []
    for key, ep in sorted(available().items()):
        try:
            cls = ep.load()
            info = {"key": key, "version": cls.version, "zh": cls.names.zh, "en": cls.names.en,
                    "entry_point": ep.value, "distribution": ep.dist.name if ep.dist else ""}
        except Exception as exc:  # a broken third-party plugin must not hide the others
            info = {"key": key, "version": "?", "zh": "", "en": f"failed to load: {exc}",
                    "entry_point": ep.value, "distribution": ep.dist.name if ep.dist else ""}
        payload.append(info)
        rows.append((info["key"], info["version"], info["en"], info["zh"], info["distribution"]))
    _emit(args, {"plugins": payload}, render.table(("key", "version", "name", "名称", "package"), rows))


def cmd_explain(args) -> None:
    plugin = _plugin(args)
    d = plugin.describe()
    parts = [f"{d['key']} {d['version']} — {d['names']['en']} / {d['names']['zh']}", "",
             "Roles (escalation ladder: " + " → ".join(d["ladder"]) + ")",
             render.table(("role", "name", "名称"),
                          [(k, v["en"], v["zh"]) for k, v in d["roles"].items()]), "",
             "Parameters",
             render.table(("name", "value", "default", "basis", "clause", "meaning"),
                          [(p["name"], _short(p["value"]), _short(p["default"]), p["basis"], p["clause"],
                            p["doc"]) for p in d["parameters"]]), "",
             "Clauses",
             render.table(("clause", "RULES.md", "rule"),
                          [(k, v["rules"], v["text"]) for k, v in d["clauses"].items()])]
    _emit(args, d, "\n".join(parts))


def _short(value: Any) -> str:
    text = json.dumps(plain(value), ensure_ascii=False) if isinstance(value, (list, dict)) else str(plain(value))
    return text if len(text) <= 60 else text[:57] + "..."


def cmd_classify(args) -> None:
    plugin, facts = _plugin(args), _facts(args)
    results = [plugin.classify(o) for o in facts.opportunities]
    rows = [(r.opportunity, r.tier, r.owner_role or "—", r.confirming_role or "—",
             r.follow_up_days or "—", "yes" if r.in_bulletin else "no", r.clause,
             r.reason_zh if args.lang == "zh" else r.reason_en, render.compact(r.inputs)) for r in results]
    _emit(args, {"plugin": plugin.key, "classifications": [r.to_dict() for r in results]},
          render.table(("opportunity", "tier", "owner", "confirms", "follow-up days", "bulletin",
                        "clause", "reason", "inputs"), rows))


def cmd_assess_month(args) -> None:
    plugin, facts = _plugin(args), _facts(args, "month")
    result = plugin.assess_month(facts)
    text = f"{plugin.key}: month {result.month}\n\n" + render.lines_table(result.lines, args.lang)
    summary = render.totals_table(result.lines)
    _emit(args, {"plugin": plugin.key, **result.to_dict()}, text + ("\n\nTotals\n" + summary if summary else ""))


def cmd_commission_quarter(args) -> None:
    plugin, facts = _plugin(args), _facts(args, "quarter")
    carried = read_document(args.carried) if args.carried else dict(facts.carried)
    result = plugin.commission_quarter(facts, carried)
    if args.carried_out:
        with open(args.carried_out, "w", encoding="utf-8") as fh:
            json.dump(plain(result.carried), fh, ensure_ascii=False, indent=2)
    text = f"{plugin.key}: quarter {result.quarter}\n\n" + render.lines_table(result.lines, args.lang)
    summary = render.totals_table(result.lines)
    _emit(args, {"plugin": plugin.key, **result.to_dict()}, text + ("\n\nTotals\n" + summary if summary else ""))


# --- wiring ----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kam", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p, facts=True):
        p.add_argument("target", help="plugin key (see `kam plugins`), or a business line with --config")
        if facts:
            p.add_argument("facts", help="facts file, JSON or YAML (docs/facts-format.md)")
        p.add_argument("--config", help="organisation YAML config; TARGET is then a business line in it")
        p.add_argument("--param", action="append", metavar="NAME=VALUE",
                       help="override a plugin parameter (repeatable)")
        p.add_argument("--json", action="store_true", help="print JSON instead of a table")
        p.add_argument("--lang", choices=("en", "zh"), default="en", help="language of reasons")

    p = sub.add_parser("plugins", help="list installed rule plugins")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_plugins)

    p = sub.add_parser("explain", help="a plugin's roles, parameters (with defaults) and clauses")
    common(p, facts=False)
    p.set_defaults(func=cmd_explain)

    p = sub.add_parser("classify", help="tier, owner and bulletin inclusion of each opportunity")
    common(p)
    p.set_defaults(func=cmd_classify)

    p = sub.add_parser("assess-month", help="a month's penalty points and findings, explained")
    common(p)
    p.add_argument("--month", help="YYYY-MM (default: the facts file's month)")
    p.set_defaults(func=cmd_assess_month)

    p = sub.add_parser("commission-quarter", help="a quarter's commissions and bonuses, explained")
    common(p)
    p.add_argument("--quarter", help="YYYY-Qn (default: the facts file's quarter)")
    p.add_argument("--carried", help="carried state from the previous quarter (JSON/YAML)")
    p.add_argument("--carried-out", metavar="FILE", help="write the new carried state here (JSON)")
    p.set_defaults(func=cmd_commission_quarter)

    parked.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except SuiteError as exc:
        if getattr(args, "json", False):
            json.dump(exc.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
        else:
            print(f"error: {exc.code.replace('_', ' ')}", file=sys.stderr)
            for e in exc.errors:
                print(f"  {e['field'] or '(document)'}: {e['message']}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
