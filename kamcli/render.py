"""Plain-text tables for explained lines, aligned for Chinese and Latin text alike."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from kamkit.explain import CNY, FLAG, POINTS, Line, plain
from kamkit.money import fmt
from reports.view import display_width

width = display_width  # Chinese and Latin text aligned alike


def pad(text: str, size: int) -> str:
    return text + " " * (size - width(text))


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    rows = [[str(c) for c in r] for r in rows]
    sizes = [max([width(h)] + [width(r[i]) for r in rows]) for i, h in enumerate(headers)]
    rule = "  ".join("-" * s for s in sizes)
    out = ["  ".join(pad(h, s) for h, s in zip(headers, sizes)).rstrip(), rule]
    out += ["  ".join(pad(c, s) for c, s in zip(r, sizes)).rstrip() for r in rows]
    return "\n".join(out)


def number(value: Decimal) -> str:
    """A figure for reading: integral values without a fraction (75000, not 75000.0), long
    fractions (ratios) to 6 places; money is formatted by kamkit.money.fmt instead."""
    if value == value.to_integral_value():
        return f"{value.to_integral_value():f}"
    text = f"{value.normalize():f}"
    if len(text.split(".")[1]) > 6:
        text = f"{value.quantize(Decimal('0.000001')).normalize():f}"
    return text


def readable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return number(value)
    if isinstance(value, dict):
        return {k: readable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [readable(v) for v in value]
    return value


def compact(inputs: dict) -> str:
    parts = []
    for key, value in readable(dict(inputs)).items():
        parts.append(f"{key}={plain(value)}")
    return ", ".join(parts)


def figure(line: Line) -> str:
    if line.figure is None:  # an indicator with nothing to divide by
        return "n/a"
    return (
        fmt(line.figure)
        if line.unit == CNY
        else number(line.figure)
        if isinstance(line.figure, Decimal)
        else str(line.figure)
    )


def lines_table(lines: Sequence[Line], lang: str = "en") -> str:
    rows = [
        (
            l.person,
            l.role,
            figure(l),
            l.unit,
            l.clause,
            l.reason_zh if lang == "zh" else l.reason_en,
            compact(l.inputs),
        )
        for l in lines
    ]
    return table(("person", "role", "figure", "unit", "clause", "reason", "inputs"), rows)


def indicators_table(lines: Sequence[Line], lang: str = "en") -> str:
    """The indicator section: one row an indicator and person, value against its standard; a
    sheet's 003 §十一 score as a row of its own."""
    rows = []
    for l in lines:
        i = l.inputs
        if l.kind == "scorecard":
            rows.append(
                (l.person, "003 §十一 sheet", i["period"], figure(l), "", str(i["full_mark"]), "", l.clause)
            )
            continue
        ratio = i["measure"] == "ratio"
        shown = "n/a" if i["value"] is None else f"{i['value'] * 100:.2f}%" if ratio else number(i["value"])
        standard = i["standard"]
        rows.append(
            (
                l.person,
                i["name_zh"] if lang == "zh" else i["name_en"],
                i["period"],
                shown,
                "" if i["denominator"] is None else f"{number(i['numerator'])} / {number(i['denominator'])}",
                "" if standard is None else f"{standard * 100:.0f}%" if ratio else number(standard),
                {True: "met", False: "not met", None: "-"}[i["met"]],
                l.clause,
            )
        )
    return table(("person", "indicator", "period", "value", "of", "standard", "", "clause"), rows)


BASE_KINDS = {"base_pay", "base_salary", "phone_allowance"}


def totals(lines: Sequence[Line]) -> dict[str, dict[str, Any]]:
    """Per person, units kept apart: points docked, findings (flags) by kind ("(provisional)" when
    the line says it is), and pay split into base pay, commission and bonus, and deductions, with
    its total; money rounded to 0.01."""
    out: dict[str, dict[str, Any]] = {}
    for l in lines:
        row = out.setdefault(l.person, {})
        if l.unit == POINTS:
            row["points"] = row.get("points", Decimal(0)) + l.figure
        elif l.unit == FLAG:  # a finding computed on part of its period says so here too
            row.setdefault("flags", []).append(
                f"{l.kind} (provisional)" if l.inputs.get("provisional") else l.kind
            )
        elif l.unit == CNY:
            pay = row.setdefault(
                "CNY",
                {
                    "base": Decimal(0),
                    "commission_and_bonus": Decimal(0),
                    "deductions": Decimal(0),
                    "total": Decimal(0),
                },
            )
            part = (
                "deductions" if l.figure < 0 else "base" if l.kind in BASE_KINDS else "commission_and_bonus"
            )
            pay[part] += l.figure
            pay["total"] += l.figure
    for row in out.values():
        if "points" in row:
            row["points"] = number(row["points"])
        if "flags" in row:
            row["flags"] = sorted(set(row["flags"]))
        if "CNY" in row:
            row["CNY"] = {k: fmt(v) for k, v in row["CNY"].items()}
    return {person: row for person, row in sorted(out.items()) if row}


def totals_table(per_person: dict[str, dict[str, Any]]) -> str:
    """Only the columns this run has: a pay run shows no points column, a month no pay."""
    if not per_person:
        return ""
    rows = list(per_person.items())
    columns = []
    if any("points" in r for _, r in rows):
        columns.append(("points docked", lambda r: r.get("points", "0")))
    if any("flags" in r for _, r in rows):
        columns.append(("findings", lambda r: ", ".join(r.get("flags", [])) or "-"))
    if any("CNY" in r for _, r in rows):
        for key, title in (
            ("base", "base pay"),
            ("commission_and_bonus", "commission & bonus"),
            ("deductions", "deductions"),
            ("total", "CNY total"),
        ):
            if any(r.get("CNY", {}).get(key, "0.00") != "0.00" for _, r in rows) or key == "total":
                columns.append((title, lambda r, k=key: r.get("CNY", {}).get(k, "0.00")))
    if not columns:
        return ""
    return table(("person", *[c[0] for c in columns]), [(p, *[f(r) for _, f in columns]) for p, r in rows])
