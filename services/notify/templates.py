"""Message templates, Chinese and English, rendered to Markdown and HTML from one structure.

A template returns a Doc: a title and, per language, paragraphs and an optional table. Pure: the
service hands it the event payload (or the bulletin rows) and stores what comes back.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Section:
    lang: str  # zh | en
    paragraphs: list[str] = field(default_factory=list)
    headers: Sequence[str] = ()
    rows: list[Sequence[Any]] = field(default_factory=list)


@dataclass
class Doc:
    title: str
    sections: list[Section]


def owner_assigned(e: Mapping[str, Any]) -> Doc:
    who = e.get("owner") or f"({e['owner_role']} 空缺 / vacant)"
    return Doc(
        f"商机 {e['opportunity']} 负责人 / Owner of opportunity {e['opportunity']}",
        [
            Section(
                "zh",
                [
                    f"商机 {e['opportunity']} 定级为 {e['tier']}，由 {who} 跟进"
                    f"（依据 {e['clause']}：{e['reason_zh']}）。"
                ],
            ),
            Section(
                "en",
                [
                    f"Opportunity {e['opportunity']} is tier {e['tier']}, followed up by {who} "
                    f"({e['clause']}: {e['reason_en']})."
                ],
            ),
        ],
    )


def escalated(e: Mapping[str, Any]) -> Doc:
    who = e.get("person") or f"({e['role']} 空缺 / vacant)"
    return Doc(
        f"跟进逾期升级 / Follow-up overdue: {e['opportunity']}",
        [
            Section(
                "zh",
                [
                    f"商机 {e['opportunity']} 自 {e['last_follow_up']} 起 {e['days_overdue']} 天未跟进"
                    f"（负责人 {e.get('owner') or '空缺'}），逾期第 {e['week']} 周，通报 {who}"
                    f"（{e['clause']}）。"
                ],
            ),
            Section(
                "en",
                [
                    f"Opportunity {e['opportunity']} has had no follow-up for {e['days_overdue']} days "
                    f"since {e['last_follow_up']} (owner {e.get('owner') or 'vacant'}): overdue week "
                    f"{e['week']}, escalated to {who} ({e['clause']})."
                ],
            ),
        ],
    )


def _totals_rows(totals: Mapping[str, Mapping[str, str]]) -> list[list[str]]:
    return [
        [person, unit, figure]
        for person, units in sorted(totals.items())
        for unit, figure in sorted(units.items())
    ]


def period_closed(e: Mapping[str, Any], what_zh: str, what_en: str) -> Doc:
    rows = _totals_rows(e["totals"])
    return Doc(
        f"{e['business_line']} {e['period']} {what_zh} / {what_en} (v{e['version']})",
        [
            Section(
                "zh",
                [
                    f"{e['period']} {what_zh}已生成（第 {e['version']} 版，{e['lines']} 条明细，规则 "
                    f"{e['plugin']}）。各人合计："
                ],
                ("人员", "单位", "合计"),
                rows,
            ),
            Section(
                "en",
                [
                    f"The {what_en} for {e['period']} is closed (version {e['version']}, {e['lines']} "
                    f"explained lines, rules {e['plugin']}). Totals per person:"
                ],
                ("person", "unit", "total"),
                rows,
            ),
        ],
    )


def period_stale(e: Mapping[str, Any]) -> Doc:
    """A closed quarter whose carried state changed under it (services.common.periods.ledger)."""
    return Doc(
        f"{e['business_line']} {e['period']} 结算待重算 / statement stale (v{e['version']})",
        [
            Section(
                "zh",
                [
                    f"{e['period']} 的季度结算（第 {e['version']} 版）所依据的 {e['because_of']} "
                    f"已重新打开，结转数据可能变化，须重新计算后方可作为发放依据。原因：{e['reason']}"
                ],
            ),
            Section(
                "en",
                [
                    f"The {e['period']} statement (version {e['version']}) was built on carried state "
                    f"from {e['because_of']}, which has been reopened; it must be run again before it "
                    f"is paid. Reason: {e['reason']}"
                ],
            ),
        ],
    )


def weekly_bulletin(business_line: str, as_of: str, rows: list[Mapping[str, Any]]) -> Doc:
    """docs/rules.md §1.1 / 000 §(一)5: every opportunity of >= 20,000 or >= 5 lines, and its follow-up."""
    table = [
        [
            r["opportunity"],
            r["amount"],
            r["lines"],
            r["tier"],
            r["owner"] or "-",
            r["last_follow_up"] or "-",
            r["days_since"],
            r["escalations"],
        ]
        for r in rows
    ]
    return Doc(
        f"{business_line} 商机跟进周报 / Weekly opportunity bulletin {as_of}",
        [
            Section(
                "zh",
                [f"截至 {as_of}，金额 ≥ 2万元或线路 ≥ 5 条的商机共 {len(rows)} 个（000 §(一)5）。"],
                ("商机", "金额", "线路", "级别", "负责人", "最近跟进", "未跟进天数", "升级次数"),
                table,
            ),
            Section(
                "en",
                [f"As of {as_of}: {len(rows)} opportunities of at least 20,000 or 5 lines (000 §(一)5)."],
                (
                    "opportunity",
                    "amount",
                    "lines",
                    "tier",
                    "owner",
                    "last follow-up",
                    "days since",
                    "escalations",
                ),
                table,
            ),
        ],
    )


def to_markdown(doc: Doc) -> str:
    out = [f"# {doc.title}", ""]
    for s in doc.sections:
        out += [*s.paragraphs, ""]
        if s.headers:
            out.append("| " + " | ".join(s.headers) + " |")
            out.append("|" + "---|" * len(s.headers))
            out += ["| " + " | ".join(str(c) for c in row) + " |" for row in s.rows]
            out.append("")
    return "\n".join(out)


def to_html(doc: Doc) -> str:
    e = lambda v: html.escape(str(v))  # noqa: E731
    out = [
        "<!doctype html>",
        '<html><head><meta charset="utf-8">',
        f"<title>{e(doc.title)}</title>",
        "</head><body>",
        f"<h1>{e(doc.title)}</h1>",
    ]
    for s in doc.sections:
        out.append(f'<section lang="{s.lang}">')
        out += [f"<p>{e(p)}</p>" for p in s.paragraphs]
        if s.headers:
            out.append(
                "<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in s.headers) + "</tr></thead><tbody>"
            )
            out += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in s.rows]
            out.append("</tbody></table>")
        out.append("</section>")
    out.append("</body></html>")
    return "\n".join(out)
