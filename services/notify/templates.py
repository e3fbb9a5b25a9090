"""Message templates, Chinese and English, rendered to Markdown and HTML from one structure.

A template returns a Doc: a title and, per language, paragraphs and an optional table. Pure: the
service hands it the event payload (or the bulletin rows) and stores what comes back.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reports.html import CSS

from .vocabulary import Vocabulary, amount

PLAIN = Vocabulary()  # ids and keys as they are: what a template says without the line's names


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


def owner_assigned(e: Mapping[str, Any], v: Vocabulary = PLAIN) -> Doc:
    """Who follows an opportunity up, its tier in each language, and why."""

    def who(lang):
        vacant = (
            f"（{v.role(e['owner_role'], 'zh')}空缺）"
            if lang == "zh"
            else (f"nobody ({v.role(e['owner_role'], 'en')} vacant)")
        )
        return v.person(e.get("owner"), vacant)

    o, tier, role = e["opportunity"], e["tier"], e["owner_role"]
    cadence_zh = f"，每 {e['follow_up_days']} 天跟进" if e.get("follow_up_days") else ""
    cadence_en = f", a follow-up every {e['follow_up_days']} days" if e.get("follow_up_days") else ""
    return Doc(
        f"商机 {e['opportunity']} 负责人 / Owner of opportunity {e['opportunity']}",
        [
            Section(
                "zh",
                [
                    f"商机 {o} 定为{v.tier(tier, 'zh')}，由{v.role(role, 'zh')} {who('zh')} 负责跟进"
                    f"{cadence_zh}（依据 {e['clause']}：{e['reason_zh']}）。"
                ],
            ),
            Section(
                "en",
                [
                    f"Opportunity {o} ({v.tier(tier, 'en')}) is followed up by {who('en')}, "
                    f"{v.role(role, 'en')}{cadence_en} ({e['clause']}: {e['reason_en']})."
                ],
            ),
        ],
    )


def escalated(e: Mapping[str, Any], v: Vocabulary = PLAIN) -> Doc:
    zh_who = v.person(e.get("person"), f"（{v.role(e['role'], 'zh')}空缺）")
    en_who = v.person(e.get("person"), f"nobody ({v.role(e['role'], 'en')} vacant)")
    return Doc(
        f"跟进逾期升级 / Follow-up overdue: {e['opportunity']}",
        [
            Section(
                "zh",
                [
                    f"商机 {e['opportunity']} 自 {e['last_follow_up']} 起 {e['days_overdue']} 天未跟进"
                    f"（负责人 {v.person(e.get('owner'), '空缺')}），逾期第 {e['week']} 周，通报"
                    f"{v.role(e['role'], 'zh')} {zh_who}（{e['clause']}）。"
                ],
            ),
            Section(
                "en",
                [
                    f"Opportunity {e['opportunity']} has had no follow-up for {e['days_overdue']} days "
                    f"since {e['last_follow_up']} (owner {v.person(e.get('owner'), 'vacant')}): overdue week "
                    f"{e['week']}, escalated to {en_who}, {v.role(e['role'], 'en')} ({e['clause']})."
                ],
            ),
        ],
    )


def deadline_escalated(e: Mapping[str, Any], v: Vocabulary = PLAIN) -> Doc:
    """A case's step past its due day, told up the ladder (docs/rules.md §10.2)."""
    zh_who = v.person(e.get("person"), f"（{v.role(e['role'], 'zh')}空缺）")
    en_who = v.person(e.get("person"), f"nobody ({v.role(e['role'], 'en')} vacant)")
    inputs = e.get("inputs") or {}
    unit_zh = "个工作日" if inputs.get("unit") == "working_days" else "天"
    unit_en = "working days" if inputs.get("unit") == "working_days" else "days"
    owner_zh, owner_en = v.person(e.get("owner"), "空缺"), v.person(e.get("owner"), "vacant")
    return Doc(
        f"办理逾期升级 / Deadline passed: {e['case']}",
        [
            Section(
                "zh",
                [
                    f"{e['case']} {inputs.get('rule_zh', e['rule'])} 应于 {e['due']} 前办结，已逾期 "
                    f"{e['days_late']} {unit_zh}（经办人 {owner_zh}），第 {e['step']} 级通报"
                    f"{v.role(e['role'], 'zh')} {zh_who}（{e['clause']}）。"
                ],
            ),
            Section(
                "en",
                [
                    f"{e['case']}: {inputs.get('rule_en', e['rule'])} was due by {e['due']} and is "
                    f"{e['days_late']} {unit_en} late (with {owner_en}): step {e['step']}, told to {en_who}, "
                    f"{v.role(e['role'], 'en')} ({e['clause']})."
                ],
            ),
        ],
    )


_WARNED = {
    "deadline": ("办理时限即将到期", "Deadline falls due"),
    "follow_up": ("跟进即将到期", "Follow-up falls due"),
    "visit_plan": ("拜访计划即将到期", "Visit plan due"),
    "target_change": ("目标调整待审批", "Target change awaits a decision"),
    "development_plan": ("开发计划待审批", "Development plan awaits a decision"),
    "inquiry": ("核对申请待答复", "Inquiry awaits an answer"),
}


