"""`kam`: list and explain rule plugins, check that a plugin keeps the contract (check-plugin);
run classify / assess-month / commission-quarter / indicators on a facts file (JSON or YAML) and print an
explained table, or JSON with --json.

    kam plugins
    kam explain telecom
    kam check-plugin acme-flat                       # the contract's checks (kamkit/conformance.py)
    kam check-plugin my_rules.plugin:MyPlugin        # a plugin class not yet installed (docs/plugins.md)
    kam classify telecom examples/telecom.yaml
    kam assess-month telecom examples/telecom.yaml --month 2026-03
    kam commission-quarter software examples/software.yaml --quarter 2026-Q2 --carried q1.json
    kam assess-month telecom examples/telecom.yaml --xlsx march.xlsx --html march.html
    kam assess-month telecom-city facts.yaml --config org.yaml      # a business line of a config
    kam indicators telecom examples/telecom.yaml --period 2026-Q1    # or 2026-03, or 2026
    kam parked list escalation       # operators: events a service parked (kamcli/parked.py)
    kam access bootstrap li.wei --name "Li Wei"   # the first administrator (kamcli/access.py)
    kam replay tel 2026-Q1 | kam compare tel 2026-Q1 --param rate=0.05 | kam rules tel
                                     # managers: closed periods through the services (kamcli/periods.py)

Wherever a plugin key is asked for, a class not yet installed can be named as ``module:Class``
(imported from the installed packages or the current directory).

Errors (bad facts, unknown plugin or parameter, a parameter out of its bounds, an output file whose
folder does not exist) are printed naming each field and exit with 2, before any work is done.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kamkit.activity import Activity, Window
from kamkit.config import load_config
from kamkit.conformance import run_checks
from kamkit.errors import ConfigError, InvalidFacts, SuiteError, UnknownPlugin
from kamkit.explain import in_indicator_section, plain
from kamkit.facts_schema import load_facts
from kamkit.indicators import indicator_lines
from kamkit.kpi import scorecard_lines
from kamkit.loader import available, load_plugin, plugin_class
from kamkit.periods import Month, Quarter
from kamkit.plugin import RulePlugin
from kamkit.sections import SCORECARD

from . import access, parked, periods, render
from .documents import parse_assignments, read_document


def _plugin(args) -> RulePlugin:
    overrides = parse_assignments(args.param or [])
    if args.config:
        line = load_config(args.config).lines.get(args.target)
        if line is None:
            raise SuiteError(f"business line {args.target!r} is not in {args.config}", field="target")
        key, values = line.plugin_key, {**line.parameters, **overrides}
    try:
        return load_plugin(key, values) if args.config else resolve_plugin(args.target)(overrides)
    except UnknownPlugin:
        raise
    except ConfigError as exc:  # a parameter's own check names it bare; here it is parameters.<name>
        raise ConfigError(
            [
                {
                    **e,
                    "field": e["field"]
                    if e["field"].startswith("parameters")
                    else f"parameters.{e['field']}",
                }
                for e in exc.errors
            ]
        ) from None


def resolve_plugin(target: str) -> type[RulePlugin]:
    """The plugin class a target names: an installed key, else ``module:Class`` so an author can run
    a plugin before registering it (the module is imported from the installed packages or the
    current directory)."""
    if target in available() or ":" not in target:
        try:
            return plugin_class(target)
        except UnknownPlugin as exc:
            if target in available():
                raise
            raise UnknownPlugin(
                f"{exc.errors[0]['message']}; a plugin class not installed yet is named "
                f"module:Class, e.g. my_rules.plugin:MyPlugin",
                field="plugin",
            ) from None
    module_name, _, attr = target.partition(":")
    if os.getcwd() not in sys.path:  # the console script's path starts at its own bin/
        sys.path.append(os.getcwd())
    try:
        cls = getattr(importlib.import_module(module_name), attr)
    except Exception as exc:  # the author's module: a typo in its name, or an error inside it
        raise UnknownPlugin(
            f"cannot load {target!r}: {type(exc).__name__}: {exc}; installed keys: "
            f"{', '.join(sorted(available())) or 'none'}",
            field="plugin",
        ) from None
    if not (isinstance(cls, type) and issubclass(cls, RulePlugin)):
        raise UnknownPlugin(f"{target!r} is not a RulePlugin class", field="plugin")
    return cls


def _facts(args, period: str | None = None, plugin: RulePlugin | None = None):
    document = read_document(args.facts)
    if not isinstance(document, dict):
        raise InvalidFacts("the facts document must be a mapping at the top level", field="facts")
    if "carried" in document and document["carried"] is None:  # as --json prints a first quarter's
        document = {k: v for k, v in document.items() if k != "carried"}
    facts = load_facts(document)
    if plugin is not None:  # a role or grade the plugin does not know would drop a person silently
        problems = plugin.people_problems(facts.people)
        if problems:
            raise InvalidFacts(problems)
    if period == "month":
        month = args.month and _period(Month, args.month, "--month") or facts.month
        if month is None:
            raise InvalidFacts("no month: give `month: YYYY-MM` in the facts or --month", field="month")
        facts = dataclasses.replace(facts, month=month)
    if period == "quarter":
        quarter = args.quarter and _period(Quarter, args.quarter, "--quarter") or facts.quarter
        if quarter is None:
            raise InvalidFacts(
                "no quarter: give `quarter: YYYY-Qn` in the facts or --quarter", field="quarter"
            )
        facts = dataclasses.replace(facts, quarter=quarter)
    return facts


def _period(kind, text, name):
    try:
        return kind.parse(text)
    except ValueError as exc:
        raise InvalidFacts(str(exc), field=name) from None


def _business_line(args, facts) -> str | None:
    return args.target if args.config else facts.business_line


# What a carried state says of where it comes from, each checked against the run when named.
PROVENANCE = {"plugin": "plugin", "business_line": "business line", "quarter": "quarter"}


def _carried(args, plugin: RulePlugin, facts) -> dict[str, Any] | None:
    """The carried state to start the quarter from: --carried FILE, else the facts' ``carried``;
    None when there is none (``null``, or a document whose state is null: a first quarter).

    Read in any form kam writes (docs/facts-format.md): --carried-out's file ({plugin,
    business_line, quarter, state}), the whole --json output ({plugin, business_line, quarter,
    carried, ...}), or the bare ``carried`` of that output (person -> state). Whatever it names
    must match the run: the plugin, the business line and the quarter just before this one. What
    it does not name cannot be checked, and a state applied to the wrong line pays the wrong
    people's debts and carry: so a state naming no line (or no plugin or quarter), or one naming
    a line while the facts name none, is refused by field unless --accept-carried says it is
    this line's. A state naming another plugin, line or quarter is refused even so."""
    if args.carried:
        document, where = read_document(args.carried, field="carried"), args.carried
    else:
        document, where = facts.carried, "the facts' carried"
    if not document:
        return None
    if not isinstance(document, dict):
        raise InvalidFacts(f"{where}: a carried state is a mapping, or null for none", field="carried")
    wrapped = "state" in document or "carried" in document
    state = document.get("state", document.get("carried")) if wrapped else document
    if state is None:
        return None
    if not isinstance(state, dict) or not all(isinstance(v, dict) for v in state.values()):
        raise InvalidFacts(
            f"{where}: a carried state maps each person to their state, and says which plugin, "
            f"business line and quarter produced it ({{plugin, business_line, quarter, state}}, as "
            f"--carried-out writes it)",
            field="carried.state" if wrapped else "carried",
        )
    accepted = args.accept_carried
    line = _business_line(args, facts)
    expected = {"plugin": plugin.key, "business_line": line, "quarter": str(facts.quarter.previous())}
    mine = f"{line or 'this line'}'s state of {expected['quarter']}"
    errors = []
    if not wrapped and not accepted:
        errors.append(
            {
                "field": "carried",
                "message": f"{where}: a bare state (person -> state, as --json prints under `carried`) "
                f"says neither plugin, business line nor quarter; give the file --carried-out writes "
                f"or the whole --json output, or pass --accept-carried if it is {mine}",
            }
        )
    for key, what in PROVENANCE.items():
        value = document.get(key) if wrapped else None
        if value is None:
            if wrapped and not accepted:
                errors.append(
                    {
                        "field": f"carried.{key}",
                        "message": f"names no {what}: it could be another {what}'s; pass "
                        f"--accept-carried if it is {mine}",
                    }
                )
        elif key == "business_line" and line is None:
            if not accepted:
                errors.append(
                    {
                        "field": "business_line",
                        "message": f"the facts name no business line, and the carried state was "
                        f"produced for {value!r}: add `business_line: {value}` to the facts (or "
                        f"use --config), or pass --accept-carried if the facts are that line's",
                    }
                )
        elif key == "quarter" and str(value) != expected[key]:
            errors.append(
                {
                    "field": "carried.quarter",
                    "message": f"produced by quarter {value}; {facts.quarter} starts from the state "
                    f"of {expected[key]}",
                }
            )
        elif str(value) != expected[key]:
            errors.append(
                {
                    "field": f"carried.{key}",
                    "message": f"produced for {what} {value!r}, not {expected[key]!r}",
                }
            )
    if errors:
        raise InvalidFacts(errors)
    return state


