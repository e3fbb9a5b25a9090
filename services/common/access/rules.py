"""Who may do what (issue 11): roles per business line, the action each RPC is, API tokens.

Pure: no I/O. intake stores principals, their grants and their tokens' hashes; every service
checks a call's token against what intake announced (services.common.access.guard) with these rules.

Roles, each covering the one before it: ``reader`` (read records, sheets, statements), ``clerk``
(record and update activity), ``manager`` (close, reopen, run quarters, sweep, send bulletins),
``admin`` (business lines, plugins, roster, principals, parked events). A grant gives a principal
a role on one business line, or on every line (``*``). An action on no particular line (a sweep of
all lines, the delivery log) needs a grant on ``*``.

A grant covers the whole line (scope ``line``), or only what concerns one branch's people
(``branch``) or one person (``self``: the person the principal is on that line, linked by the
grant). A narrowed grant is let into the RPCs of ``SCOPED`` only, and the service holding the data
narrows the answer or refuses the object (issue 25); every other RPC needs a whole-line grant.

A token is ``kam_<id>_<secret>``: the id finds it, the secret proves it. Only the secret's SHA-256
is stored (the secret is 32 random bytes: a slow hash adds nothing against guessing it), it is
shown once, it expires, and it can be revoked.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

ROLES = ("reader", "clerk", "manager", "admin")
SCOPES = ("line", "branch", "self")
LINE, BRANCH, SELF = SCOPES
EVERY_LINE = "*"
TOKEN_PREFIX = "kam"
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 366

# (service, method) -> (role needed, name of the argument holding the business line, or None)
_READ, _CLERK, _MANAGE, _ADMIN = ROLES
ACTIONS: dict[tuple[str, str], tuple[str, str | None]] = {
    **{
        ("intake", m): (_CLERK, "business_line")
        for m in (
            "record_opportunity",
            "post_follow_up",
            "record_loss_review",
            "record_deal",
            "record_collection",
            "record_contract",
            "record_loan",
            "record_portfolio",
            "record_kpi",
            "record_complaint",
            "record_visit_plan",
            "record_visit",
            "record_development_plan",
            "record_feedback_request",
            "record_budget",
            "record_expense",
            "record_attendance",
            "record_featured_service",
            "record_case",
            "record_survey",
            "record_work_plan",
            "record_call_log",
            "record_incident",
            "record_standard_check",
            "record_appraisal",
            "record_batch",
            "update_record",
        )
    },
    # the customer register is kept by clerks as opportunities are: customers come and go daily
    ("intake", "register_customer"): (_CLERK, "business_line"),
    # targets are the department manager's (001 第3、6条); anyone recording activity may ask for a
    # change, a manager other than the asker decides it (the service checks who asked)
    ("intake", "set_target"): (_MANAGE, "business_line"),
    # the line's working days decide when a plan is due: the manager's, as targets are
    ("intake", "register_calendar"): (_MANAGE, "business_line"),
    # a grade is proposed by one level and approved by another (002/CIB 第七条): managers'; the
    # service checks that the decider holds the approving role of the line's ladder
    ("intake", "record_appointment"): (_MANAGE, "business_line"),
    ("intake", "decide_appointment"): (_MANAGE, "business_line"),
    # the department manager reviews development plans (001 §1.1 权力1)
    ("intake", "decide_development_plan"): (_MANAGE, "business_line"),
    # a director or manager confirming an opportunity records activity, as a clerk does; the
    # service checks that the person named holds the confirming role (docs/rules.md §1.1)
    ("intake", "confirm_opportunity"): (_CLERK, "business_line"),
    ("intake", "request_target_change"): (_CLERK, "business_line"),
    ("intake", "decide_target_change"): (_MANAGE, "business_line"),
    **{("intake", m): (_ADMIN, "business_line") for m in ("register_branch", "register_person")},
    ("intake", "register_business_line"): (_ADMIN, None),
    # the rules pay is computed by, from a month on (docs/rules.md §9.1): the line's admin's
    ("intake", "set_line_rules"): (_ADMIN, "business_line"),
    ("intake", "line_rules"): (_READ, "business_line"),
    **{("intake", m): (_READ, "business_line") for m in ("get_record", "list_records", "record_counts")},
    # also let in on any line's grant (ON_ANY_LINE below): the answer is what the grants cover
    ("intake", "list_lines"): (_READ, None),
    **{("assessment", m): (_MANAGE, "business_line") for m in ("close_month", "reopen_month")},
    # a replay or a what-if reads every person's figures of the line: the manager's (docs/rules.md §9)
    **{
        (service, m): (_MANAGE, "business_line")
        for service in ("assessment", "compensation")
        for m in ("replay_period", "compare_period", "adjust_period", "answer_inquiry")
    },
    # the annual close (docs/rules.md §9.7): closed by the manager, read as the periods are
    **{(service, "close_year"): (_MANAGE, "business_line") for service in ("assessment", "compensation")},
    **{(service, "get_year"): (_READ, "business_line") for service in ("assessment", "compensation")},
    # a person questions their own lines (docs/rules.md §9.6): anyone who may read them
    **{
        (service, m): (_READ, "business_line")
        for service in ("assessment", "compensation")
        for m in ("raise_inquiry", "list_inquiries")
    },
    **{
        ("assessment", m): (_READ, "business_line")
        for m in ("get_sheet", "sheet_history", "projection_status", "projection_versions", "list_periods")
    },
    **{
        ("compensation", m): (_MANAGE, "business_line")
        for m in ("run_quarter", "reopen_quarter", "run_month", "reopen_month")
    },
    **{
        ("compensation", m): (_READ, "business_line")
        for m in (
            "get_run",
            "get_statement",
            "get_run_lines",
            "get_month",
            "get_month_statement",
            "get_month_lines",
            "month_history",
            "run_history",
            "list_periods",
            "projection_status",
            "projection_versions",
        )
    },
    ("escalation", "sweep"): (_MANAGE, "business_line"),
    # warnings before a breach (docs/rules.md §8): announced by the daily timer, or asked for
    ("escalation", "warn"): (_MANAGE, "business_line"),
    **{
        ("escalation", m): (_READ, "business_line")
        for m in (
            "get_assignment",
            "tier_counts",
            "projection_versions",
            "list_escalations",
            "list_deadlines",
        )
    },
    ("notify", "send_weekly_bulletin"): (_MANAGE, "business_line"),
    ("notify", "retry_deliveries"): (_MANAGE, None),
    ("notify", "list_messages"): (_READ, "business_line"),
    ("notify", "list_deliveries"): (_READ, None),
}
# every service's audit trail (services.common.mixins): a line's admin reads the line's entries,
# an admin of every line reads them all
ACTIONS.update(
    {
        (service, "list_audit"): (_ADMIN, "business_line")
        for service in ("intake", "escalation", "assessment", "compensation", "notify")
    }
)
# RPCs any principal holding a role on some line may call; the service answers only what the
# caller's grants cover (intake.list_lines: the lines one may see)
ON_ANY_LINE = frozenset({("intake", "list_lines")})
# RPCs a grant narrowed to a branch or to oneself may call: each service answers only the people
# the grant reaches (services.common.access.reach) and refuses another's object by name. Reads of
# a person's figures and requests, and the acts on one person's target, plan or opportunity.
SCOPED = frozenset(
    {
        ("intake", "get_record"),
        ("intake", "list_records"),
        ("intake", "list_lines"),
        ("intake", "set_target"),
        ("intake", "request_target_change"),
        ("intake", "decide_target_change"),
        ("intake", "decide_development_plan"),
        ("intake", "confirm_opportunity"),
        ("assessment", "get_sheet"),
        ("assessment", "list_periods"),
        ("compensation", "list_periods"),
        ("compensation", "get_run"),
        ("compensation", "get_statement"),
        ("compensation", "get_run_lines"),
        *(
            (service, m)
            for service in ("assessment", "compensation")
            for m in ("raise_inquiry", "list_inquiries")
        ),
        ("compensation", "get_month"),
        ("compensation", "get_month_statement"),
        ("compensation", "get_month_lines"),
        ("escalation", "get_assignment"),
        ("escalation", "list_escalations"),
        ("escalation", "list_deadlines"),
        ("notify", "list_messages"),
    }
)
# every service's operators' RPCs (services.common.mixins): parked events are any line's
OPERATIONS = {"list_parked": _ADMIN, "get_parked": _ADMIN, "replay_parked": _ADMIN, "drop_parked": _ADMIN}
# records whose change is a change of the organisation, not of sales activity
ROSTER_KINDS = frozenset({"business_line", "branch", "person"})


def needed(service: str, method: str, kind: str | None = None) -> tuple[str, str | None]:
    """(role, line argument) an RPC call needs. A write of a roster record through the generic
    record_batch/update_record is a roster change: admin. Unknown methods need admin, so a new
    RPC is closed until it is placed here."""
    if method in OPERATIONS:
        return OPERATIONS[method], None
    role, line_arg = ACTIONS.get((service, method), (_ADMIN, None))
    if role == _CLERK and kind in ROSTER_KINDS:
        role = _ADMIN
    return role, line_arg


def role_on(grants: Mapping[str, str], business_line: str | None) -> str | None:
    """The highest role the grants give on a line (a grant on every line counts everywhere);
    on no particular line, only a grant on every line counts."""
    held = [grants.get(EVERY_LINE)]
    if business_line is not None:
        held.append(grants.get(business_line))
    held = [r for r in held if r in ROLES]
    return max(held, key=ROLES.index) if held else None


def allows(grants: Mapping[str, str], business_line: str | None, role: str) -> bool:
    have = role_on(grants, business_line)
    return have is not None and ROLES.index(have) >= ROLES.index(role)


@dataclass(frozen=True)
class Reach:
    """What of a line one call may touch: the whole line, one branch's people, or one person.
    ``person`` is who the principal is on the line (a grant of any scope may link one)."""

    scope: str = LINE
    branch: str | None = None
    person: str | None = None

    @property
    def whole(self) -> bool:
        return self.scope == LINE

    def covers(self) -> str:
        """What a narrowed reach covers, as a refusal says it: ``branch 'b1'``, ``person 'p1'``."""
        return f"branch {self.branch!r}" if self.scope == BRANCH else f"person {self.person!r}"

    def text(self) -> str:
        """Compact, for a message header and the audit trail: ``line``, ``branch:b1``, ``self:p1``."""
        if self.scope == BRANCH:
            return f"{BRANCH}:{self.branch}"
        if self.scope == SELF:
            return f"{SELF}:{self.person}"
        return LINE if self.person is None else f"{LINE}:{self.person}"

    @classmethod
    def parse(cls, text: object) -> Reach:
        scope, _, who = str(text or LINE).partition(":")
        if scope == BRANCH:
            return cls(BRANCH, branch=who)
        if scope == SELF:
            return cls(SELF, person=who)
        return cls(LINE, person=who or None)


WHOLE_LINE = Reach()


def reach_on(
    scopes: Mapping[str, Mapping[str, Any]], grants: Mapping[str, str], line: str | None, role: str = "reader"
) -> Reach:
    """The reach of a call needing ``role`` on ``line``: whole if a grant on every line gives the
    role, else the line's grant's scope. ``scopes``: {line: {scope, branch, person}} for grants
    narrowed or linked to a person."""
    detail = scopes.get(line) if line is not None else None
    if not detail:
        return WHOLE_LINE
    person = detail.get("person")
    if allows({EVERY_LINE: grants.get(EVERY_LINE, "")}, None, role):
        return Reach(LINE, person=person)
    return Reach(detail.get("scope", LINE), branch=detail.get("branch"), person=person)


@dataclass(frozen=True)
class NewToken:
    token_id: str
    text: str  # what the holder sends: shown once, never stored
    secret_hash: str
    expires_at: datetime


def new_token(now: datetime, days: int = DEFAULT_TOKEN_DAYS) -> NewToken:
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValueError(f"a token lives 1 to {MAX_TOKEN_DAYS} days, not {days}")
    token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    return NewToken(
        token_id, f"{TOKEN_PREFIX}_{token_id}_{secret}", secret_hash(secret), now + timedelta(days=days)
    )


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def parse_token(text: object) -> tuple[str, str] | None:
    """(token id, secret) of a token's text, or None if it is not one."""
    if not isinstance(text, str):
        return None
    if text.lower().startswith("bearer "):
        text = text[7:].strip()
    prefix, _, rest = text.partition("_")
    token_id, _, secret = rest.partition("_")
    if prefix != TOKEN_PREFIX or len(token_id) != 16 or not secret:
        return None
    return token_id, secret


def token_valid(
    stored_hash: str, secret: str, expires_at: datetime, revoked_at: datetime | None, now: datetime
) -> bool:
    """The secret matches (compared in constant time), the token has not expired nor been revoked."""
    return hmac.compare_digest(stored_hash, secret_hash(secret)) and revoked_at is None and now < expires_at