def warning(e: Mapping[str, Any], v: Vocabulary = PLAIN) -> Doc:
    """A warning before a breach (kamkit.warnings): what, whose, by when, told to whom."""
    zh_what, en_what = _WARNED[e["what"]]
    person_zh, person_en = v.person(e.get("person"), "部门"), v.person(e.get("person"), "the department")
    told = "、".join(v.person(t, t) for t in e["tell"]) or "-"
    told_en = ", ".join(v.person(t, t) for t in e["tell"]) or "-"
    key, due, inputs = e["key"], e["due"], e.get("inputs") or {}
    left, since, wait = inputs.get("days_left"), inputs.get("waiting_since"), inputs.get("wait_days")
    zh = {
        "follow_up": f"商机 {key} 须在 {due} 前跟进（负责人 {person_zh}，还剩 {left} 天），逾期将逐级通报。",
        "visit_plan": f"{person_zh} 的 {key} 拜访计划须在 {due}（本月最后一个工作日）前提交。",
        "target_change": f"{person_zh} 的目标调整申请 {key} 自 {since} 起待审批，"
        f"已超过 {wait} 天；审批前原目标有效。",
        "development_plan": f"{person_zh} 的大客户开发计划 {key} 自 {since} 起待审批，已超过 {wait} 天。",
        "inquiry": f"{person_zh} 对 {inputs.get('period')} 的核对申请 {key} 自 {since} 起待答复，"
        f"已超过 {wait} 天。",
        "deadline": f"{inputs.get('case')} {inputs.get('rule_zh')} 须在 {due} 前办结（经办人 {person_zh}，"
        f"还剩 {left} 天），逾期将逐级通报。",
    }[e["what"]]
    en = {
        "follow_up": f"Opportunity {key} must be followed up before {due} (owner {person_en}, "
        f"{left} days left); after that it climbs the ladder.",
        "visit_plan": f"{person_en}'s visit plan for {key} is due by {due}, the month's last working day.",
        "target_change": f"Target change {key} for {person_en} has waited since {since}, "
        f"over {wait} days; until decided the target before it stands.",
        "development_plan": f"Development plan {key} of {person_en} has waited since "
        f"{since}, over {wait} days, for a decision.",
        "inquiry": f"Inquiry {key} of {person_en} on {inputs.get('period')} has waited since {since}, "
        f"over {wait} days, for an answer.",
        "deadline": f"{inputs.get('case')}: {inputs.get('rule_en')} is due by {due} (with {person_en}, "
        f"{left} days left); after that it climbs the ladder.",
    }[e["what"]]
    return Doc(
        f"{zh_what} / {en_what}: {key}",
        [
            Section("zh", [f"{zh}通知：{told}（{e['clause']}）。"]),
            Section("en", [f"{en} Told: {told_en} ({e['clause']})."]),
        ],
    )


_UNITS = {"points": ("扣分", "points"), "CNY": ("元", "CNY"), "flag": ("结论", "finding")}


def _totals_rows(totals: Mapping[str, Mapping[str, str]], v: Vocabulary, lang: str) -> list[list[str]]:
    """Per person and unit, as the sheets show them: names, money to the cent with separators."""
    i = 0 if lang == "zh" else 1
    return [
        [
            v.person(person, person),
            _UNITS.get(unit, (unit, unit))[i],
            amount(figure) if unit == "CNY" else figure,
        ]
        for person, units in sorted(totals.items())
        for unit, figure in sorted(units.items())
    ]


def period_closed(e: Mapping[str, Any], what_zh: str, what_en: str, v: Vocabulary = PLAIN) -> Doc:
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
                _totals_rows(e["totals"], v, "zh"),
            ),
            Section(
                "en",
                [
                    f"The {what_en} for {e['period']} is closed (version {e['version']}, {e['lines']} "
                    f"explained lines, rules {e['plugin']}). Totals per person:"
                ],
                ("person", "unit", "total"),
                _totals_rows(e["totals"], v, "en"),
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


def weekly_bulletin(
    business_line: str, as_of: str, rows: list[Mapping[str, Any]], v: Vocabulary = PLAIN
) -> Doc:
    """docs/rules.md §1.1 / 000 §(一)5: every opportunity of >= 20,000 or >= 5 lines, and its follow-up."""

    def table(lang):
        return [
            [
                r["opportunity"],
                amount(r["amount"]),
                r["lines"],
                v.tier(r["tier"], lang),
                v.person(r["owner"], "空缺" if lang == "zh" else "vacant"),
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
                ("商机", "金额（元）", "线路", "级别", "负责人", "最近跟进", "未跟进天数", "升级次数"),
                table("zh"),
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
                table("en"),
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
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(doc.title)}</title><style>{CSS}</style>",
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
            out += ["<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in s.rows]
            out.append("</tbody></table>")
        out.append("</section>")
    out.append("</body></html>")
    return "\n".join(out)


def _cell(value) -> str:
    """A figure right-aligned as on the pages (reports.html: td.num), text as it is."""
    text = html.escape(str(value))
    number = isinstance(value, int | float) or text.replace(",", "").replace(".", "", 1).lstrip("-").isdigit()
    return f'<td class="num">{text}</td>' if number else f"<td>{text}</td>"
