"""Pages for the people who act (issue 25): plain server-rendered HTML with forms, made from the
same RPCs a JSON caller makes, with the caller's own token, so each service's access rules decide
what is shown and done.

    GET  /sign-in, POST /sign-in, POST /sign-out    a token pasted once, kept in a cookie
    GET  /me                                        the lines one may see, and where to go
    GET  /lines/{business_line}/me                  one's own page: open opportunities with due
                                                    days, statements, targets, requests; ask for
                                                    a target change
    POST /lines/{business_line}/me/target-changes
    POST /lines/{business_line}/me/inquiries        question a line of one's sheet or pay
    GET  /lines/{business_line}/queue               a manager's queue: target changes, plans and
                                                    opportunities waiting, each with its form
    POST /lines/{business_line}/queue/target-changes/{key}
    POST /lines/{business_line}/queue/plans/{key}
    POST /lines/{business_line}/queue/confirmations/{key}
    POST /lines/{business_line}/queue/inquiries-points/{id}, .../queue/inquiries-pay/{id}

A browser cannot send a bearer header: signing in puts the token in an HttpOnly, SameSite=Strict
cookie read only by these pages and the report pages (the JSON operations take the header alone).
Every form carries a value derived from the token (``csrf_value``) that a post must return, so a
page elsewhere cannot post on a signed-in person's behalf. After a post the browser is sent back
(303) to the page, with what was done or the refusal shown; nothing is done twice by reloading.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from html import escape as e
from typing import Any
from urllib.parse import quote, urlencode

from werkzeug.routing import Rule
from werkzeug.wrappers import Response

from kamkit.errors import Forbidden, NotFound, SuiteError
from kamkit.explain import CNY
from reports.html import CSS, figure_text
from services.common.access.rules import ROLES, parse_token

COOKIE = "kam_session"
Call = Callable[..., Any]

RULES = [
    Rule("/sign-in", methods=["GET", "POST"], endpoint="desk_sign_in"),
    Rule("/sign-out", methods=["POST"], endpoint="desk_sign_out"),
    Rule("/me", methods=["GET"], endpoint="desk_me"),
    Rule("/lines/<business_line>/me", methods=["GET"], endpoint="desk_own"),
    Rule("/lines/<business_line>/me/target-changes", methods=["POST"], endpoint="desk_ask"),
    Rule("/lines/<business_line>/me/inquiries", methods=["POST"], endpoint="desk_inquire"),
    Rule("/lines/<business_line>/queue", methods=["GET"], endpoint="desk_queue"),
    Rule("/lines/<business_line>/queue/<what>/<key>", methods=["POST"], endpoint="desk_decide"),
]
ENDPOINTS = frozenset(r.endpoint for r in RULES)
PUBLIC = frozenset({"desk_sign_in"})  # the rest need a token


def token_of(request) -> str | None:
    """The bearer header's token, else the session cookie's."""
    header = request.headers.get("Authorization")
    if header:
        return header
    cookie = request.cookies.get(COOKIE)
    return cookie if parse_token(cookie) is not None else None


def csrf_value(token: str) -> str:
    """What each form carries: derived from the signed-in token, so only a page the gateway made
    for that person knows it."""
    return hmac.new(token.encode(), b"kam-form", hashlib.sha256).hexdigest()[:32]


def answer(
    endpoint: str,
    request,
    values: Mapping[str, str],
    call: Call,
    *,
    token: str | None,
    verify: Callable[[str], bool],
) -> Response:
    """The page or the form's effect; ``verify(token)``: whether a token pasted to sign in is good."""
    if endpoint == "desk_sign_in":
        return _sign_in(request, verify)
    if endpoint == "desk_sign_out":
        return _redirect("/sign-in", clear=True)
    if token is None:
        return _redirect("/sign-in")
    if request.method == "POST" and not hmac.compare_digest(
        request.form.get("csrf", ""), csrf_value(token.removeprefix("Bearer ").strip())
    ):
        return _page(
            "请重新登录 / Sign in again", _p("该表单已过期。 This form is stale: open the page again."), 403
        )
    form = csrf_value(token.removeprefix("Bearer ").strip())
    line = values.get("business_line")
    if endpoint == "desk_me":
        return _me(call)
    if endpoint == "desk_own":
        return _own(line, call, form, request.args)
    if endpoint == "desk_ask":
        return _ask(line, request.form, call)
    if endpoint == "desk_inquire":
        return _inquire(line, request.form, call)
    if endpoint == "desk_queue":
        return _queue(line, call, form, request.args)
    return _decide(line, values["what"], values["key"], request.form, call)