def _writable(path: str | None, option: str) -> None:
    """An output file is checked before the run, not after: a run that computes for minutes and
    then cannot write its result has lost them. kam creates no folder (a typo in a folder's name
    would scatter files), so the folder must exist."""
    if not path:
        return
    target = Path(path)
    if target.is_dir():
        raise InvalidFacts(f"{path} is a folder: name a file in it", field=option)
    folder = target.parent
    if not folder.is_dir():
        raise InvalidFacts(
            f"folder {folder} does not exist: create it first (kam creates none)", field=option
        )
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise InvalidFacts(f"{path} cannot be written (permission denied)", field=option)


def _outputs(args) -> None:
    for option in ("carried_out", "xlsx", "html"):
        _writable(getattr(args, option, None), "--" + option.replace("_", "-"))


def _emit(args, payload: dict[str, Any], text: str) -> None:
    if args.json:
        # payloads are mostly plain already (Line.to_dict): convert only what json cannot write,
        # instead of walking a large run twice
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2, default=plain)
        sys.stdout.write("\n")
    else:
        print(text)


# --- commands --------------------------------------------------------------------------


def cmd_plugins(args) -> None:
    rows, payload = [], []
    for key, ep in sorted(available().items()):
        try:
            cls = ep.load()
            info = {
                "key": key,
                "version": cls.version,
                "zh": cls.names.zh,
                "en": cls.names.en,
                "entry_point": ep.value,
                "distribution": ep.dist.name if ep.dist else "",
            }
        except Exception as exc:  # a broken third-party plugin must not hide the others
            info = {
                "key": key,
                "version": "?",
                "zh": "",
                "en": f"failed to load: {exc}",
                "entry_point": ep.value,
                "distribution": ep.dist.name if ep.dist else "",
            }
        payload.append(info)
        rows.append((info["key"], info["version"], info["en"], info["zh"], info["distribution"]))
    _emit(args, {"plugins": payload}, render.table(("key", "version", "name", "名称", "package"), rows))


