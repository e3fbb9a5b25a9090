"""What a period service is: assessment (months into sheets of points) and compensation
(quarters into statements of pay) share all of it but what they compute.

A period service keeps its own projection of intake's records (``record_changed`` and
``records_changed``, applied once each), closes a period into an immutable, versioned sheet of
explained lines (services.common.periods.ledger) after waiting for every change intake has sent
(services.common.periods.catch_up), reopens one with a reason, answers its sheets page by page,
and announces each new sheet. A subclass names its RPCs and says what a period's computation is;
each change goes through a unit of work (services.common.storage.uow).
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any, ClassVar

from nameko.dependency_providers import Config
from nameko.timer import timer

from kamkit.errors import ConfigError, Conflict, InvalidFacts, NotFound
from kamkit.periods import Month, Quarter, Year
from services.common import mixins
from services.common.access.caller import Caller, acting_principal, reach_of
from services.common.access.reach import outside, people_reached
from services.common.messaging import rpc_fields as f
from services.common.messaging.entrypoints import SafeRpcProxy, handles
from services.common.messaging.origin import SuiteDispatcher
from services.common.messaging.rpc import api, validated
from services.common.periods import adjustments, inquiries, replay, yearly
from services.common.periods.factstore import clock_now
from services.common.periods.ledger import CLOSED, STALE, Computed, recorded_rules, totals_of
from services.common.periods.models import PeriodModels
from services.common.periods.period_run import (
    LineRules,
    audit_reopen,
    caught_up,
    close_and_announce,
    facts_for,
    line_plugin,
    project,
    projection_counts,
    projection_versions,
)
from services.common.periods.schemas import InquiryAnswer, InquiryList, PeriodSchemas
from services.common.storage.db import request_hash, utcnow
from services.common.storage.outbox import send_outbox
from services.common.storage.projection import plugin_of
from services.common.storage.uow import Idempotency, UnitsOfWork
from services.common.telemetry import Telemetry
from wire import events as E


class PeriodService(mixins.AccessProjection, mixins.DeadLetters, mixins.AuditTrail):
    """The base of assessment and compensation. A subclass sets ``name``, ``db``
    (ServiceDatabase(models.base)), ``models``, ``schemas``, ``period_name`` ("month",
    "quarter"), ``closed_event`` and ``not_closed`` (what a missing sheet is called)."""

    models: ClassVar[PeriodModels]
    schemas: ClassVar[PeriodSchemas]
    period_name: ClassVar[str]
    closed_event: ClassVar[str]
    not_closed: ClassVar[str]

    dispatch = SuiteDispatcher()  # events under the service's broker user (services.common.messaging.origin)
    uow = UnitsOfWork()  # every change with its audit entry and events, published after commit
    telemetry = Telemetry()  # counts, latencies, /metrics /livez /readyz (services.common.telemetry)
    config = Config()
    intake = SafeRpcProxy(E.INTAKE)  # has every change arrived? (services.common.periods.catch_up)
    caller = Caller()  # how far the call reaches: a person's own lines, a branch's, the line's

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "models" in cls.__dict__:  # what the mixins and the unit of work read
            cls.tables, cls.AccessPrincipal = cls.models.tables, cls.models.access

    # --- the projection ---------------------------------------------------------------------

    @handles(E.INTAKE, E.RECORD_CHANGED)
    def on_record_changed(self, payload):
        with self.uow() as u:
            project(u, self.models, payload)

    @handles(E.INTAKE, E.RECORDS_CHANGED)
    def on_records_changed(self, payload):
        self.on_record_changed(payload)

    @api
    def projection_status(self, business_line):
        """Records held per kind for the line: lets a caller check the projection caught up."""
        validated(f.LineRef, business_line=business_line)
        return projection_counts(self.db.session, self.models.fact, business_line)

    @api
    def projection_versions(self, business_line):
        """Sum of record versions per kind, to compare with intake.record_counts."""
        validated(f.LineRef, business_line=business_line)
        return projection_versions(self.db.session, self.models.fact, business_line)

    @api
    def list_periods(self, business_line):
        """The line's closed periods, newest first, each with its newest version and status."""
        validated(f.LineRef, business_line=business_line)
        return self.models.ledger.periods(self.db.session, business_line)

    @api
    def replay_period(self, business_line, period, version=None):
        """Recompute a closed version (the newest, or ``version``) from the facts and rules it
        was closed on and answer "identical" or every line that differs (docs/rules.md §9.2).
        Nothing is stored. A plugin not installed, or installed at another version, is said,
        never used in its place."""
        q = self._arguments(self.schemas.replay, business_line=business_line, period=period, version=version)
        line, period = q["business_line"], q["period"]
        sheet = self._version(line, period, q["version"])
        if sheet.facts_seq is None or sheet.plugin_version is None:
            return replay.not_replayed(sheet, "closed before sheets recorded their rules and facts")
        try:
            plugin = plugin_of(sheet.plugin, sheet.parameters)
        except ConfigError as exc:
            return replay.not_replayed(sheet, f"the recorded plugin cannot be loaded as recorded: {exc}")
        if plugin.version != sheet.plugin_version:
            return replay.not_replayed(
                sheet,
                f"closed with {sheet.plugin} {sheet.plugin_version}; {plugin.version} is installed, "
                "and another version's rules are not this period's",
            )
        computed = self._compute(
            line,
            period,
            plugin,
            tick=sheet.facts_seq,
            carried_in=sheet.carried_in,
            sources=sheet.sources or (),
        )
        posted = [s["adjustment"] for s in sheet.sources or () if "adjustment" in s]
        computed = self._posted(line, period, computed, posted)
        return replay.replay_answer(self.db.session, self.models.ledger, sheet, computed)

    @api
    def compare_period(self, business_line, period, plugin=None, parameters=None, lines=False):
        """The period's stored facts computed under another plugin and/or parameters, set beside
        its closed version (or, not closed, beside the rules in force) person by person; nothing
        is stored (docs/rules.md §9.3). ``parameters`` apply over the base's when the plugin is
        the same, over the other plugin's defaults when not."""
        q = self._arguments(
            self.schemas.compare,
            business_line=business_line,
            period=period,
            plugin=plugin,
            parameters=parameters,
            lines=lines,
        )
        line, period = q["business_line"], q["period"]
        if isinstance(period, Year):
            raise Conflict("compare a year's months or quarters: a year sums them as closed", field="period")
        session = self.db.session
        rules = self._plugin(line, period)
        sheet = self.models.ledger.current(session, line, str(period))
        if sheet is not None and sheet.status == CLOSED and sheet.facts_seq is not None:
            tick, carried = sheet.facts_seq, sheet.carried_in
            base = {
                **recorded_rules(sheet),
                "version": sheet.version,
                "source": f"closed version {sheet.version}",
            }
            base_totals, base_blocks = sheet.totals, None
        else:
            tick, carried = clock_now(session, self.models.clock, line), self._carried_in(line, period)
            made = self._compute(line, period, rules.plugin, tick=tick, carried_in=carried, whole=True)
            base = {
                "plugin": rules.plugin.key,
                "plugin_version": rules.plugin.version,
                "parameters": dict(rules.rules.parameters),
                "version": None,
                "source": "not closed: computed now under the rules in force",
            }
            base_totals, base_blocks = totals_of(made.blocks), made.blocks
        key = q["plugin"] or base["plugin"]
        given = q["parameters"] or {}
        # the base's parameters, those given changed; another plugin: its defaults, those given changed
        wanted = {**(base["parameters"] or {}), **given} if key == base["plugin"] else given
        other = _other_plugin(key, wanted)
        if key != base["plugin"]:  # another plugin keeps a state of its own: its own, from the start
            carried = self._carried_under(line, period, other, tick)
        made = self._compute(line, period, other, tick=tick, carried_in=carried, whole=True)
        people = self._people_documents(line)
        answer = {
            "business_line": line,
            "period": str(period),
            "facts_tick": tick,
            "base": base,
            "other": {"plugin": other.key, "plugin_version": other.version, "parameters": dict(wanted)},
            **replay.side_by_side(base_totals, totals_of(made.blocks), people),
            "problems": other.people_problems(list(people.values())),
            "lines": None,
            "lines_left_out": "not asked for (lines=true)" if not q["lines"] else None,
        }
        if q["lines"]:
            answer.update(self._compared_lines(sheet, base_blocks, made.blocks))
        return answer

    @api
    def adjust_period(self, business_line, period, reason):
        """Correct a closed period without rewriting it (docs/rules.md §9.5): recompute it on the
        records as they are now, under the rules in force for it, and post the difference from
        what was stated, line by line, as adjustment lines of the next period not closed; the
        state it hands on follows. Nothing to correct: nothing stored, and said so."""
        q = self._arguments(self.schemas.adjust, business_line=business_line, period=period, reason=reason)
        line, period, reason = q["business_line"], q["period"], q["reason"].strip()
        return self._adjust(line, period, reason)

    def _adjust(self, line, period, reason, inquiry=None, then=None) -> dict[str, Any]:
        """Recompute ``period`` and every closed period standing on its carried state after it
        (each from the state the one before now hands on), and post each one's difference in the
        next open period; one adjustment row a period corrected."""
        session = self.db.session
        if isinstance(period, Year):
            raise Conflict("a year is corrected through its months or quarters", field="period")
        sheet = self._sheet(line, period)
        if sheet.status != CLOSED:
            raise Conflict(
                f"{period} is {sheet.status}: close it again, it needs no adjustment", field="period"
            )
        self._adjustable(line, period)
        target, chain = self._next_open(line, period)
        tick = clock_now(session, self.models.clock, line)
        steps, carried_in = [], sheet.carried_in
        for step_period, step_sheet in [(period, sheet), *chain]:
            step = self._difference(
                line,
                step_period,
                step_sheet,
                adjustments.Correction(
                    str(step_period),
                    step_sheet.version,
                    str(target),
                    reason if step_period == period else f"{reason} (the state {period} hands on)",
                ),
                tick=tick,
                carried_in=carried_in if step_period != period else sheet.carried_in,
            )
            steps.append(step)
            carried_in = step.carried_now
        lines = [l for step in steps for l in step.lines]
        carried = steps[-1].carried_changed
        answer = {
            "business_line": line,
            "period": str(period),
            "version": sheet.version,
            "target": str(target),
            "reason": reason,
            "facts_tick": tick,
            "through": [str(p) for p, _ in chain],
            "lines": [l.to_dict() for l in lines],
            "totals": totals_of(lines),
            "carried_out": carried,
        }
        if not any(step.lines or step.carried_changed is not None for step in steps):
            return {**answer, "adjusted": False, "why": "the records now give the figures stated"}
        with self.uow() as u:
            rows = [
                self.models.adjustment(
                    business_line=line,
                    period=step.correction.period,
                    version=step.correction.version,
                    target=str(target),
                    reason=step.correction.reason,
                    by=acting_principal(self.caller),
                    facts_seq=tick,
                    lines=[adjustments.stored_line(l) for l in step.lines],
                    carried_out=step.carried_changed,
                    inquiry=inquiry,
                )
                for step in steps
                if step.lines or step.carried_changed is not None
            ]
            u.session.add_all(rows)
            u.session.flush()
            answer = {**answer, "adjusted": True, "id": rows[0].id, "ids": [r.id for r in rows]}
            u.audit(
                business_line=line,
                target=f"sheet:{period}",
                period=str(period),
                after={k: answer[k] for k in ("ids", "version", "target", "through", "reason", "totals")},
            )
            if then is not None:  # what else the adjustment is part of (an inquiry's answer)
                then(u, answer)
            u.commit()
        return answer

    def _difference(self, line, period, sheet, correction, *, tick, carried_in) -> adjustments.Step:
        """One closed version recomputed on the records now from ``carried_in``, against what it
        stated with the adjustments of it already posted."""
        session, Adjustment = self.db.session, self.models.adjustment
        rules = self._plugin(line, period)
        made = self._compute(line, period, rules.plugin, tick=tick, carried_in=carried_in, whole=True)
        earlier = (
            session.query(Adjustment)
            .filter_by(business_line=line, period=str(period), version=sheet.version)
            .order_by(Adjustment.id)
            .all()
        )
        # its own lines: what other periods' adjustments posted in it is theirs, not recomputed here
        stored = [
            l for l in self.models.ledger.sheet_dict(session, sheet)["lines"] if l["kind"] != adjustments.KIND
        ]
        stated = adjustments.sums([*stored, *(l for a in earlier for l in a.lines)])
        now = adjustments.sums(replay.line_dicts(made.blocks))
        handed = next(
            (a.carried_out for a in reversed(earlier) if a.carried_out is not None), sheet.carried_out
        )
        changed = made.carried_out if (made.carried_out or None) != (handed or None) else None
        return adjustments.Step(
            correction, adjustments.difference_lines(stated, now, correction), made.carried_out, changed
        )

    # --- inquiries (docs/rules.md §9.6) --------------------------------------------------------

    @api
    def raise_inquiry(self, business_line, period, inquiry, idempotency_key=None):
        """A person questions a line of their sheet or statement of ``period`` (``line``: its place
        in their statement, from 0) or says a record is missing (``record``), with a reason code
        and what is wrong. The person themself (a grant narrowed to oneself), or a clerk for them.
        A retry with the same idempotency key has one effect."""
        q = self._arguments(
            self.schemas.inquiry,
            business_line=business_line,
            period=period,
            inquiry=inquiry,
            idempotency_key=idempotency_key,
        )
        line, period, body = q["business_line"], q["period"], q["inquiry"]
        self._within_reach(line, body["person"], "inquiry.person")
        key = q["idempotency_key"]
        call = None
        if key is not None:
            digest = request_hash("raise_inquiry", [line, str(period), body])
            call = Idempotency(f"{line}:{key}", "raise_inquiry", digest)
        with self.uow(call) as u:
            earlier = u.earlier_answer()
            if earlier is not None:
                return earlier
            sheet = self._sheet(line, period)
            quoted = None
            if body["line"] is not None:
                mine = self.models.ledger.sheet_dict(u.session, sheet, person=body["person"])["lines"]
                if body["line"] >= len(mine):
                    raise NotFound(
                        f"{body['person']!r} has {len(mine)} lines in {period} v{sheet.version}",
                        field="inquiry.line",
                    )
                quoted = mine[body["line"]]
            row = self.models.inquiry(
                business_line=line,
                period=str(period),
                version=sheet.version,
                person=body["person"],
                line=body["line"],
                quoted=quoted,
                record=body["record"],
                reason_code=body["reason_code"],
                text=body["text"].strip(),
                raised_by=acting_principal(self.caller),
            )
            u.session.add(row)
            u.session.flush()
            answer = inquiries.inquiry_dict(row)
            u.audit(business_line=line, target=f"inquiry:{row.id}", period=str(period), after=answer)
            return u.answer(answer)

    @api
    def answer_inquiry(self, business_line, inquiry, decision, answer):
        """The line's manager answers an open inquiry: ``reject`` with why, or ``accept``, which
        posts the correction as an adjustment (§9.5) in the same change — refused while the
        records still give the figures stated (correct them first)."""
        q = validated(
            InquiryAnswer, business_line=business_line, inquiry=inquiry, decision=decision, answer=answer
        )
        line, Inquiry = q["business_line"], self.models.inquiry
        row = self.db.session.query(Inquiry).filter_by(business_line=line, id=q["inquiry"]).one_or_none()
        if row is None:
            raise NotFound(f"no inquiry {q['inquiry']} on {line!r}", field="inquiry")
        if row.status != inquiries.OPEN:
            raise Conflict(
                f"inquiry {row.id} was {row.status} on {row.answered_at:%Y-%m-%d}", field="inquiry"
            )
        who, text = acting_principal(self.caller), q["answer"].strip()

        def close_it(u, adjusted=None):
            found = u.session.get(Inquiry, row.id, with_for_update=True)
            if found.status != inquiries.OPEN:  # answered meanwhile by someone else
                raise Conflict(f"inquiry {row.id} was answered meanwhile", field="inquiry")
            before = inquiries.inquiry_dict(found)
            found.status = inquiries.ACCEPTED if adjusted else inquiries.REJECTED
            found.answered_by, found.answered_at, found.answer = who, utcnow(), text
            found.adjustment = adjusted["id"] if adjusted else None
            u.audit(
                business_line=line,
                target=f"inquiry:{row.id}",
                period=row.period,
                before=before,
                after=inquiries.inquiry_dict(found),
            )
            return found

        if q["decision"] == "reject":
            with self.uow() as u:
                found = close_it(u)
                u.commit()
                return {**inquiries.inquiry_dict(found), "adjusted": None}
        period = self._period_of(row.period)
        reason = f"inquiry {row.id} ({row.reason_code}): {text}"
        adjusted = self._adjust(line, period, reason, inquiry=row.id, then=close_it)
        if not adjusted["adjusted"]:
            raise Conflict(
                f"the records still give {row.period}'s figures: correct them, then accept", field="decision"
            )
        found = self.db.session.get(Inquiry, row.id)
        return {**inquiries.inquiry_dict(found), "adjusted": adjusted}

    @api
    def list_inquiries(self, business_line, status=None, person=None):
        """The line's inquiries, newest first (of one status, of one person); a grant narrowed to
        a branch or oneself sees its people's only."""
        q = validated(InquiryList, business_line=business_line, status=status, person=person)
        Inquiry = self.models.inquiry
        rows = self.db.session.query(Inquiry).filter_by(business_line=q["business_line"])
        if q["status"]:
            rows = rows.filter_by(status=q["status"])
        if q["person"]:
            self._within_reach(q["business_line"], q["person"], "person")
            rows = rows.filter_by(person=q["person"])
        reach = reach_of(self.caller)
        if not reach.whole:
            rows = rows.filter(Inquiry.person.in_(sorted(self._people_reached(q["business_line"], reach))))
        return [inquiries.inquiry_dict(r) for r in rows.order_by(Inquiry.id.desc()).limit(500)]

    @timer(interval=3600)
    def warn_of_old_inquiries(self):
        """Hourly: an inquiry open for the line's ``approval_wait_days`` is warned of, once."""
        self._warn_inquiries(utcnow())

    def _warn_inquiries(self, now) -> list[dict[str, Any]]:
        """Warn (event warning_due, what "inquiry") of every open inquiry waiting ``approval_wait_days``
        or more, to the person and, with ``warn_manager``, the rung above them (docs/rules.md §9.6)."""
        Inquiry, sent = self.models.inquiry, []
        waiting = (
            self.db.session.query(Inquiry)
            .filter_by(status=inquiries.OPEN)
            .filter(Inquiry.warned_at.is_(None))
            .order_by(Inquiry.id)
            .all()
        )
        for row in waiting:
            params = self._plugin(row.business_line).plugin.params
            wait = int(params.get("approval_wait_days", 0) or 0)
            if wait <= 0 or now < row.raised_at + timedelta(days=wait):
                continue
            tell = [row.person]
            manager = self._manager_of(row.business_line, row.person) if params.get("warn_manager") else None
            tell += [manager] if manager and manager != row.person else []
            event = E.make_event(
                E.WARNING_DUE,
                business_line=row.business_line,
                what="inquiry",
                key=str(row.id),
                person=row.person,
                tell=tell,
                due=(row.raised_at + timedelta(days=wait)).date().isoformat(),
                dedup=f"inquiry:{self.name}:{row.id}",
                clause=inquiries.CLAUSE,
                inputs={
                    "period": row.period,
                    "reason_code": row.reason_code,
                    "waiting_since": row.raised_at.isoformat(timespec="seconds"),
                    "wait_days": wait,
                },
                as_of=now.date().isoformat(),
            )
            with self.uow() as u:
                found = u.session.get(Inquiry, row.id, with_for_update=True)
                if found.warned_at is not None or found.status != inquiries.OPEN:
                    continue  # another instance warned, or it was answered meanwhile
                found.warned_at = now
                u.emit(E.WARNING_DUE, event)
                u.audit("warn", business_line=row.business_line, target=f"inquiry:{row.id}", after=event)
                u.commit()
            sent.append({k: event[k] for k in ("what", "key", "person", "tell", "due")})
        return sent

    def _manager_of(self, business_line, person) -> str | None:
        """The holder of the rung of the line's ladder above the person's role, in their branch (a
        holder of no branch, else); None at the top or when vacant."""
        people = self._people_documents(business_line)
        me = people.get(person) or {}
        ladder = self._plugin(business_line).plugin.ladder
        if me.get("role") not in ladder or ladder.index(me["role"]) + 1 >= len(ladder):
            return None
        above = ladder[ladder.index(me["role"]) + 1]
        holders = sorted(k for k, d in people.items() if d.get("role") == above)
        here = [k for k in holders if people[k].get("branch") == me.get("branch")]
        anywhere = [k for k in holders if not people[k].get("branch")]
        return (here or anywhere or [None])[0]

    def _within_reach(self, business_line, person, field) -> None:
        reach = reach_of(self.caller)
        if not reach.whole and person not in self._people_reached(business_line, reach):
            raise outside(reach, what=f"person {person!r}", field=field)

    def _period_of(self, text):
        """A stored period label back as the period it is (a month or a quarter)."""
        return (Quarter if "Q" in text else Month if "-" in text else Year).parse(text)

    def _adjustable(self, business_line, period) -> None:
        """Whether ``period`` may be adjusted (compensation refuses a quarter made of months)."""

    def _next_open(self, business_line, period):
        """(the first period after ``period`` of its kind whose current version is not closed,
        the closed ones between that stand on its carried state: [(period, sheet)]). An adjustment
        is posted in the first; the others are recomputed from the corrected state (a quarter's)."""
        ledger, nxt, chain = self.models.ledger, period.next(), []
        for _ in range(120):
            sheet = ledger.current(self.db.session, business_line, str(nxt))
            if sheet is None or sheet.status not in (CLOSED, STALE):
                return nxt, chain
            if sheet.status == STALE:
                raise Conflict(f"{nxt} is stale: run it again before adjusting {period}", field="period")
            if self._carries(period):
                chain.append((nxt, sheet))
            nxt = nxt.next()
        raise Conflict(f"no period after {period} is open", field="period")

    def _carries(self, period) -> bool:
        """Whether a later period starts from the state ``period`` hands on."""
        return False

    def _posted(self, business_line, period, made: Computed, ids=None) -> Computed:
        """``made`` with the adjustments posted in ``period`` added after its lines (those of
        ``ids``, a replay's; else every one made for it so far)."""
        Adjustment = self.models.adjustment
        rows = self.db.session.query(Adjustment).filter_by(business_line=business_line, target=str(period))
        if ids is not None:
            rows = rows.filter(Adjustment.id.in_(ids)) if ids else rows.filter(Adjustment.id < 0)
        rows = rows.order_by(Adjustment.id).all()
        if not rows:
            return made
        lines = tuple(adjustments.line_from(l) for a in rows for l in a.lines)
        return dataclasses.replace(made, blocks=(*made.blocks, *lines), adjusted=tuple(a.id for a in rows))

    def _carried_under(self, business_line, period, plugin, tick):
        """The state ``period`` would have started from under ``plugin``: none here (a month
        carries nothing); compensation runs its earlier quarters under it."""
        return None

    def _compared_lines(self, sheet, base_blocks, other_blocks) -> dict[str, Any]:
        if base_blocks is None:
            summary = self.models.ledger.summary_dict(self.db.session, sheet)
            held = summary["line_count"] + summary["indicator_count"]
        else:
            held = replay.line_total(base_blocks)
        many = max(held, replay.line_total(other_blocks))
        if many > replay.LINES_ANSWERED:
            why = (
                f"{many} lines a run: more than {replay.LINES_ANSWERED}; read the closed version page by page"
            )
            return {"lines": None, "lines_left_out": why}
        if base_blocks is None:
            stored = self.models.ledger.sheet_dict(self.db.session, sheet)
            base_lines = stored["lines"] + stored.get("indicators", [])
        else:
            base_lines = replay.line_dicts(base_blocks)
        return {
            "lines": {"base": base_lines, "other": replay.line_dicts(other_blocks)},
            "lines_left_out": None,
        }

    def _people_documents(self, business_line) -> dict[str, dict[str, Any]]:
        Fact = self.models.fact
        rows = self.db.session.query(Fact.key, Fact.doc).filter_by(business_line=business_line, kind="person")
        return {key: dict(doc or {}) for key, doc in rows}

    def _version(self, business_line, period, version):
        if version is None:
            return self._sheet(business_line, period)
        sheet = self.models.ledger.version(self.db.session, business_line, str(period), version)
        if sheet is None:
            raise NotFound(f"{period} of {business_line!r} has no version {version}", field="version")
        return sheet

    @timer(interval=5)
    def flush_outbox(self):
        send_outbox(self.db.session, self.models.tables.outbox, self.dispatch)

    # --- what the subclasses' RPCs are made of ----------------------------------------------

    def _arguments(self, schema, **arguments) -> dict[str, Any]:
        """The call's arguments checked by ``schema``; the period under ``"period"``."""
        args = validated(schema, **arguments)
        args["period"] = next(args[n] for n in (self.period_name, "month", "year", "period") if n in args)
        return args

    def _plugin(self, business_line, period=None) -> LineRules:
        """The line's plugin configured with the rules in force for ``period``, and those rules."""
        return line_plugin(
            self.db.session, self.models.fact, business_line, None if period is None else str(period)
        )

    def _compute(
        self, business_line, period, plugin, *, tick: int, carried_in, sources=(), whole=False
    ) -> Computed:
        """A period's lines from the facts as they stood at ``tick`` of the line's fact clock,
        under ``plugin``, from ``carried_in``: a year sums its closed periods (§9.7), the rest is
        the subclass's (``_compute_period``). A period made of closed ones holds the current
        versions of them, or ``sources`` ({period, version}: a replay's), or with ``whole``
        computes them too (a comparison)."""
        if isinstance(period, Year):
            return self._compute_year(business_line, period, plugin, tick=tick, sources=sources)
        return self._compute_period(
            business_line, period, plugin, tick=tick, carried_in=carried_in, sources=sources, whole=whole
        )

    def _compute_period(self, business_line, period, plugin, *, tick, carried_in, sources=(), whole=False):
        raise NotImplementedError

    def _facts(self, business_line, period, *, tick, periods, lookback_days=0, **top):
        """The facts of ``period`` (its first to its last day) as they stood at ``tick``, with the
        records of ``periods`` and ``lookback_days`` before it; a target change approved after the
        period first closed is left out (docs/rules.md §7). ``top``: the facts' month or quarter."""
        session = self.db.session
        return facts_for(
            session,
            self.models.fact,
            business_line,
            first=period.first_day,
            last=period.last_day,
            lookback_days=lookback_days,
            periods=periods,
            tick=tick,
            targets_as_of=self.models.ledger.first_closed_at(session, business_line, str(period)),
            **top,
        )

    # --- the year (docs/rules.md §9.7) -------------------------------------------------------

    @api
    def close_year(self, business_line, year, accept_missing=None):
        """The year's result per person: what its closed months (assessment) or quarters
        (compensation) stated, summed by kind and clause with each period beside it, the annual
        veto with the opportunities that caused it, the year's indicators (assessment). Every
        period of the year must be closed and current; again: the same version."""
        q = validated(
            self.schemas.year, business_line=business_line, year=year, accept_missing=accept_missing
        )
        return self._close(q["business_line"], q["year"], q["accept_missing"])

    @api
    def get_year(self, business_line, year, person=None, page=None, page_size=None, kind=None):
        """The year's result; its lines all at once, or page by page (one person's: their own)."""
        return self._page(
            self.schemas.year_query,
            business_line=business_line,
            year=year,
            person=person,
            page=page,
            page_size=page_size,
            kind=kind,
        )

    def _year_parts(self, year) -> tuple:
        """The periods a year sums: the subclass's (months, quarters)."""
        raise NotImplementedError

    def _year_extra(self, business_line, year, plugin, tick) -> tuple:
        """What a year adds to its sums (assessment: its indicators)."""
        return ()

    def _compute_year(self, business_line, year, plugin, *, tick, sources=()) -> Computed:
        session, ledger = self.db.session, self.models.ledger
        wanted = [s for s in sources if "period" in s] or [
            {"period": str(p), "version": None} for p in self._year_parts(year)
        ]
        sheets, missing = [], []
        for w in wanted:
            if w["version"] is None:
                sheet = ledger.current(session, business_line, w["period"])
                if sheet is None or sheet.status != CLOSED:
                    missing.append(w["period"] if sheet is None else f"{w['period']} ({sheet.status})")
                    continue
            else:
                sheet = ledger.version(session, business_line, w["period"], w["version"])
            sheets.append(sheet)
        if missing:
            raise Conflict(f"close {', '.join(missing)} before the year {year}", field="year")
        stated = [yearly.Stated(s.period, s.version, ledger.sheet_dict(session, s)["lines"]) for s in sheets]
        lines = yearly.year_lines(str(year), stated)
        extra = self._year_extra(business_line, year, plugin, tick)
        handed = sheets[-1].carried_out if sheets else None  # the state at the year's end, shown
        return Computed((*lines, *extra), carried_in=handed, tick=tick, summed=tuple(sheets))

    def _carried_in(self, business_line, period):
        """The state a period starts from (compensation: the previous quarter's); None here."""
        return None

    def _close(self, business_line, period, accept_missing) -> dict[str, Any]:
        """Close ``period`` (or answer its closed sheet) with the rules in force for it, waiting
        first for intake's changes; the new sheet is announced with ``closed_event`` and records
        the rules and the fact clock's tick it was computed from (a replay reads the same)."""
        session = self.db.session
        line = self._plugin(business_line, period)

        def compute():
            tick = clock_now(session, self.models.clock, business_line)
            carried = self._carried_in(business_line, period)
            made = self._compute(business_line, period, line.plugin, tick=tick, carried_in=carried)
            return self._posted(business_line, period, made)

        with self.uow() as u:
            return close_and_announce(
                u,
                self.models,
                event_type=self.closed_event,
                business_line=business_line,
                period=str(period),
                rules=line.recorded(),
                compute=compute,
                ready=lambda: caught_up(
                    session,
                    self.models.fact,
                    self.intake,
                    config=self.config,
                    business_line=business_line,
                    accept_missing=accept_missing,
                ),
            )

    def _reopen(self, business_line, period, reason, after_reopen=None) -> dict[str, Any]:
        """Mark the current version reopened with ``reason``; ``after_reopen(u, sheet)`` adds what
        else the reopen changes in the same unit (answering extra fields for the audit entry and
        the answer)."""
        with self.uow() as u:
            sheet = self.models.ledger.reopen(u.session, business_line, str(period), reason)
            extra = after_reopen(u, sheet) if after_reopen is not None else {}
            audit_reopen(u, business_line, str(period), sheet, **extra)
        return {"period": str(period), "version": sheet.version, "status": sheet.status, **extra}

    def _sheet(self, business_line, period):
        sheet = self.models.ledger.current(self.db.session, business_line, str(period))
        if sheet is None:
            raise NotFound(f"{period} of {business_line!r} {self.not_closed}", field=self.period_name)
        return sheet

    def _lines(self, business_line, period, *, person=None, page=None, page_size=None, kind=None):
        """A sheet's lines, only those of the people within the caller's reach: another's person
        asked for by name is refused (and the refusal audited), unnamed ones left out."""
        people, reach = None, reach_of(self.caller)
        if not reach.whole:
            people = self._people_reached(business_line, reach)
            if person is not None and person not in people:
                raise outside(reach, what=f"person {person!r}", field="person")
        sheet = self._sheet(business_line, period)
        return self.models.ledger.sheet_dict(
            self.db.session, sheet, person=person, page=page, page_size=page_size, kind=kind, people=people
        )

    def _people_reached(self, business_line, reach):
        Fact = self.models.fact
        rows = self.db.session.query(Fact.key, Fact.doc).filter_by(business_line=business_line, kind="person")
        return people_reached(reach, ((key, (doc or {}).get("branch")) for key, doc in rows))

    def _page(self, schema=None, **arguments):
        """A sheet's lines, all or page by page: the RPC's arguments checked by ``schema`` (the
        period's query by default), the period under its name."""
        q = self._arguments(schema or self.schemas.query, **arguments)
        return self._lines(
            q["business_line"],
            q["period"],
            person=q["person"],
            page=q["page"],
            page_size=q["page_size"],
            kind=q["kind"],
        )

    def _history_of(self, **arguments):
        """Every version of a period's sheet: the RPC's arguments, the period under its name."""
        q = self._arguments(self.schemas.ref, **arguments)
        return self._history(q["business_line"], q["period"])

    def _history(self, business_line, period):
        return self.models.ledger.history(self.db.session, business_line, str(period))


def _other_plugin(key: str, parameters):
    """The plugin a comparison runs, its faults named by the argument they come from."""
    try:
        return plugin_of(key, parameters)
    except ConfigError as exc:
        if exc.code == "unknown_plugin":
            raise NotFound(str(exc), field="plugin") from None
        raise InvalidFacts(
            [
                {**e, "field": e["field"] if e["field"].startswith("parameters") else "parameters"}
                for e in exc.errors
            ]
        ) from None