# --- signing in ---------------------------------------------------------------------------------


def _sign_in(request, verify: Callable[[str], bool]) -> Response:
    if request.method != "POST":
        return _page("登录 / Sign in", _sign_in_form())
    token = (request.form.get("token") or "").strip()
    if parse_token(token) is None or not verify(token):
        error = "令牌无效或已过期。 The token is unknown, expired or revoked."
        return _page("登录 / Sign in", _sign_in_form(error), 401)
    response = _redirect("/me")
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        secure=request.scheme == "https",
        max_age=12 * 3600,
        path="/",
    )
    return response


def _sign_in_form(error: str = "") -> str:
    return (
        (f'<p class="flag" role="alert">{e(error)}</p>' if error else "")
        + '<form method="post" action="/sign-in"><label>API 令牌 / API token '
        '<input name="token" type="password" autocomplete="off" required size="60"></label> '
        '<button type="submit">登录 / Sign in</button></form>'
        '<p class="meta">管理员为您签发的令牌（kam_…）。 The token your administrator issued (kam_…).</p>'
    )


# --- where one may go ---------------------------------------------------------------------------


def _me(call: Call) -> Response:
    rows = []
    for line in call("intake", "list_lines"):
        key = quote(line["key"], safe="")
        links = []
        if line.get("person"):
            links.append(f'<a href="/lines/{key}/me">我的页面 / My page</a>')
        if ROLES.index(line["role"]) >= ROLES.index("manager"):
            links.append(f'<a href="/lines/{key}/queue">待办审批 / Queue</a>')
        rows.append(
            [
                e(line["name"] or line["key"]),
                e(line["role"]),
                e(line.get("scope") or "line"),
                e(line.get("person") or "-"),
                " · ".join(links) or "-",
            ]
        )
    body = _table(("业务线 Line", "角色 Role", "范围 Scope", "本人 Person", ""), rows, raw=True)
    return _page("我的业务线 / My lines", body + _sign_out_form())


# --- one's own page -----------------------------------------------------------------------------