def cmd_explain(args) -> None:
    plugin = _plugin(args)
    d = plugin.describe()
    parts = [
        f"{d['key']} {d['version']} — {d['names']['en']} / {d['names']['zh']}",
        "",
        "Roles (escalation ladder: " + " → ".join(d["ladder"]) + ")",
        render.table(("role", "name", "名称"), [(k, v["en"], v["zh"]) for k, v in d["roles"].items()]),
        "",
        "Parameters",
        render.table(
            ("name", "value", "default", "basis", "clause", "meaning"),
            [
                (p["name"], _short(p["value"]), _short(p["default"]), p["basis"], p["clause"], p["doc"])
                for p in d["parameters"]
            ],
        ),
        "",
        "Clauses",
        render.table(
            ("clause", "docs/rules.md", "rule"), [(k, v["rules"], v["text"]) for k, v in d["clauses"].items()]
        ),
    ]
    _emit(args, d, "\n".join(parts))


@dataclass(frozen=True)
class CheckOutcome:
    text: str  # what `kam check-plugin` prints
    exit_code: int  # 0: no problems, 1: problems


def check_outcome(cls: type, *, as_json: bool = False) -> CheckOutcome:
    """The conformance checks of a plugin class, as `kam check-plugin` prints them."""
    report = run_checks(cls)
    if as_json:
        text = json.dumps(report.to_dict(), ensure_ascii=False, indent=2)
    elif report.ok:
        text = f"{report.key} {report.version}: ok ({report.checks} checks)"
    else:
        count = len(report.problems)
        head = f"{report.key} {report.version}: {count} problem{'s' * (count != 1)} ({report.checks} checks)"
        text = "\n".join([head] + [f"  {p.what}: {p.message}" for p in report.problems])
    return CheckOutcome(text, 0 if report.ok else 1)


