"""Every HTTP operation of the gateway, as data: its method and path, the RPC it becomes, what it
reads from the path, the query and the body, and what it answers. The service (service.py)
dispatches by this table and the OpenAPI document (openapi.py) is generated from it, so the two
cannot disagree.

Paths name resources: ``/lines/{business_line}/opportunities/{key}``, ``.../months/{month}/sheet``,
``.../quarters/{quarter}/statements/{person}``. Path and query parameters carry the RPC
argument's own name, so a refusal names the same field over HTTP and over RPC.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema

from kamkit.errors import NotFound
from services.common.messaging import rpc_fields as f
from services.notify import schemas as notify
from wire.records import GUARDED_KINDS, KINDS

from . import schemas as S

Call = Callable[[Mapping[str, str], Mapping[str, Any], Any], tuple[tuple, dict]]


@dataclass(frozen=True)
class Route:
    name: str  # the operationId
    method: str  # GET, POST, PUT, PATCH, DELETE
    path: str  # OpenAPI form: /lines/{business_line}/months/{month}/sheet
    service: str
    rpc: str
    summary: str
    tag: str
    call: Call  # (path values, query values, body) -> the RPC's (args, kwargs)
    query: type[Schema] | None = None
    body: type[Schema] | None = None
    answer: type[Schema] | str | None = None  # a schema, "array" or None (any object)
    idempotent: bool = False  # takes an Idempotency-Key header (the RPC's idempotency_key)
    created: str | None = None  # 201 when the answer says so: "always", or "change" (answer's change)
    public: bool = False  # no token needed (the document, health)
    path_params: tuple[str, ...] = field(init=False)

    def __post_init__(self):
        names = tuple(part[1:-1] for part in self.path.split("/") if part.startswith("{"))
        object.__setattr__(self, "path_params", names)

    @property
    def werkzeug_rule(self) -> str:
        return self.path.replace("{", "<").replace("}", ">")


def _line(p, q, b):
    return (p["business_line"],), {}


# record kind -> (path segment, the intake RPC that writes one)
RECORD_PATHS = {
    "branch": ("branches", "register_branch"),
    "person": ("people", "register_person"),
    "opportunity": ("opportunities", "record_opportunity"),
    "follow_up": ("follow-ups", "post_follow_up"),
    "loss_review": ("loss-reviews", "record_loss_review"),
    "deal": ("deals", "record_deal"),
    "collection": ("collections", "record_collection"),
    "contract": ("contracts", "record_contract"),
    "loan": ("loans", "record_loan"),
    "portfolio": ("portfolios", "record_portfolio"),
    "kpi": ("kpi-ratings", "record_kpi"),
    "complaint": ("complaints", "record_complaint"),
    "customer": ("customers", "register_customer"),
    "visit_plan": ("visit-plans", "record_visit_plan"),
    "visit": ("visits", "record_visit"),
    "development_plan": ("development-plans", "record_development_plan"),
    "feedback_request": ("feedback-requests", "record_feedback_request"),
    "budget": ("budgets", "record_budget"),
    "expense": ("expenses", "record_expense"),
    "attendance": ("attendance", "record_attendance"),
    "featured_service": ("featured-services", "record_featured_service"),
    "confirmation": ("confirmations", "confirm_opportunity"),
    "calendar": ("calendars", "register_calendar"),
    "target": ("targets", "set_target"),
    "target_change": ("target-changes", "request_target_change"),
    "case": ("cases", "record_case"),
    "survey": ("surveys", "record_survey"),
    "work_plan": ("work-plans", "record_work_plan"),
    "call_log": ("call-logs", "record_call_log"),
    "incident": ("incidents", "record_incident"),
    "standard_check": ("standard-checks", "record_standard_check"),
    "appraisal": ("appraisals", "record_appraisal"),
    "appointment": ("appointments", "record_appointment"),
}
assert set(RECORD_PATHS) == set(KINDS) - {"business_line"}


def _record_routes(kind: str) -> list[Route]:
    segment, writer = RECORD_PATHS[kind]
    base = f"/lines/{{business_line}}/{segment}"
    tag = "roster" if kind in ("branch", "person") else "targets" if kind.startswith("target") else "records"
    title = kind.replace("_", " ")
    routes = [
        Route(
            f"write_{kind}",
            "POST",
            base,
            "intake",
            writer,
            f"Record a {title} (201 created; 200 when it replaces a roster record)",
            tag,
            lambda p, q, b: ((p["business_line"], b), {}),
            body=S.record_body(kind),
            answer=S.RecordAnswer,
            idempotent=True,
            created="change",
        ),
        Route(
            f"write_{kind}_batch",
            "POST",
            f"/lines/{{business_line}}/batches/{segment}",
            "intake",
            "record_batch",
            f"Record many {title} records at once: all or none, every bad record named",
            tag,
            lambda p, q, b, kind=kind: ((p["business_line"], kind, (b or {}).get("records")), {}),
            body=S.batch_body(kind),
            idempotent=True,
        ),
        Route(
            f"list_{kind}",
            "GET",
            base,
            "intake",
            "list_records",
            f"List {title} records, page by page",
            tag,
            lambda p, q, b, kind=kind: ((p["business_line"], kind, dict(q)), {}),
            query=S.RecordListQuery,
            answer=S.RecordPage,
        ),
        Route(
            f"get_{kind}",
            "GET",
            f"{base}/{{key}}",
            "intake",
            "get_record",
            f"Read one {title}",
            tag,
            lambda p, q, b, kind=kind: ((p["business_line"], kind, p["key"]), {}),
            answer=S.RecordAnswer,
        ),
        Route(
            f"update_{kind}",
            "PATCH",
            f"{base}/{{key}}",
            "intake",
            "update_record",
            f"Change fields of a {title}: merged, validated as a whole, version + 1",
            tag,
            lambda p, q, b, kind=kind: ((p["business_line"], kind, p["key"], b), {}),
            body=S.changes_body(kind),
            answer=S.RecordAnswer,
            idempotent=True,
        ),
    ]
    if kind not in GUARDED_KINDS:
        return routes
    # set and asked for through their own RPCs, which record who acted (docs/rules.md §7): no
    # batch, no PATCH; a change is decided at its own path
    routes = [r for r in routes if r.rpc not in ("record_batch", "update_record")]
    if kind == "appointment":
        routes.append(
            Route(
                "decide_appointment",
                "POST",
                f"{base}/{{key}}/decision",
                "intake",
                "decide_appointment",
                "Approve or refuse a proposed grade appointment, as the role the line's ladder names",
                tag,
                lambda p, q, b: (
                    (p["business_line"], p["key"], (b or {}).get("decision")),
                    {
                        k: (str(v) if k == "decided_on" and v else v)
                        for k, v in (b or {}).items()
                        if k in ("note", "decided_by", "decided_on")
                    },
                ),
                body=S.AppointmentDecisionBody,
                answer=S.RecordAnswer,
                idempotent=True,
            )
        )
    if kind == "target_change":
        routes.append(
            Route(
                "decide_target_change",
                "POST",
                f"{base}/{{key}}/decision",
                "intake",
                "decide_target_change",
                "Approve or reject a pending target change, as a manager other than the one who asked",
                tag,
                lambda p, q, b: (
                    (p["business_line"], p["key"], (b or {}).get("decision")),
                    {k: v for k, v in (b or {}).items() if k in ("note", "decided_by")},
                ),
                body=S.DecisionBody,
                answer=S.RecordAnswer,
                idempotent=True,
            )
        )
    return routes


_MONTH = "/lines/{business_line}/months/{month}"
_QUARTER = "/lines/{business_line}/quarters/{quarter}"


def _period(p, q, b, *names):
    return tuple(p[n] for n in names), {k: v for k, v in q.items() if v is not None}


def _reopen(name, base, period, *, service, rpc, summary, tag):
    return Route(
        name,
        "POST",
        f"{base}/reopen",
        service,
        rpc,
        summary,
        tag,
        lambda p, q, b: ((p["business_line"], p[period], (b or {}).get("reason")), {}),
        body=S.ReasonBody,
    )


@dataclass(frozen=True)
class PayNames:
    """The six operations of a period of pay, by name (operation ids, or compensation's RPCs)."""

    run: str
    reopen: str
    get: str
    lines: str
    statement: str
    history: str


def _pay_routes(base, period, ops: PayNames, rpcs: PayNames, *, what, tag):
    """A period of pay (compensation): run it, reopen it, read it whole, page by page, one
    person's statement, its versions; then replay, compare, inquire, adjust (``_trust``)."""
    line_and = lambda *names: lambda p, q, b: _period(p, q, b, "business_line", period, *names)  # noqa: E731
    return [
        Route(
            ops.run,
            "POST",
            f"{base}/run",
            "compensation",
            rpcs.run,
            f"Run the {what} (again: the same run); answers its summary. Waits for intake's changes as "
            "a month's close does (accept_missing likewise)",
            tag,
            line_and(),
            query=S.CloseQuery,
            answer=S.Summary,
        ),
        _reopen(
            ops.reopen,
            base,
            period,
            service="compensation",
            rpc=rpcs.reopen,
            summary=f"Reopen the {what} with a reason; the later closed quarters standing on it become stale",
            tag=tag,
        ),
        Route(
            ops.get,
            "GET",
            base,
            "compensation",
            rpcs.get,
            f"The {what} with carried state in and out",
            tag,
            lambda p, q, b: _period(p, {}, b, "business_line", period),
            answer=S.Summary,
        ),
        Route(
            ops.lines,
            "GET",
            f"{base}/lines",
            "compensation",
            rpcs.lines,
            f"Every line of the {what}, page by page",
            tag,
            line_and(),
            query=f.Paging,
            answer=S.Summary,
        ),
        Route(
            ops.statement,
            "GET",
            f"{base}/statements/{{person}}",
            "compensation",
            rpcs.statement,
            f"One person's statement of the {what}, every line explained",
            tag,
            line_and("person"),
            query=f.Paging,
            answer=S.Summary,
        ),
        _history(
            ops.history,
            base,
            period,
            service="compensation",
            rpc=rpcs.history,
            summary=f"Every version of the {what}",
            tag=tag,
        ),
        *_trust(
            base,
            period,
            service="compensation",
            tag=tag,
            name=None if period == "quarter" else "month_pay",
            what=what,
        ),
    ]


def _inquiry_id(text: str) -> int:
    """An inquiry's number from its path segment; anything else names no inquiry."""
    if not (text.isascii() and text.isdigit() and 0 < len(text) < 10 and text[0] != "0"):
        raise NotFound(f"no inquiry {text!r}", field="inquiry")
    return int(text)


def _trust(base, period, *, service, tag, name=None, what=None):
    """A closed period's replay, a what-if comparison and an adjustment (docs/rules.md §9.2,
    §9.3, §9.5)."""
    name = name or period
    what = what or {"month": "month's sheet", "quarter": "quarter's run"}[period]
    return [
        Route(
            f"replay_{name}",
            "GET",
            f"{base}/replay",
            service,
            "replay_period",
            f"Recompute a closed {what} from the facts and rules it was closed on: identical, or "
            "every line that differs (nothing stored)",
            tag,
            lambda p, q, b: _period(p, q, b, "business_line", period),
            query=S.ReplayQuery,
        ),
        Route(
            f"compare_{name}",
            "POST",
            f"{base}/compare",
            service,
            "compare_period",
            f"The {what}'s stored facts under another plugin or parameters, person by person beside "
            "it (nothing stored)",
            tag,
            lambda p, q, b: ((p["business_line"], p[period]), dict(b or {})),
            body=S.CompareBody,
        ),
        Route(
            f"raise_inquiry_{name}",
            "POST",
            f"{base}/inquiries",
            service,
            "raise_inquiry",
            f"Question a line of one's {what} (line: its place in one's statement, from 0), or say a "
            "record is missing, with a reason code (docs/rules.md §9.6)",
            tag,
            lambda p, q, b: ((p["business_line"], p[period], dict(b or {})), {}),
            body=S.InquiryBody,
            idempotent=True,
        ),
        Route(
            f"adjust_{name}",
            "POST",
            f"{base}/adjust",
            service,
            "adjust_period",
            f"Correct the closed {what} without rewriting it: recompute it on the records now and post "
            "the difference, line by line, in the next period not closed (the state it hands on follows)",
            tag,
            lambda p, q, b: ((p["business_line"], p[period], (b or {}).get("reason")), {}),
            body=S.ReasonBody,
        ),
    ]


def _history(name, base, period, *, service, rpc, summary, tag):
    return Route(
        name,
        "GET",
        f"{base}/history",
        service,
        rpc,
        summary,
        tag,
        lambda p, q, b: _period(p, {}, b, "business_line", period),
        answer="array",
    )


ROUTES: list[Route] = [
    # --- business lines and records (intake) ---
    Route(
        "register_business_line",
        "POST",
        "/lines",
        "intake",
        "register_business_line",
        "Register a business line with its rule plugin and parameters (admin of every line)",
        "lines",
        lambda p, q, b: ((b,), {}),
        body=S.record_body("business_line"),
        answer=S.RecordAnswer,
        idempotent=True,
        created="change",
    ),
    Route(
        "list_lines",
        "GET",
        "/lines",
        "intake",
        "list_lines",
        "The business lines the caller may see, with its role on each",
        "lines",
        lambda p, q, b: ((), {}),
        answer="array",
    ),
    Route(
        "get_business_line",
        "GET",
        "/lines/{business_line}",
        "intake",
        "get_record",
        "Read a business line's registration",
        "lines",
        lambda p, q, b: ((p["business_line"], "business_line", p["business_line"]), {}),
        answer=S.RecordAnswer,
    ),
    Route(
        "line_rules",
        "GET",
        "/lines/{business_line}/rules",
        "intake",
        "line_rules",
        "The line's rules over time: each plugin and parameters with the month it is in force from, "
        "who set it, when and why",
        "lines",
        _line,
        answer="array",
    ),
    Route(
        "set_line_rules",
        "POST",
        "/lines/{business_line}/rules",
        "intake",
        "set_line_rules",
        "Put a plugin and parameters in force from a month on (admin of the line); periods before "
        "it keep their rules",
        "lines",
        lambda p, q, b: ((p["business_line"], dict(b or {})), {}),
        body=S.RuleSetBody,
        answer=S.RecordAnswer,
        idempotent=True,
    ),
    Route(
        "record_counts",
        "GET",
        "/lines/{business_line}/record-counts",
        "intake",
        "record_counts",
        "Records held per kind: [records, versions]",
        "lines",
        _line,
    ),
    *[route for kind in RECORD_PATHS for route in _record_routes(kind)],
    # --- months (assessment) ---
    Route(
        "close_month",
        "POST",
        f"{_MONTH}/close",
        "assessment",
        "close_month",
        "Close the month (again: the same sheet); answers its summary. Waits up to 30 s for every change "
        "intake has sent to arrive; 409 naming each kind still behind, nothing computed; with "
        "accept_missing (a reason) closes on what is held and says so in the version's reason",
        "months",
        lambda p, q, b: _period(p, q, b, "business_line", "month"),
        query=S.CloseQuery,
        answer=S.Summary,
    ),
    _reopen(
        "reopen_month",
        _MONTH,
        "month",
        service="assessment",
        rpc="reopen_month",
        summary="Reopen a closed month with a reason; the next close stores a new version",
        tag="months",
    ),
    Route(
        "list_months",
        "GET",
        "/lines/{business_line}/months",
        "assessment",
        "list_periods",
        "The line's closed months, newest first, each with its newest version and status",
        "months",
        _line,
        answer="array",
    ),
    Route(
        "list_quarters",
        "GET",
        "/lines/{business_line}/quarters",
        "compensation",
        "list_periods",
        "The line's run quarters, newest first, each with its newest version and status",
        "quarters",
        _line,
        answer="array",
    ),
    Route(
        "get_sheet",
        "GET",
        f"{_MONTH}/sheet",
        "assessment",
        "get_sheet",
        "The month's sheet (current version), every line explained; page by page with page/page_size",
        "months",
        lambda p, q, b: _period(p, q, b, "business_line", "month"),
        query=S.SheetQuery,
        answer=S.Summary,
    ),
    _history(
        "sheet_history",
        _MONTH,
        "month",
        service="assessment",
        rpc="sheet_history",
        summary="Every version of the month's sheet, with why it was made",
        tag="months",
    ),
    *_trust(_MONTH, "month", service="assessment", tag="months"),
    Route(
        "assessment_status",
        "GET",
        "/lines/{business_line}/assessment-status",
        "assessment",
        "projection_status",
        "Records assessment holds per kind (caught up with intake?)",
        "months",
        _line,
    ),
    # --- a month's pay, of a line paid by the month (compensation; docs/rules.md §9.4) ---
    *_pay_routes(
        f"{_MONTH}/pay",
        "month",
        PayNames(
            "run_month",
            "reopen_month_pay",
            "get_month_pay",
            "get_month_pay_lines",
            "get_month_statement",
            "month_pay_history",
        ),
        PayNames(
            "run_month",
            "reopen_month",
            "get_month",
            "get_month_lines",
            "get_month_statement",
            "month_history",
        ),
        what="month's pay",
        tag="month pay",
    ),
    # --- the year (docs/rules.md §9.7) ---
    *(
        route
        for service, what, segment in (("assessment", "result", "result"), ("compensation", "pay", "pay"))
        for route in (
            Route(
                f"close_year_{what}",
                "POST",
                f"/lines/{{business_line}}/years/{{year}}/{segment}/close",
                service,
                "close_year",
                f"Close the year's {what}: every {'month' if what == 'result' else 'quarter'} of it summed "
                "per person by kind and clause"
                + (", the annual veto with its causes, the year's indicators" if what == "result" else ""),
                "years",
                lambda p, q, b: _period(p, q, b, "business_line", "year"),
                query=S.CloseQuery,
                answer=S.Summary,
            ),
            Route(
                f"get_year_{what}",
                "GET",
                f"/lines/{{business_line}}/years/{{year}}/{segment}",
                service,
                "get_year",
                f"The year's {what}: every person's lines (or one person's: ?person=), page by page",
                "years",
                lambda p, q, b: _period(p, q, b, "business_line", "year"),
                query=S.SheetQuery,
                answer=S.Summary,
            ),
            *_trust(
                f"/lines/{{business_line}}/years/{{year}}/{segment}",
                "year",
                service=service,
                tag="years",
                name=f"year_{what}",
                what=f"year's {what}",
            )[:1],
        )
    ),
    # --- quarters (compensation) ---
    *_pay_routes(
        _QUARTER,
        "quarter",
        PayNames("run_quarter", "reopen_quarter", "get_run", "get_run_lines", "get_statement", "run_history"),
        PayNames("run_quarter", "reopen_quarter", "get_run", "get_run_lines", "get_statement", "run_history"),
        what="quarter's run",
        tag="quarters",
    ),
    Route(
        "compensation_status",
        "GET",
        "/lines/{business_line}/compensation-status",
        "compensation",
        "projection_status",
        "Records compensation holds per kind (caught up with intake?)",
        "quarters",
        _line,
    ),
    # --- ownership and escalation ---
    Route(
        "get_assignment",
        "GET",
        "/lines/{business_line}/opportunities/{opportunity}/assignment",
        "escalation",
        "get_assignment",
        "An opportunity's tier, owner, clock and next escalation day",
        "escalation",
        lambda p, q, b: ((p["business_line"], p["opportunity"]), {}),
    ),
    Route(
        "list_escalations",
        "GET",
        "/lines/{business_line}/escalations",
        "escalation",
        "list_escalations",
        "Escalations of the line (or of one opportunity)",
        "escalation",
        lambda p, q, b: ((p["business_line"],), {k: v for k, v in q.items() if v is not None}),
        query=S.OpportunityQuery,
        answer="array",
    ),
    Route(
        "list_deadlines",
        "GET",
        "/lines/{business_line}/deadlines",
        "escalation",
        "list_deadlines",
        "Steps of the line's cases not yet done: due day, days late, the rungs told (docs/rules.md §10.2)",
        "escalation",
        lambda p, q, b: ((p["business_line"],), dict(q)),  # as given: the service checks the day
        query=S.DeadlinesQuery,
        answer="array",
    ),
    Route(
        "tier_counts",
        "GET",
        "/lines/{business_line}/tiers",
        "escalation",
        "tier_counts",
        "Opportunities per tier",
        "escalation",
        _line,
    ),
    Route(
        "sweep",
        "POST",
        "/sweeps",
        "escalation",
        "sweep",
        "Escalate every overdue follow-up as of a day (one line, or every line: admin of every line)",
        "escalation",
        lambda p, q, b: ((), dict(b or {})),
        body=S.SweepBody,
        answer="array",
    ),
    Route(
        "warn",
        "POST",
        "/warnings",
        "escalation",
        "warn",
        "Warn of what falls due soon or waits for a decision as of a day, each warning once "
        "(one line, or every line: admin of every line)",
        "escalation",
        lambda p, q, b: ((), dict(b or {})),
        body=S.SweepBody,
        answer="array",
    ),
    # --- bulletins and deliveries (notify) ---
    Route(
        "send_weekly_bulletin",
        "POST",
        "/lines/{business_line}/bulletins",
        "notify",
        "send_weekly_bulletin",
        "Send the line's weekly bulletin as of a day (once per ISO week)",
        "notify",
        lambda p, q, b: ((), {**(b or {}), "business_line": p["business_line"]}),
        body=S.AsOfBody,
        answer="array",
    ),
    Route(
        "list_messages",
        "GET",
        "/lines/{business_line}/messages",
        "notify",
        "list_messages",
        "Messages made for the line",
        "notify",
        lambda p, q, b: (
            (),
            {"business_line": p["business_line"], **{k: v for k, v in q.items() if v is not None}},
        ),
        query=S.MessageQuery,
        answer="array",
    ),
    Route(
        "list_deliveries",
        "GET",
        "/deliveries",
        "notify",
        "list_deliveries",
        "Deliveries of every line (reader of every line)",
        "notify",
        lambda p, q, b: ((), {k: v for k, v in q.items() if v is not None}),
        query=notify.DeliveryQuery,
        answer="array",
    ),
    # --- who may do what (intake) ---
    Route(
        "list_principals",
        "GET",
        "/principals",
        "intake",
        "list_principals",
        "Every principal with its roles and tokens (no secrets)",
        "access",
        lambda p, q, b: ((), {}),
        answer="array",
    ),
    Route(
        "create_principal",
        "POST",
        "/principals",
        "intake",
        "create_principal",
        "Create a principal: a person or a calling system",
        "access",
        lambda p, q, b: ((b,), {}),
        body=S.PrincipalBody,
        created="always",
    ),
    Route(
        "grant_role",
        "PUT",
        "/principals/{principal}/roles/{business_line}",
        "intake",
        "grant_role",
        "Give the principal a role on a business line ('*': every line)",
        "access",
        lambda p, q, b: (
            (p["principal"], p["business_line"], (b or {}).get("role")),
            {k: (b or {})[k] for k in ("scope", "branch", "person") if k in (b or {})},
        ),
        body=S.RoleBody,
    ),
    Route(
        "revoke_role",
        "DELETE",
        "/principals/{principal}/roles/{business_line}",
        "intake",
        "revoke_role",
        "Take the principal's role on a business line away",
        "access",
        lambda p, q, b: ((p["principal"], p["business_line"]), {}),
    ),
    Route(
        "issue_token",
        "POST",
        "/principals/{principal}/tokens",
        "intake",
        "issue_token",
        "A new API token for the principal: its text is in this answer only",
        "access",
        lambda p, q, b: ((p["principal"],), dict(b or {})),
        body=S.TokenBody,
        answer=S.NewToken,
        created="always",
    ),
    Route(
        "revoke_token",
        "DELETE",
        "/tokens/{token_id}",
        "intake",
        "revoke_token",
        "Revoke a token now",
        "access",
        lambda p, q, b: ((p["token_id"],), {}),
    ),
]

# --- the audit trail: each service's own (admin of the line, or of every line) ---
ROUTES += [
    Route(
        f"audit_{service}",
        "GET",
        f"/audit/{service}",
        service,
        "list_audit",
        f"{service}'s audit trail: who did what and when, before and after, refusals too; "
        "filter by business_line, principal, target (opportunity:o1), period, outcome",
        "audit",
        lambda p, q, b: ((), dict(q)),
        query=S.AuditQuery,
        answer=S.AuditPage,
    )
    for service in ("intake", "escalation", "assessment", "compensation", "notify")
]

BY_NAME = {r.name: r for r in ROUTES}
assert len(BY_NAME) == len(ROUTES), "operation names are unique"