def _own(line: str, call: Call, form: str, args) -> Response:
    me = _linked(line, call)
    if me is None:
        raise Forbidden(f"the caller is nobody on {line!r}: ask an admin to link them", field="person")
    person = call("intake", "get_record", line, "person", me)["record"]
    today = date.today()
    opportunities = []
    for o in _all(call, line, "opportunity"):
        doc = o["record"]
        if doc.get("status", "open") != "open":
            continue
        try:
            a = call("escalation", "get_assignment", line, o["key"])
        except (NotFound, Forbidden):
            a = {}
        if me not in (a.get("owner"), doc.get("account_manager"), a.get("confirmer")):
            continue
        due = a.get("due")
        opportunities.append(
            [
                e(o["key"]),
                _money(doc.get("amount")),
                e(a.get("tier") or "-"),
                e(a.get("owner") or "-"),
                _due(due, today),
            ]
        )
    statements = []
    for service in ("assessment", "compensation"):
        for p in call(service, "list_periods", line)[:12]:
            period = p["period"]
            # a month of compensation is a month's pay (docs/rules.md §9.4): its slip, beside the sheet
            where = (
                f"quarters/{quote(period, safe='')}" if "Q" in period else f"months/{quote(period, safe='')}"
            )
            if service == "compensation" and "Q" not in period:
                where += "/pay"
            href = f"{_q(line)}/{where}/people/{quote(me, safe='')}.html"
            label = f"{period} 工资 pay" if where.endswith("/pay") else period
            statements.append([f'<a href="{e(href)}">{e(label)}</a>', e(f"v{p['version']}"), e(p["status"])])
    targets = [
        [
            e(t["key"]),
            e(t["record"]["period"]),
            _money(t["record"]["amount"]),
            e(t["record"].get("set_by") or "-"),
        ]
        for t in _all(call, line, "target", person=me)
    ]
    requests = [
        [
            e(r["key"]),
            e(r["record"]["period"]),
            _money(r["record"]["amount"]),
            e(r["record"]["reason"]),
            f'<span class="{_status_class(r["record"]["status"])}">{e(r["record"]["status"])}</span>',
            e(r["record"].get("decided_by") or "-"),
            e(r["record"].get("note") or ""),
        ]
        for r in _all(call, line, "target_change", person=me)
    ]
    body = (
        _flash(args)
        + f'<p class="meta">{e(line)} · {e(person.get("role", ""))} · {e(person.get("branch") or "")}</p>'
        + "<h2>进行中的商机 / Open opportunities</h2>"
        + _table(
            ("商机 Opportunity", "金额 Amount", "级别 Tier", "负责人 Owner", "跟进期限 Follow-up due"),
            opportunities,
            raw=True,
        )
        + "<h2>考核与结算 / Sheets and statements</h2>"
        + _table(("期间 Period", "版本 Version", "状态 Status"), statements, raw=True)
        + "<h2>目标 / Targets</h2>"
        + _table(("编号 Id", "起始期间 From", "金额 Amount", "设定人 Set by"), targets, raw=True)
        + "<h2>我的申请 / My requests</h2>"
        + _table(
            (
                "编号 Id",
                "起始期间 From",
                "新目标 New",
                "理由 Reason",
                "状态 Status",
                "审批人 Decided by",
                "意见 Note",
            ),
            requests,
            raw=True,
        )
        + "<h2>我的核对申请 / My inquiries</h2>"
        + _table(
            ("编号 Id", "期间 Period", "行 Line", "原因 Reason", "说明 Text", "状态 Status", "答复 Answer"),
            _inquiry_rows(call, line, person=me),
            raw=True,
        )
        + "<h2>对某一行提出核对 / Question a line</h2>"
        + f'<form method="post" action="/lines/{quote(line, safe="")}/me/inquiries" class="inquire">'
        + f'<input type="hidden" name="csrf" value="{form}">'
        + '<label>期间 Period <input name="period" required placeholder="2026-03 / 2026-Q1"></label> '
        + '<label>类别 Of <select name="of"><option value="pay">工资 pay</option>'
        + '<option value="points">扣分 points</option></select></label> '
        + '<label>第几行 Line no. <input name="line" inputmode="numeric" size="4"></label> '
        + '<label>或缺少的记录 or missing record <input name="record" size="16"></label> '
        + '<label>原因 Reason <select name="reason_code">'
        + "".join(f'<option value="{c}">{_REASON_NAMES[c]}</option>' for c in _REASON_NAMES)
        + "</select></label> "
        + '<label>说明 What is wrong <input name="text" required size="40"></label> '
        + '<button type="submit">提交核对 / Ask</button></form>'
        + "<h2>申请调整目标 / Ask for a target change</h2>"
        + f'<form method="post" action="/lines/{quote(line, safe="")}/me/target-changes" class="ask">'
        + f'<input type="hidden" name="csrf" value="{form}">'
        + '<label>起始期间 From period <input name="period" required placeholder="2026-Q2"></label> '
        + '<label>新目标 New target <input name="amount" required inputmode="decimal"></label> '
        + '<label>理由 Reason <input name="reason" required size="40"></label> '
        + '<button type="submit">提交申请 / Ask</button></form>'
        + _sign_out_form()
    )
    return _page(f"{person.get('name') or me} — 我的页面 / My page", body)