def cmd_check_plugin(args) -> int:
    outcome = check_outcome(resolve_plugin(args.target), as_json=args.json)
    print(outcome.text)
    return outcome.exit_code


def _short(value: Any) -> str:
    text = (
        json.dumps(plain(value), ensure_ascii=False) if isinstance(value, (list, dict)) else str(plain(value))
    )
    return text if len(text) <= 60 else text[:57] + "..."


def cmd_classify(args) -> None:
    plugin, facts = _plugin(args), _facts(args)
    results = [plugin.classify(o) for o in facts.opportunities]
    rows = [
        (
            r.opportunity,
            r.tier,
            r.owner_role or "—",
            r.confirming_role or "—",
            r.follow_up_days or "—",
            "yes" if r.in_bulletin else "no",
            r.clause,
            r.reason_zh if args.lang == "zh" else r.reason_en,
            render.compact(r.inputs),
        )
        for r in results
    ]
    _emit(
        args,
        {"plugin": plugin.key, "classifications": [r.to_dict() for r in results]},
        render.table(
            (
                "opportunity",
                "tier",
                "owner",
                "confirms",
                "follow-up days",
                "bulletin",
                "clause",
                "reason",
                "inputs",
            ),
            rows,
        ),
    )


def cmd_assess_month(args) -> None:
    _outputs(args)
    plugin = _plugin(args)
    facts = _facts(args, "month", plugin)
    result = plugin.assess_month(facts)
    _emit_run(
        args,
        plugin,
        f"month {result.month}",
        payload=result.to_dict(),
        lines=result.lines,
        facts=facts,
        period=str(result.month),
    )


def cmd_commission_quarter(args) -> None:
    _outputs(args)
    plugin = _plugin(args)
    facts = _facts(args, "quarter", plugin)
    state = _carried(args, plugin, facts)
    try:
        result = plugin.commission_quarter(facts, state or {})
    except SuiteError:
        raise
    except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError) as exc:
        if state is None:
            raise
        raise InvalidFacts(
            f"the carried state cannot be read by {plugin.key}: {type(exc).__name__}: {exc}",
            field="carried.state",
        ) from None
    if state is None and facts.quarter.q > 1 and result.carried:
        print(
            f"warning: {facts.quarter} runs without a carried state: debts, carry-over and year-to-date "
            f"figures of earlier quarters are not applied (give --carried, written by --carried-out of "
            f"{facts.quarter.previous()})",
            file=sys.stderr,
        )
    if args.carried_out:
        envelope = {
            "plugin": plugin.key,
            "business_line": _business_line(args, facts),
            "quarter": str(result.quarter),
            "state": plain(result.carried),
        }
        try:
            with open(args.carried_out, "w", encoding="utf-8") as fh:
                json.dump(envelope, fh, ensure_ascii=False, indent=2)
        except OSError as exc:  # checked before the run; the disk can still fill up
            raise InvalidFacts(f"{args.carried_out}: {exc.strerror}", field="--carried-out") from None
    _emit_run(
        args,
        plugin,
        f"quarter {result.quarter}",
        # the line too: the whole --json output is a carried state the next quarter reads
        payload={"business_line": _business_line(args, facts), **result.to_dict()},
        lines=result.lines,
        facts=facts,
        period=str(result.quarter),
        carried=state,
        carried_out=result.carried,
    )


