"""What every service mixes into its class: the operators' RPCs on its parked events
(services.common.messaging.deadletter) and its audit trail (services.common.storage.audit), and
the handler that keeps its picture of who may do what (services.common.access.guard).

Above storage, access and messaging: it may import all three; none of them imports it."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate
from nameko.dependency_providers import Config
from sqlalchemy.orm import Session

from kamkit.limits import PAGE_MAX
from services.common.access import guard
from services.common.messaging import rpc_fields as f
from services.common.messaging.deadletter import MAX_LIST, ParkedQueue
from services.common.messaging.entrypoints import api, handles
from services.common.messaging.rpc import validated
from services.common.storage import audit
from wire import events as E


class _ParkedRef(Schema):
    class Meta:
        unknown = RAISE

    parked_id = fields.String(required=True, validate=validate.Length(min=1, max=64))


class _ParkedList(Schema):
    class Meta:
        unknown = RAISE

    limit = fields.Integer(load_default=100, strict=True, validate=validate.Range(min=1, max=MAX_LIST))


class DeadLetters:
    """Mixed into each service class: list_parked, get_parked, replay_parked, drop_parked."""

    config = Config()

    def _parked(self) -> ParkedQueue:
        return ParkedQueue(self.config["AMQP_URI"], self.name, self.config)

    @api
    def list_parked(self, limit=100):
        """{items: [{id, event_id, business_line, queue, event_type, error, attempts, ...}], count}"""
        return self._parked().list(validated(_ParkedList, limit=limit)["limit"])

    @api
    def get_parked(self, parked_id):
        """One parked event with its original body and headers."""
        return self._parked().get(validated(_ParkedRef, parked_id=parked_id)["parked_id"])

    @api
    def replay_parked(self, parked_id):
        """Send a parked event (or 'all') back to its handler's queue, attempts reset."""
        return self._parked().settle(validated(_ParkedRef, parked_id=parked_id)["parked_id"], True)

    @api
    def drop_parked(self, parked_id):
        """Discard a parked event (or 'all') for good."""
        return self._parked().settle(validated(_ParkedRef, parked_id=parked_id)["parked_id"], False)


class _AuditQuery(Schema):
    class Meta:
        unknown = RAISE

    business_line = f.line(load_default=None, allow_none=True)
    principal = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))
    target = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=200))
    period = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=16))
    outcome = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf([audit.DONE, audit.REFUSED, audit.READ])
    )
    page = fields.Integer(load_default=1, strict=True, validate=validate.Range(min=1, max=PAGE_MAX))
    page_size = fields.Integer(
        load_default=100, strict=True, validate=validate.Range(min=1, max=audit.PAGE_SIZE_MAX)
    )


class AuditTrail:
    """Mixed into each service class (with ``db`` and ``tables``): list_audit reads the entries
    its units of work wrote (services.common.storage.uow)."""

    @api
    def list_audit(
        self,
        business_line=None,
        principal=None,
        target=None,
        period=None,
        outcome=None,
        page=1,
        page_size=100,
    ):
        """This service's audit entries, oldest first, page by page: {items, page, page_size, total}.
        Filters: business line, principal, target ("opportunity:o1"), period, outcome."""
        query = validated(
            _AuditQuery,
            business_line=business_line,
            principal=principal,
            target=target,
            period=period,
            outcome=outcome,
            page=page,
            page_size=page_size,
        )
        return audit.entries(self.db.session, self.tables.audit, **query)


class AccessProjection:
    """Mixed into a service with ``db``, ``uow`` (services.common.storage.uow) and an
    ``AccessPrincipal`` class attribute."""

    @classmethod
    def access_view(cls, engine) -> guard.AccessView:
        with Session(engine) as session:
            return guard.AccessView.of(session.query(cls.AccessPrincipal).all())

    @handles(E.INTAKE, E.ACCESS_CHANGED)
    def on_access_changed(self, payload):
        with self.uow() as u:
            if u.first_time(payload["event_id"], E.ACCESS_CHANGED):
                guard.apply_access(u.session, self.AccessPrincipal, payload)
        guard.changed()