def _ask(line: str, form, call: Call) -> Response:
    me = _linked(line, call)
    back = f"/lines/{quote(line, safe='')}/me"
    if me is None:
        return _redirect(back, error="the caller is nobody on this line")
    key = f"c-{me}-{form.get('period', '')}-{datetime.now():%Y%m%d%H%M%S}"  # unless the form names one
    change = {
        "id": _safe_key(form.get("id") or key),
        "person": me,
        "period": (form.get("period") or "").strip(),
        "amount": (form.get("amount") or "").strip(),
        "reason": (form.get("reason") or "").strip(),
    }
    try:
        call("intake", "request_target_change", line, change)
    except SuiteError as exc:
        return _redirect(back, error=_said(exc))
    return _redirect(back, done=f"已提交申请 {change['id']} / change {change['id']} asked for")


_REASON_NAMES = {
    "wrong_figure": "金额/分数不对 wrong figure",
    "missing_record": "漏记 a record is missing",
    "not_mine": "不属于我 not mine",
    "wrong_rule": "规则用错 wrong rule",
    "other": "其他 other",
}
_OF = {"points": "assessment", "pay": "compensation"}


def _inquiry_rows(call: Call, line: str, *, person: str | None = None, form: str | None = None) -> list:
    """Inquiries on points and pay (docs/rules.md §9.6): one's own, or (with ``form``) the open
    ones of the line, each with its answer form."""
    rows = []
    for of, service in _OF.items():
        found = call(
            service, "list_inquiries", line, **({"person": person} if person else {"status": "open"})
        )
        for i in found:
            where = "-" if i["line"] is None else f"{i['line'] + 1}"
            what = i["record"] or ((i.get("quoted") or {}).get("reason_en") or "")
            row = [
                e(f"{of} #{i['id']}"),
                e(i["period"]),
                e(where if i["record"] is None else f"{where} / {i['record']}"),
                e(_REASON_NAMES.get(i["reason_code"], i["reason_code"])),
                e(i["text"]) + (f'<br><span class="meta">{e(what)}</span>' if what else ""),
            ]
            if form is None:
                status = f'<span class="{_status_class(i["status"])}">{e(i["status"])}</span>'
                rows.append(row + [status, e(i.get("answer") or "")])
            else:
                action = f"{_q(line)}/queue/inquiries-{of}/{i['id']}"
                rows.append(row + [e(i["person"]), _answer_form(action, form)])
    return rows


def _answer_form(action: str, form: str) -> str:
    return (
        f'<form method="post" action="{e(action)}" class="decide">'
        f'<input type="hidden" name="csrf" value="{form}">'
        '<label>答复 Answer <input name="note" size="24" required></label> '
        '<button type="submit" name="decision" value="accept">接受并调整 Accept</button> '
        '<button type="submit" name="decision" value="reject">驳回 Reject</button></form>'
    )


def _inquire(line: str, form, call: Call) -> Response:
    me = _linked(line, call)
    back = f"/lines/{quote(line, safe='')}/me"
    if me is None:
        return _redirect(back, error="the caller is nobody on this line")
    number = (form.get("line") or "").strip()
    body = {
        "person": me,
        "reason_code": form.get("reason_code") or "other",
        "text": (form.get("text") or "").strip(),
        **({"record": form.get("record").strip()} if (form.get("record") or "").strip() else {}),
    }
    try:
        if number:
            if not number.isdigit() or int(number) < 1:
                raise NotFound("a line number is 1, 2, ... as the statement shows it", field="line")
            body["line"] = int(number) - 1  # people count from 1
        service = _OF.get(form.get("of") or "pay", "compensation")
        raised = call(service, "raise_inquiry", line, (form.get("period") or "").strip(), body)
    except SuiteError as exc:
        return _redirect(back, error=_said(exc))
    return _redirect(back, done=f"已提交核对 #{raised['id']} / inquiry #{raised['id']} raised")


# --- a manager's queue --------------------------------------------------------------------------