def cmd_indicators(args) -> None:
    """A period's indicators from a facts file (docs/rules.md §6): a month, a quarter or a year.
    The growth rate compares with the period before, read from the same file."""
    plugin = _plugin(args)
    facts = _facts(args, plugin=plugin)
    try:
        window = Window.parse(args.period)
    except ValueError as exc:
        raise InvalidFacts(str(exc), field="--period") from None
    if window.kind in ("month", "quarter"):
        top = {
            window.kind: Month.parse(window.label) if window.kind == "month" else Quarter.parse(window.label)
        }
        facts = dataclasses.replace(facts, **top)
    params = {**plugin.params, "previous_activity": Activity(facts, window.previous())}
    lines = list(indicator_lines(facts, window, params))
    if SCORECARD in plugin.params["indicators"] and window.kind != "month":
        lines += list(scorecard_lines(facts, window, plugin.params))
    payload = {"plugin": plugin.key, "period": window.label, "indicators": [l.to_dict() for l in lines]}
    if args.json:
        _emit(args, payload, "")
        return
    _emit(
        args,
        {},
        f"{plugin.key}: indicators of {window.label}\n\n" + render.indicators_table(lines, args.lang),
    )


def _emit_run(
    args,
    plugin,
    title: str,
    *,
    payload: dict[str, Any],
    lines,
    facts=None,
    period: str = "",
    carried=None,
    carried_out=None,
) -> None:
    """Lines and per-person totals, units kept apart, money rounded half-up to 0.01; with --xlsx
    or --html, the same run also as a workbook or page (reports/)."""
    if getattr(args, "xlsx", None) or getattr(args, "html", None):
        _write_files(
            args, plugin, facts, period=period, lines=lines, carried=carried, carried_out=carried_out
        )
    totals = render.totals(lines)
    if args.json:  # the text table costs more than the run on a large file: only when printed
        _emit(args, {"plugin": plugin.key, **payload, "totals": totals}, "")
        return
    shown = [l for l in lines if not in_indicator_section(l)]
    indicators = [l for l in lines if in_indicator_section(l)]
    text = f"{plugin.key}: {title}\n\n" + render.lines_table(shown, args.lang)
    summary = render.totals_table(totals)
    text += "\n\nTotals\n" + summary if summary else ""
    if indicators:
        text += "\n\nIndicators\n" + render.indicators_table(indicators, args.lang)
    _emit(args, {}, text)


def _write_files(args, plugin, facts, *, period: str, lines, carried, carried_out) -> None:
    # the reports (openpyxl, matplotlib) load only when a file is asked for: `kam` starts fast
    from reports import Directory, period_view, xlsx
    from reports import html as html_page

    described = plugin.describe()
    directory = Directory.of(
        [{"id": p.id, "name": p.name, "branch": p.branch, "role": p.role} for p in facts.people],
        [{"id": b.id, "name": b.name} for b in facts.branches],
        described,
    )
    sheet = {
        "business_line": _business_line(args, facts) or "",
        "period": period,
        "version": 1,
        "plugin": plugin.key,
        "status": "what-if",
        "closed_at": "",
        "reason": "computed by kam from " + args.facts,
        "lines": [line.to_dict() for line in lines if not in_indicator_section(line)],
        "indicators": [line.to_dict() for line in lines if in_indicator_section(line)],
        "carried_in": plain(carried or {}),
        "carried_out": plain(carried_out or {}),
    }
    view = period_view(sheet, directory, described)
    if args.xlsx:
        xlsx.write(view, Path(args.xlsx))
    if args.html:
        Path(args.html).write_text(html_page.period_page(view), encoding="utf-8")


