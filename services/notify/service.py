"""notify: renders bulletins, notices, monthly sheets and statements, and delivers them.

Events in:  intake.record_changed, intake.records_changed (opportunity, follow_up, and the
            lines and people notices are worded with: services/notify/vocabulary.py),
            escalation.owner_assigned, escalation.warning_due,
            escalation.opportunity_escalated, assessment.month_closed, compensation.quarter_closed,
            compensation.period_stale
RPC:
    send_weekly_bulletin(as_of, business_line=None)   docs/rules.md §1.1; once per line and ISO week
    list_messages(business_line=None, kind=None)
    list_deliveries(status=None)
    retry_deliveries(as_of_now=None)                  deliver what is due now (the timer does this)
Timers: the weekly bulletin (every 7 days) and delivery retries (every 10 s).
Every message is made once (keyed by its source event, or line + week for a bulletin) and
delivered on every configured channel (channels.py); each attempt is logged on its Delivery row
and failures are retried with exponential back-off up to NOTIFY_MAX_ATTEMPTS. A delivery is claimed
under a lease before it is sent, so the retry timer (of any instance) never sends it twice.
Like every service (services.common.mixins): list_parked / get_parked / replay_parked /
drop_parked for the events it parked in ``notify.parked``, list_audit over its append-only audit
trail, and the access projection; handlers apply only the suite's own events, once each
(services.common.messaging.entrypoints); RPCs answer only SuiteErrors.
Tables: models.py.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from nameko.dependency_providers import Config
from nameko.timer import timer
from sqlalchemy import case, update
from sqlalchemy.exc import IntegrityError

from services.common import mixins  # a module: `nameko run` would run a mixin class found here
from services.common.access.caller import Caller, reach_of
from services.common.access.reach import reaches
from services.common.messaging.entrypoints import handles
from services.common.messaging.rpc import api, validated
from services.common.storage.db import ServiceDatabase, utcnow
from services.common.storage.projection import each_change
from services.common.storage.uow import UnitsOfWork
from services.common.storage.upsert import insert_ignore
from services.common.telemetry import Telemetry
from wire import events as E

from . import templates as T
from . import vocabulary
from .channels import Channels
from .models import TABLES, AccessPrincipal, Base, Delivery, Message, Opportunity, Person
from .schemas import Bulletin, DeliveryQuery, MessageQuery, Retry

DEFAULT_MAX_ATTEMPTS = 8
SEND_LEASE = timedelta(seconds=120)  # a claimed delivery is not sent again before this has passed


class NotifyService(mixins.AccessProjection, mixins.DeadLetters, mixins.AuditTrail):
    name = E.NOTIFY
    tables = TABLES
    uow = UnitsOfWork()  # every change with its audit entry (notify announces no events)
    telemetry = Telemetry()  # counts, latencies, /metrics /livez /readyz (services.common.telemetry)
    AccessPrincipal = AccessPrincipal  # for AccessProjection
    caller = Caller()  # a narrowed grant reads the bulletins and the notices about its people

    db = ServiceDatabase(Base)
    channels = Channels()
    config = Config()

    # --- projection for the bulletin ----------------------------------------------------------

    # Every change below is an upsert or a conditional/atomic UPDATE: two handlers touching the
    # same opportunity at once (its record and its assignment arrive together) both land.

    @handles(E.INTAKE, E.RECORD_CHANGED)
    def on_record_changed(self, payload):
        if payload.get("kind") not in {"opportunity", "follow_up", "business_line", "person"}:
            return
        with self.uow() as u:
            if not self._first(u, payload):
                return
            for change in each_change(payload):  # a batch's records all in this one transaction
                doc, line = change["record"], change["business_line"]
                if change["kind"] in ("business_line", "person"):
                    vocabulary.remember(u.session, change)
                elif change["kind"] == "opportunity":
                    self._set(
                        line,
                        doc["id"],
                        Opportunity.version < change["version"],
                        version=change["version"],
                        doc=doc,
                    )
                else:
                    day = date.fromisoformat(doc["date"])
                    self._set(
                        line,
                        doc["opportunity"],
                        None,
                        last_follow_up=case(
                            (Opportunity.last_follow_up.is_(None), day),
                            (Opportunity.last_follow_up < day, day),
                            else_=Opportunity.last_follow_up,
                        ),
                    )

    @handles(E.INTAKE, E.RECORDS_CHANGED)
    def on_records_changed(self, payload):
        self.on_record_changed(payload)

    def _set(self, line, key, condition, **values):
        """Make sure the opportunity's row exists, then update it in one statement (where
        ``condition`` holds); returns whether it was updated."""
        session = self.db.session
        session.execute(
            insert_ignore(
                session,
                Opportunity,
                dict(business_line=line, id=key, version=0, escalations=0, in_bulletin=False),
            )
        )
        where = [Opportunity.business_line == line, Opportunity.id == key]
        if condition is not None:
            where.append(condition)
        return session.execute(
            update(Opportunity).where(*where).values(**values).execution_options(synchronize_session=False)
        ).rowcount

    @staticmethod
    def _first(u, payload):
        return u.first_time(payload["event_id"], "notify")

    # --- notices --------------------------------------------------------------------------

    @handles(E.ESCALATION, E.OWNER_ASSIGNED)
    def on_owner_assigned(self, payload):
        with self.uow() as u:
            if not self._first(u, payload):
                return
            n = payload.get("assignment")
            newer = None if n is None else Opportunity.assignment < n
            changed = self._set(
                payload["business_line"],
                payload["opportunity"],
                newer,
                tier=payload["tier"],
                owner=payload["owner"],
                owner_role=payload["owner_role"],
                in_bulletin=payload["in_bulletin"],
                **({} if n is None else {"assignment": n}),
            )
            if not changed:  # an older assignment after a newer one (a retried delivery): the newer
                return  # stands, and nobody is told of an owner who no longer is
            self._make(
                u,
                payload["event_id"],
                payload["business_line"],
                kind="owner_assigned",
                doc=T.owner_assigned(payload, self._words(payload, "owner")),
                data=payload,
            )

    @handles(E.ESCALATION, E.OPPORTUNITY_ESCALATED)
    def on_escalated(self, payload):
        with self.uow() as u:
            if not self._first(u, payload):
                return
            self._set(
                payload["business_line"],
                payload["opportunity"],
                None,
                escalations=Opportunity.escalations + 1,
            )
            self._make(
                u,
                payload["event_id"],
                payload["business_line"],
                kind="escalation",
                doc=T.escalated(payload, self._words(payload, "owner", "person")),
                data=payload,
            )

    @handles(E.ESCALATION, E.DEADLINE_ESCALATED)
    def on_deadline_escalated(self, payload):
        """A case's step past its due day, told to the rung reached (docs/rules.md §10.2)."""
        with self.uow() as u:
            if self._first(u, payload):
                self._make(
                    u,
                    payload["event_id"],
                    payload["business_line"],
                    kind="escalation",
                    doc=T.deadline_escalated(payload, self._words(payload, "owner", "person")),
                    data=payload,
                )

    @handles(E.ASSESSMENT, E.MONTH_CLOSED)
    def on_month_closed(self, payload):
        with self.uow() as u:
            if self._first(u, payload):
                self._make(
                    u,
                    payload["event_id"],
                    payload["business_line"],
                    # a month's sheet, or the year's result (docs/rules.md §9.7)
                    kind="monthly_sheet" if "-" in payload["period"] else "annual_result",
                    doc=T.period_closed(
                        payload,
                        *(
                            ("月度考核扣分表", "monthly penalty sheet")
                            if "-" in payload["period"]
                            else ("年度考核结果", "the year's assessment")
                        ),
                        self._words(payload),
                    ),
                    data=payload,
                )

    @handles(E.COMPENSATION, E.QUARTER_CLOSED)
    def on_quarter_closed(self, payload):
        with self.uow() as u:
            if self._first(u, payload):
                self._make(
                    u,
                    payload["event_id"],
                    payload["business_line"],
                    # a month's pay of a line paid by the month (docs/rules.md §9.4), or a quarter's
                    kind=_PAY_KINDS[_pay_period(payload["period"])][0],
                    doc=T.period_closed(
                        payload,
                        *_PAY_KINDS[_pay_period(payload["period"])][1:],
                        self._words(payload),
                    ),
                    data=payload,
                )

    @handles(E.COMPENSATION, E.PERIOD_STALE)
    def on_period_stale(self, payload):
        with self.uow() as u:
            if self._first(u, payload):
                self._make(
                    u,
                    payload["event_id"],
                    payload["business_line"],
                    kind="stale_statement",
                    doc=T.period_stale(payload),
                    data=payload,
                )

    @handles(E.ASSESSMENT, E.WARNING_DUE)
    def on_points_inquiry_warning(self, payload):
        """An inquiry on a month's points waiting for its answer (docs/rules.md §9.6)."""
        self.on_warning(payload)

    @handles(E.COMPENSATION, E.WARNING_DUE)
    def on_pay_inquiry_warning(self, payload):
        """An inquiry on pay waiting for its answer (docs/rules.md §9.6)."""
        self.on_warning(payload)

    @handles(E.ESCALATION, E.WARNING_DUE)
    def on_warning(self, payload):
        """A warning before a breach (kamkit.warnings): one message per warning, however often
        it is announced, to the people it names."""
        with self.uow() as u:
            if self._first(u, payload):
                self._make(
                    u,
                    f"warning:{payload['business_line']}:{payload['dedup']}",
                    payload["business_line"],
                    kind="warning",
                    doc=T.warning(payload, self._words(payload, "person", people=payload["tell"])),
                    data=payload,
                )

    def _words(self, payload, *fields, people=()):
        """The line's vocabulary for the people a payload names (all of them: a sheet's totals)."""
        line = payload["business_line"]
        if not fields and not people:
            return vocabulary.of(self.db.session, line, people=set(payload.get("totals") or ()))
        named = {payload.get(f) for f in fields} | set(people)
        return vocabulary.of(self.db.session, line, people=named)

    # --- the weekly bulletin -------------------------------------------------------------

    @api
    def send_weekly_bulletin(self, as_of, business_line=None):
        args = validated(Bulletin, as_of=as_of, business_line=business_line)
        day, business_line = args["as_of"], args["business_line"]
        session = self.db.session
        lines = (
            [business_line]
            if business_line
            else [
                r[0]
                for r in session.query(Opportunity.business_line)
                .distinct()
                .order_by(Opportunity.business_line)
            ]
        )
        year, week, _ = day.isocalendar()
        made = []
        for line in lines:
            rows = [
                self._bulletin_row(o, day)
                for o in session.query(Opportunity)
                .filter_by(business_line=line, in_bulletin=True)
                .order_by(Opportunity.id)
                if o.doc and o.doc.get("status", "open") == "open"
            ]
            rows.sort(key=lambda r: (-Decimal(r["amount"]), r["opportunity"]))  # biggest first
            words = vocabulary.of(session, line, people={r["owner"] for r in rows})
            doc = T.weekly_bulletin(line, day.isoformat(), rows, words)
            with self.uow() as u:
                message = self._make(
                    u,
                    f"bulletin:{line}:{year}-W{week:02d}",
                    line,
                    kind="weekly_bulletin",
                    doc=doc,
                    data={"as_of": day.isoformat(), "rows": rows},
                    audited={"subject": doc.title, "as_of": day.isoformat(), "opportunities": len(rows)},
                )
            made.append({"business_line": line, "message": message, "opportunities": len(rows)})
        return made

    @staticmethod
    def _bulletin_row(o, day):
        last = o.last_follow_up
        since = (day - (last or date.fromisoformat(o.doc.get("entered") or o.doc["discovered"]))).days
        return {
            "opportunity": o.id,
            "amount": str(o.doc["amount"]),
            "lines": o.doc.get("lines", 0),
            "tier": o.tier,
            "owner": o.owner,
            "last_follow_up": last.isoformat() if last else None,
            "days_since": since,
            "escalations": o.escalations,
        }

    @timer(interval=7 * 24 * 3600)
    def weekly(self):
        self.send_weekly_bulletin(date.today())

    # --- messages and deliveries ----------------------------------------------------------

    def _make(self, u, dedup, line, *, kind, doc, data, audited=None):
        """Store the message once with a pending delivery per channel in the unit of work ``u``,
        commit, then deliver. A message someone asked for (``audited``: what the audit entry
        says it holds) is recorded in the audit trail in the same transaction."""
        session = u.session
        existing = session.query(Message).filter_by(dedup=dedup).one_or_none()
        if existing is not None:
            u.commit()
            return existing.id
        message = Message(
            dedup=dedup,
            business_line=line,
            kind=kind,
            subject=doc.title,
            markdown=T.to_markdown(doc),
            html=T.to_html(doc),
            data=data,
        )
        session.add(message)
        session.flush()
        for name in sorted(self.channels):
            session.add(Delivery(message_id=message.id, channel=name))
        if audited is not None:
            u.audit(business_line=line, target=f"message:{dedup}", after=audited)
        try:
            u.commit()
        except IntegrityError:  # made by another worker at the same moment
            u.rollback()
            return session.query(Message).filter_by(dedup=dedup).one().id
        self._deliver(
            [d.id for d in session.query(Delivery.id).filter_by(message_id=message.id).order_by(Delivery.id)]
        )
        return message.id

    def _deliver(self, ids, now=None):
        """Send each delivery this worker claims. The claim (a conditional UPDATE, committed
        before sending) moves its next attempt a lease ahead, so the retry timer of this or
        another instance does not send it too while it is on its way; a sender that dies
        leaves it to be retried when the lease ends. Returns how many were attempted."""
        session = self.db.session
        max_attempts = int(self.config.get("NOTIFY_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))
        attempted = 0
        for delivery_id in ids:
            now_ = now or utcnow()
            claimed = session.execute(
                update(Delivery)
                .where(
                    Delivery.id == delivery_id,
                    Delivery.status.in_(("pending", "retrying")),
                    Delivery.next_attempt <= now_,
                )
                .values(next_attempt=now_ + SEND_LEASE, attempts=Delivery.attempts + 1)
                .execution_options(synchronize_session=False)
            ).rowcount
            session.commit()
            if not claimed:
                continue
            attempted += 1
            d = session.get(Delivery, delivery_id)
            try:
                self.channels[d.channel].send(session.get(Message, d.message_id))
            except Exception as exc:  # any channel failure is logged and retried, never lost
                d.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                d.status = "failed" if d.attempts >= max_attempts else "retrying"
                d.next_attempt = utcnow() + timedelta(seconds=min(3600, 2**d.attempts))
            else:
                d.status, d.sent_at, d.last_error = "sent", utcnow(), None
            session.commit()
        return attempted

    @timer(interval=10)
    def retry_due(self):
        self.retry_deliveries()

    @api
    def retry_deliveries(self, as_of_now=None):
        """Attempt every delivery that is retrying and due (``as_of_now``: ISO datetime, for tests)."""
        now = validated(Retry, as_of_now=as_of_now)["as_of_now"] or utcnow()
        due = [
            d.id
            for d in self.db.session.query(Delivery.id)
            .filter(Delivery.status.in_(("pending", "retrying")), Delivery.next_attempt <= now)
            .order_by(Delivery.id)
        ]
        return self._deliver(due, now)

    @api
    def list_messages(self, business_line=None, kind=None):
        validated(MessageQuery, business_line=business_line, kind=kind)
        rows = self.db.session.query(Message)
        if business_line:
            rows = rows.filter_by(business_line=business_line)
        if kind:
            rows = rows.filter_by(kind=kind)
        reach = reach_of(self.caller)
        if not reach.whole:
            rows = [m for m in rows.order_by(Message.id) if self._within(reach, m)]
        else:
            rows = rows.order_by(Message.id)
        return [
            {
                "id": m.id,
                "business_line": m.business_line,
                "kind": m.kind,
                "subject": m.subject,
                "markdown": m.markdown,
            }
            for m in rows
        ]

    # the notices that name people; a bulletin is circulated to the whole line (通报), a
    # sheet's or statement's notice holds everyone's totals: a whole-line grant's only
    _ABOUT_PEOPLE = frozenset({"owner_assigned", "escalation", "warning"})

    def _within(self, reach, message) -> bool:
        if message.kind == "weekly_bulletin":
            return True
        if message.kind not in self._ABOUT_PEOPLE:
            return False
        data = message.data or {}
        about = data.get("opportunity")
        o = self.db.session.get(Opportunity, (message.business_line, about)) if about else None
        branch = (o.doc or {}).get("branch") if o is not None else None
        named = (data.get("owner"), data.get("person"), data.get("confirmer"), *(data.get("tell") or ()))
        for who in named:
            if who is None:
                continue
            # a notice about an opportunity is its branch's; a warning about a plan or a change,
            # the branch of the person it concerns
            where = branch
            if where is None:
                person = self.db.session.get(Person, (message.business_line, who))
                where = person.branch if person is not None else None
            if reaches(reach, person=who, branch=where):
                return True
        return False

    @api
    def list_deliveries(self, status=None):
        validated(DeliveryQuery, status=status)
        rows = self.db.session.query(Delivery)
        if status:
            rows = rows.filter_by(status=status)
        return [
            {
                "message": d.message_id,
                "channel": d.channel,
                "status": d.status,
                "attempts": d.attempts,
                "last_error": d.last_error,
            }
            for d in rows.order_by(Delivery.id)
        ]


# what compensation closes, by the period's form: (message kind, zh, en)
_PAY_KINDS = {
    "quarter": ("quarterly_statement", "季度提成奖金结算", "quarterly commission statement"),
    "month": ("monthly_pay", "月度薪酬结算", "monthly pay statement"),
    "year": ("annual_pay", "年度薪酬汇总", "the year's pay"),
}


def _pay_period(period: str) -> str:
    return "quarter" if "Q" in period else "month" if "-" in period else "year"