def _queue(line: str, call: Call, form: str, args) -> Response:
    base = f"/lines/{quote(line, safe='')}/queue"
    changes = [
        [
            e(c["key"]),
            e(c["record"].get("person") or "部门 department"),
            e(c["record"]["period"]),
            _money(c["record"]["amount"]),
            e(c["record"]["reason"]),
            e(c["record"].get("requested_by") or "-"),
            _decision_form(f"{base}/target-changes/{quote(c['key'], safe='')}", form, ("approve", "reject")),
        ]
        for c in _all(call, line, "target_change", status="pending")
    ]
    plans = [
        [
            e(p["key"]),
            e(p["record"]["person"]),
            e(p["record"]["quarter"]),
            e(p["record"]["planned"]),
            _decision_form(f"{base}/plans/{quote(p['key'], safe='')}", form, ("approve", "return")),
        ]
        for p in _all(call, line, "development_plan", status="submitted")
    ]
    decided = {c["key"] for c in _all(call, line, "confirmation")}
    me = _linked(line, call)
    waiting = [
        [
            e(o["key"]),
            _money(o["record"].get("amount")),
            e(o["record"].get("branch") or "-"),
            e(o["record"].get("account_manager") or "-"),
            _decision_form(
                f"{base}/confirmations/{quote(o['key'], safe='')}", form, ("confirm", "reject"), by=me or ""
            ),
        ]
        for o in _all(call, line, "opportunity")
        if o["key"] not in decided and o["record"].get("status", "open") == "open"
    ]
    body = (
        _flash(args)
        + "<h2>目标调整待审批 / Target changes waiting</h2>"
        + _table(
            ("编号 Id", "人员 Person", "起始期间 From", "新目标 New", "理由 Reason", "申请人 Asked by", ""),
            changes,
            raw=True,
        )
        + "<h2>开发计划待审批 / Development plans waiting</h2>"
        + _table(("编号 Id", "人员 Person", "季度 Quarter", "计划数 Planned", ""), plans, raw=True)
        + "<h2>核对申请待答复 / Inquiries waiting</h2>"
        + _table(
            ("编号 Id", "期间 Period", "行 Line", "原因 Reason", "说明 Text", "人员 Person", ""),
            _inquiry_rows(call, line, form=form),
            raw=True,
        )
        + "<h2>商机待确认 / Opportunities to confirm</h2>"
        + _table(
            ("商机 Opportunity", "金额 Amount", "分支 Branch", "客户经理 Account manager", ""),
            waiting,
            raw=True,
        )
        + _sign_out_form()
    )
    return _page(f"{line} — 待办审批 / Queue", body)


def _decide(line: str, what: str, key: str, form, call: Call) -> Response:
    back = f"/lines/{quote(line, safe='')}/queue"
    decision, note = form.get("decision", ""), (form.get("note") or "").strip()
    try:
        if what == "target-changes":
            call("intake", "decide_target_change", line, key, decision, note=note)
        elif what == "plans":
            call("intake", "decide_development_plan", line, key, decision, note=note)
        elif what.startswith("inquiries-") and what.removeprefix("inquiries-") in _OF:
            if not key.isdigit():
                raise NotFound(f"no inquiry {key!r}", field="path")
            service = _OF[what.removeprefix("inquiries-")]
            call(service, "answer_inquiry", line, int(key), decision, note or "-")
        elif what == "confirmations":
            by = (form.get("by") or "").strip() or None
            body = {"opportunity": key, "decision": decision, "date": date.today().isoformat(), "note": note}
            call("intake", "confirm_opportunity", line, {**body, **({"by": by} if by else {})})
        else:
            raise NotFound(f"nothing to decide called {what!r}", field="path")
    except SuiteError as exc:
        return _redirect(back, error=_said(exc))
    return _redirect(back, done=f"{key}: {decision}")


def _decision_form(action: str, form: str, choices: tuple[str, str], by: str | None = None) -> str:
    names = {
        "approve": "批准 Approve",
        "reject": "驳回 Reject",
        "return": "退回 Return",
        "confirm": "确认 Confirm",
    }
    who = (
        ""
        if by is None
        else f'<label>确认人 By <input name="by" value="{e(by)}" size="10"{" readonly" if by else ""}>'
        "</label> "
    )
    buttons = " ".join(
        f'<button type="submit" name="decision" value="{c}">{names[c]}</button>' for c in choices
    )
    return (
        f'<form method="post" action="{e(action)}" class="decide">'
        f'<input type="hidden" name="csrf" value="{form}">{who}'
        f'<label>意见 Note <input name="note" size="24"></label> {buttons}</form>'
    )


