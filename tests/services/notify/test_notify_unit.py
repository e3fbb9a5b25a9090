"""notify's rendering, de-duplication and retry bookkeeping on a worker with SQLite."""

from nameko.testing.services import worker_factory

from services.common.storage import uow
from services.notify import templates as T
from services.notify.models import Base, Delivery, Message
from services.notify.service import NotifyService
from wire import events as E

CLOSED = E.make_event(
    E.MONTH_CLOSED,
    business_line="acme",
    period="2026-03",
    version=1,
    plugin="acme-flat",
    lines=2,
    totals={"am1": {"points": "6"}, "am2": {"points": "2.5"}},
)


class Broken:
    def send(self, message):
        raise ConnectionRefusedError("smtp down")


class Memory:
    def __init__(self):
        self.sent = []

    def send(self, message):
        self.sent.append(message.subject)


def test_templates_render_both_languages_in_markdown_and_escaped_html():
    doc = T.period_closed(CLOSED, "月度考核扣分表", "monthly penalty sheet")
    md, html = T.to_markdown(doc), T.to_html(doc)
    assert "| am1 | points | 6 |" in md and "| am2 | points | 2.5 |" in md
    assert "月度考核扣分表" in md and "monthly penalty sheet" in md
    evil = T.owner_assigned(
        {
            "opportunity": "<b>o1</b>",
            "tier": "t",
            "owner": "x",
            "owner_role": "r",
            "clause": "c",
            "reason_zh": "z",
            "reason_en": "e",
        }
    )
    assert "&lt;b&gt;o1&lt;/b&gt;" in T.to_html(evil) and "<b>o1" not in T.to_html(evil)
    assert '<section lang="zh">' in html and '<section lang="en">' in html


def test_each_event_makes_one_message_and_failures_are_logged_then_given_up(sqlite_db):
    memory = Memory()
    worker = uow.for_worker(
        worker_factory(
            NotifyService,
            db=sqlite_db(Base),
            channels={"mem": memory, "smtp": Broken()},
            config={"NOTIFY_MAX_ATTEMPTS": 2},
        )
    )
    worker.on_month_closed(CLOSED)
    worker.on_month_closed(CLOSED)  # redelivered
    assert worker.db.session.query(Message).count() == 1 and len(memory.sent) == 1
    (failed,) = worker.db.session.query(Delivery).filter_by(channel="smtp").all()
    assert (failed.status, failed.attempts) == ("retrying", 1)
    assert failed.last_error == "ConnectionRefusedError: smtp down"
    assert worker.retry_deliveries("2099-01-01T00:00:00") == 1
    assert worker.db.session.query(Delivery).filter_by(channel="smtp").one().status == "failed"
    assert worker.retry_deliveries("2099-01-01T00:00:00") == 0  # given up: not retried forever


def test_queries_name_a_bad_argument(sqlite_db):
    import pytest

    from kamkit.errors import InvalidFacts

    worker = uow.for_worker(worker_factory(NotifyService, db=sqlite_db(Base), channels={}))
    with pytest.raises(InvalidFacts) as exc:
        worker.list_messages(kind="gossip")
    assert exc.value.errors[0]["field"] == "kind"
    with pytest.raises(InvalidFacts) as exc:
        worker.send_weekly_bulletin("next monday")
    assert exc.value.errors[0]["field"] == "as_of"


def _assigned(n, owner, event_id):
    return E.make_event(
        E.OWNER_ASSIGNED,
        business_line="acme",
        opportunity="o1",
        assignment=n,
        tier="important",
        owner_role="account_manager",
        owner=owner,
        in_bulletin=True,
        clause="000 §(二)",
        reason_zh="z",
        reason_en="e",
        event_id=event_id,
        as_of=None,
    )


def test_an_older_assignment_arriving_after_a_newer_one_changes_nothing(sqlite_db):
    """Escalation numbers each owner assignment of an opportunity; delivered out of order (a
    retried delivery overtaken by the next one), the newer owner stands and nobody is told of the
    older one."""
    from services.notify.models import Opportunity

    worker = uow.for_worker(worker_factory(NotifyService, db=sqlite_db(Base), channels={}))
    worker.on_owner_assigned(_assigned(2, "am2", "e2"))
    worker.on_owner_assigned(_assigned(1, "am1", "e1"))  # the first assignment, late
    row = worker.db.session.get(Opportunity, ("acme", "o1"))
    assert (row.owner, row.assignment) == ("am2", 2)
    assert [m.data["owner"] for m in worker.db.session.query(Message)] == ["am2"]
    worker.on_owner_assigned(_assigned(3, "am3", "e3"))
    assert worker.db.session.get(Opportunity, ("acme", "o1")).owner == "am3"
    # an event from an escalation older than the numbering is applied as it comes
    unnumbered = _assigned(1, "am4", "e4")
    del unnumbered["assignment"]
    worker.on_owner_assigned(unnumbered)
    assert worker.db.session.get(Opportunity, ("acme", "o1")).owner == "am4"