# --- wiring ----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kam", description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p, facts=True):
        p.add_argument("target", help="plugin key (see `kam plugins`), or a business line with --config")
        if facts:
            p.add_argument("facts", help="facts file, JSON or YAML (docs/facts-format.md)")
        p.add_argument("--config", help="organisation YAML config; TARGET is then a business line in it")
        p.add_argument(
            "--param", action="append", metavar="NAME=VALUE", help="override a plugin parameter (repeatable)"
        )
        p.add_argument("--json", action="store_true", help="print JSON instead of a table")
        p.add_argument("--lang", choices=("en", "zh"), default="en", help="language of reasons")

    def files(p):
        # the folder of each is checked before the run (kam creates none)
        p.add_argument("--xlsx", metavar="FILE", help="also write the run as an Excel workbook")
        p.add_argument("--html", metavar="FILE", help="also write the run as a page (charts, every line)")

    p = sub.add_parser("plugins", help="list installed rule plugins")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_plugins)

    p = sub.add_parser("explain", help="a plugin's roles, parameters (with defaults) and clauses")
    common(p, facts=False)
    p.set_defaults(func=cmd_explain)

    p = sub.add_parser(
        "check-plugin", help="check that a plugin keeps the contract; exit 1 naming each problem"
    )
    p.add_argument(
        "target", help="plugin key (see `kam plugins`), or module:Class of a plugin not installed yet"
    )
    p.add_argument("--json", action="store_true", help="print the problems as JSON")
    p.set_defaults(func=cmd_check_plugin)

    p = sub.add_parser("classify", help="tier, owner and bulletin inclusion of each opportunity")
    common(p)
    p.set_defaults(func=cmd_classify)

    p = sub.add_parser("assess-month", help="a month's penalty points and findings, explained")
    common(p)
    p.add_argument("--month", help="YYYY-MM (default: the facts file's month)")
    files(p)
    p.set_defaults(func=cmd_assess_month)

    p = sub.add_parser("commission-quarter", help="a quarter's commissions and bonuses, explained")
    common(p)
    p.add_argument("--quarter", help="YYYY-Qn (default: the facts file's quarter)")
    p.add_argument(
        "--carried",
        metavar="FILE",
        help="carried state of the previous quarter (JSON/YAML): the file --carried-out wrote, or the "
        "whole --json output of that quarter; its bare `carried` only with --accept-carried; null: "
        "none (a first quarter). It must name this plugin, business line and the quarter before",
    )
    p.add_argument(
        "--accept-carried",
        action="store_true",
        help="apply a carried state that does not name its business line (or plugin or quarter), or "
        "one naming a line while the facts name none: you vouch it is this line's previous quarter",
    )
    p.add_argument(
        "--carried-out",
        metavar="FILE",
        help="write the new carried state here (JSON); its folder must exist: checked before the run",
    )
    files(p)
    p.set_defaults(func=cmd_commission_quarter)

    p = sub.add_parser(
        "indicators", help="a month's, quarter's or year's indicators from the records (docs/rules.md §6)"
    )
    common(p)
    p.add_argument("--period", required=True, help="YYYY-MM, YYYY-Qn or YYYY")
    p.set_defaults(func=cmd_indicators)

    parked.add_parser(sub)
    access.add_parser(sub)
    periods.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        answer = args.func(args)
        code = answer if isinstance(answer, int) else 0  # check-plugin answers 1 for problems
        sys.stdout.flush()
    except BrokenPipeError:  # `kam ... --json | head`: the reader left; say so once, no traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        print("error: output closed before it was all written (stdout)", file=sys.stderr)
        return 2
    except SuiteError as exc:
        if getattr(args, "json", False):
            json.dump(exc.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
        else:
            print(f"error: {exc.code.replace('_', ' ')}", file=sys.stderr)
            for e in exc.errors:
                print(f"  {e['field'] or '(document)'}: {e['message']}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