# --- helpers ------------------------------------------------------------------------------------


def _q(line: str) -> str:
    return f"/lines/{quote(line, safe='')}"


def _linked(line: str, call: Call) -> str | None:
    """Who the caller is on the line (the person its grant links), or None."""
    for item in call("intake", "list_lines"):
        if item["key"] == line:
            return item.get("person")
    raise Forbidden(f"the caller holds no role on {line!r}", field="business_line")


def _all(call: Call, line: str, kind: str, **match) -> list[dict[str, Any]]:
    """Every record of a kind the caller may read (matching ``match``), page by page."""
    out, page = [], 1
    while True:
        got = call("intake", "list_records", line, kind, {"page": page, "page_size": 1000, "match": match})
        out += got["items"]
        if page * got["page_size"] >= got["total"]:
            return out
        page += 1


def _due(due: str | None, today: date) -> str:
    if not due:
        return "-"
    left = (date.fromisoformat(due) - today).days
    if left < 0:
        return f'<span class="not-met">{e(due)}（逾期 {-left} 天 / {-left} days overdue）</span>'
    return (
        f'<span class="{"flag" if left <= 2 else "met"}">{e(due)}（还剩 {left} 天 / {left} days left）</span>'
    )


def _money(value: Any) -> str:
    """As the sheets show money: half-up to the cent, thousands separated."""
    try:
        return e(figure_text(Decimal(str(value)), CNY))
    except (InvalidOperation, ValueError):
        return "-" if value in (None, "") else e(str(value))


def error_page(exc: SuiteError) -> Response:
    """A refusal as a page a person reads, with the status the JSON answer would have."""
    status = {"Unauthorized": 401, "Forbidden": 403, "NotFound": 404, "Conflict": 409}.get(
        type(exc).__name__, 400
    )
    if status == 401:
        return _redirect("/sign-in")
    return _page("无法显示 / Cannot show this", f'<p class="flag" role="alert">{e(_said(exc))}</p>', status)


def _status_class(status: str) -> str:
    return {"approved": "met", "rejected": "not-met"}.get(status, "info")


def _said(exc: SuiteError) -> str:
    errors = getattr(exc, "errors", None) or [{"field": "-", "message": str(exc)}]
    return "; ".join(f"{x.get('field')}: {x.get('message')}" for x in errors)[:500]


def _safe_key(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in text)[:100]


def _flash(args) -> str:
    if args.get("error"):
        return f'<p class="flag" role="alert">{e(args["error"])}</p>'
    if args.get("done"):
        return f'<p class="met" role="status">{e(args["done"])}</p>'
    return ""


def _redirect(path: str, clear: bool = False, **message: str) -> Response:
    query = urlencode({k: v for k, v in message.items() if v})
    response = Response("", status=303, headers={"Location": path + (f"?{query}" if query else "")})
    if clear:
        response.delete_cookie(COOKIE, path="/")
    return response


def _sign_out_form() -> str:
    return (
        '<form method="post" action="/sign-out" class="meta">'
        '<button type="submit">退出 / Sign out</button></form>'
    )


def _p(text: str) -> str:
    return f"<p>{e(text)}</p>"


def _table(headers: Iterable[str], rows: list[list[str]], raw: bool = False) -> str:
    if not rows:
        return '<p class="info">无 / None.</p>'
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c if raw else e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _page(title: str, body: str, status: int = 200) -> Response:
    text = (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{e(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}'
        "form.decide,form.ask{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center;margin:0}"
        "input{font:inherit;padding:.15rem .3rem}button{font:inherit;padding:.2rem .6rem}</style></head>"
        '<body><p class="meta"><a href="/me">我的业务线 / My lines</a></p>'
        f"<h1>{e(title)}</h1>{body}</body></html>"
    )
    return Response(text, status=status, content_type="text/html; charset=utf-8")
