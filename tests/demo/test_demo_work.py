"""The sample year's work around big customers (demo/work.py): drawn from the seed and from a
generator of its own (the rest of the year as it was), every record valid and naming only records
entered before it, and each line's plugin finding every indicator applicable somewhere, met by
some and not by others; demo/run.py's summary counts them per line and period."""

import re
from collections import Counter, defaultdict
from datetime import date, datetime

import pytest

from demo.generator import ALL_LINES, BANKING, SCHEME_LINES, SOFTWARE, TELECOM, Size, YearGenerator, generate
from demo.run import indicator_summary
from demo.work import METHODS
from kamkit.activity import last_working_day
from kamkit.explain import INDICATOR_KINDS
from kamkit.indicators import ALL_INDICATORS, DEFINITIONS, STANDARDS
from kamkit.loader import load_plugin
from kamkit.periods import Month, Quarter
from services.common.periods.factstore import UNDATED
from services.common.periods.stored_facts import build_facts, build_record
from wire.records import KINDS, record_day, record_key, references_of, validate_record

LINES = (TELECOM, SOFTWARE, BANKING)
KIND_OF = {method: kind for kind, method in METHODS.items()} | {"confirm_opportunity": "confirmation"}


class Intake:
    """What intake keeps of the replayed calls: each line's records by kind and key, each checked as
    intake checks it: valid (wire.records.validate_record), and every record it names (a person, a
    customer, a branch, in lists too) entered before it."""

    def __init__(self):
        self.store: dict[str, dict[str, dict[str, dict]]] = defaultdict(lambda: defaultdict(dict))
        self.plugins: dict[str, str] = {}
        self.received: Counter = Counter()  # records of each kind, a batch's counted one by one

    def replay(self, actions):
        for a in actions:
            if a.service != "intake" or a.method == "post_follow_up":
                continue
            if a.method == "register_business_line":
                self.plugins[a.args[0]["key"]] = a.args[0]["plugin"]
            elif a.method == "record_batch":
                line, kind, docs = a.args
                assert 1 <= len(docs) <= 5000
                assert len({record_key(kind, d) for d in docs}) == len(docs)  # intake refuses twins
                for doc in docs:
                    self.save(a.day, line, kind, doc)
            elif a.method == "update_record":
                line, kind, key, changes = a.args
                self.save(a.day, line, kind, {**self.store[line][kind][key], **changes})
            elif a.method == "decide_development_plan":  # the manager's review: a submitted plan
                line, key, decision = a.args
                plan = self.store[line]["development_plan"][key]
                assert plan["status"] == "submitted" and a.day >= date.fromisoformat(
                    str(plan["quarter"])[:4] + "-01-01"
                )
                status = {"approve": "approved", "return": "returned"}[decision]
                decided = {"status": status, "decided_by": "demo", "decided_at": f"{a.day}T09:00:00"}
                self.save(a.day, line, "development_plan", {**plan, **decided})
            elif a.method == "decide_target_change":  # by another principal than the one who asked
                line, key, decision = a.args
                assert a.as_principal and a.as_principal != "demo"
                status = {"approve": "approved", "reject": "rejected"}[decision]
                decided = {"status": status, "decided_by": a.as_principal, "decided_at": f"{a.day}T09:00:00"}
                self.save(a.day, line, "target_change", {**self.store[line]["target_change"][key], **decided})
            elif a.method == "decide_appointment":  # by the person the ladder names (docs/rules.md §10.3)
                line, key, decision = a.args
                status = {"approve": "approved", "refuse": "refused"}[decision]
                decided = {
                    "status": status,
                    "decided_by": dict(a.kwargs)["decided_by"],
                    "decided_on": dict(a.kwargs)["decided_on"],
                }
                self.save(a.day, line, "appointment", {**self.store[line]["appointment"][key], **decided})
            else:
                kind = KIND_OF.get(a.method) or a.method.split("_", 1)[1]
                self.save(a.day, a.args[0], kind, a.args[1])
        return self

    def save(self, day: date, line: str, kind: str, doc: dict):
        stored = validate_record(kind, doc)  # raises InvalidFacts, naming the field
        for where, target, key in references_of(kind, stored):
            assert key in self.store[line][target], f"{kind}.{where} names unknown {target} {key!r} ({day})"
        self.store[line][kind][record_key(kind, stored)] = stored
        self.received[kind] += 1

    def records(self, line: str, kind: str) -> list[dict]:
        return list(self.store[line][kind].values())

    def facts(self, line: str, period: Month | Quarter):
        """The period's facts as a service reads them: the undated roster, records of the period's
        days, records tagged with the periods it reads (a month: the quarter's, the two months
        before and the next, whose visit plan is due in it), built as the services build them."""
        if isinstance(period, Quarter):
            tags, top = {str(period), *map(str, period.months)}, {"quarter": period}
        else:
            prior = period.previous()
            tags = {str(p) for p in (period, prior, prior.previous(), period.quarter, period.next())}
            top = {"month": period}
        records = {}
        for kind, docs in self.store[line].items():
            spec = KINDS[kind]
            if spec.facts_key is None:
                continue
            if kind in UNDATED:
                chosen = list(docs.values())
            elif spec.period_required or spec.period_field:
                chosen = [d for d in docs.values() if (d.get("quarter") or d.get("month")) in tags]
            else:
                chosen = [
                    d
                    for d in docs.values()
                    if period.first_day <= (record_day(kind, d) or date.min) <= period.last_day
                ]
            records[kind] = [build_record(kind, d) for d in chosen]
        return build_facts(records, business_line=line, **top)


def _work(actions):
    return [a for a in actions if a.method in ("record_batch", *METHODS.values())]


@pytest.fixture(scope="module")
def year():
    actions = generate(2026)
    return actions, Intake().replay(actions)


@pytest.fixture(scope="module")
def results(year):
    """Each line's closed months and quarters as its plugin computes them (the quarters in order,
    each handed the carried state of the one before), as the services keep them: {(line, period):
    result dict} of sheets and statements."""
    _, intake = year
    closed = {"sheets": {}, "statements": {}}
    for line in ALL_LINES:  # the seed-002 schemes' lines too: each month and quarter computes
        plugin = load_plugin(intake.plugins[line])
        for m in range(1, 13):
            month = Month(2026, m)
            closed["sheets"][line, str(month)] = plugin.assess_month(intake.facts(line, month)).to_dict()
        carried = {}
        for q in range(1, 5):
            quarter = Quarter(2026, q)
            result = plugin.commission_quarter(intake.facts(line, quarter), carried)
            closed["statements"][line, str(quarter)] = result.to_dict()
            carried = result.carried
    return closed


def test_the_work_is_drawn_from_the_seed():
    small = Size.small()
    assert _work(generate(5, size=small)) == _work(generate(5, size=small))
    assert _work(generate(5, size=small)) != _work(generate(6, size=small))


@pytest.mark.parametrize("seed, size", [(7, Size.small()), (2026, Size())])
def test_the_rest_of_the_year_is_as_it_was_without_the_work(seed, size):
    """Drawn from a generator of its own: the organisation and every other call are the same
    with or without it (so the fixed cast's hand-worked money and points are too)."""
    without = YearGenerator(seed, size=size)
    without.customer_work = lambda: None
    updates = ("complaint", "feedback_request")  # the work's own updates (a complaint resolved)
    rest = [
        a
        for a in sales_lines(generate(seed, size=size))
        if a.method not in ("record_batch", "decide_development_plan", *METHODS.values())
        and not (a.method == "update_record" and a.args[1] in updates)
    ]
    assert rest == sales_lines(without.year_of_actions())


def sales_lines(actions):
    """The actions of the three sales lines (the schemes' lines are demo/schemes.py's own)."""

    def line(a):
        first = a.args[0] if a.args else None
        return first.get("key") if isinstance(first, dict) else first

    return [a for a in actions if line(a) not in SCHEME_LINES]


def test_the_scheme_lines_do_not_change_the_sales_lines():
    """Drawn from a generator of their own: the sales lines' calls are the same without them."""
    without = YearGenerator(7, size=Size.small())
    without.scheme_work = lambda: None
    assert sales_lines(generate(7, size=Size.small())) == sales_lines(without.year_of_actions())


def test_every_record_is_valid_and_names_only_what_exists(year):
    actions, intake = year  # the replay has validated each record and looked up what it names
    assert intake.received.keys() >= set(METHODS)
    assert [a.day for a in actions] == sorted(a.day for a in actions)
    assert max(a.day for a in actions) <= date(2027, 1, 1)
    for line in LINES:
        people = intake.store[line]["person"]
        customers = intake.records(line, "customer")
        assert {c["owner"] for c in customers} <= {p for p in people if people[p]["role"] != "referrer"}
        for kind in ("visit", "complaint", "feedback_request", "expense", "featured_service"):
            owned = {c["id"]: c["owner"] for c in customers}
            for doc in intake.records(line, kind):  # a person's own customers (the department: any)
                assert doc.get("customer") is None or owned[doc["customer"]] == doc.get(
                    "person", owned[doc["customer"]]
                )


def test_the_register_has_big_customers_and_dated_changes_with_reasons(year):
    _, intake = year
    for line in LINES:
        customers = intake.records(line, "customer")
        assert 0 < sum(c["big"] for c in customers) < len(customers)
        changes = [ch for c in customers for ch in c.get("changes", ())]
        assert {"new_big", "upgraded", "lost"} <= {ch["change"] for ch in changes}
        assert all(ch["reason"] and ch["person"] for ch in changes)
        for c in customers:
            assert [ch["date"] for ch in c.get("changes", ())] == sorted(
                ch["date"] for ch in c.get("changes", ())
            )
        lost = [ch for ch in changes if ch["change"] == "lost"]
        assert len(lost) < len(changes) / 2 and {Month.parse(ch["date"][:7]).quarter.q for ch in lost} == {
            1,
            2,
            3,
            4,
        }


def test_the_year_has_the_texture_of_the_work(year):
    _, intake = year
    every = lambda kind: [d for line in LINES for d in intake.records(line, kind)]  # noqa: E731
    on_time = Counter(
        date.fromisoformat(p["submitted"]) <= last_working_day(Month.parse(p["month"]).previous())
        for p in every("visit_plan")
    )
    assert on_time[True] > 4 * on_time[False] > 0  # mostly on time, some late
    planned = {(p["person"], p["month"]) for p in every("visit_plan")}
    attended = {(a["person"], a["month"]) for a in every("attendance")}
    assert 0 < len(attended - planned) < len(attended) / 5  # a few months without a plan
    visits = every("visit")
    assert Counter(v["purpose"] for v in visits).keys() == {"first", "revisit"}

    def planned(line, visit):
        plan = intake.store[line]["visit_plan"].get(f"{visit['person']}:{visit['date'][:7]}", {})
        return visit["customer"] in plan.get("customers", []) + plan.get("revisits", [])

    in_plan = Counter(planned(line, v) for line in LINES for v in intake.records(line, "visit"))
    assert in_plan[True] > 3 * in_plan[False] > 0  # mostly as planned, some not
    complaints = every("complaint")
    assert {c["fault"] for c in complaints} == {"none", "staff", "company"}
    hours = [_hours(c["received_at"], c.get("resolved_at")) for c in complaints]
    assert sum(h is not None and h <= 24 for h in hours) > len(hours) / 2
    assert any(h is None for h in hours) and any(h is not None and h > 24 for h in hours)
    feedback = every("feedback_request")
    timely = Counter("answered_at" in f and f["answered_at"] <= f["due_at"] for f in feedback)
    assert timely[True] > 5 * timely[False] > 0
    late = Counter(a["late_arrivals"] for a in every("attendance"))
    assert late[0] + late[1] > 4 * sum(n for k, n in late.items() if k >= 2) > 0
    assert any(k >= 3 for k in late)
    budgets = every("budget")
    assert any("person" not in b for b in budgets) and any("person" in b for b in budgets)
    assert every("featured_service") and every("development_plan")
    assert {p["status"] for p in every("development_plan")} >= {"approved", "submitted", "draft"}


def test_kpi_sheets_name_their_rater_and_rate_only_the_rated_items(year):
    _, intake = year
    people = intake.store[TELECOM]["person"]
    sheets = intake.records(TELECOM, "kpi")
    assert sheets and not intake.records(SOFTWARE, "kpi")  # software pays on them: no sheet there
    for sheet in sheets:
        assert people[sheet["rater"]]["role"] == sheet["rater_role"]
        assert set(sheet["scorecard"]) == {"communication", "responsibility", "learning"}


def _hours(start: str, end: str | None) -> float | None:
    if end is None:
        return None
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 3600


@pytest.mark.parametrize("line", LINES)
def test_every_indicator_applies_and_is_met_by_some_not_by_others(results, line):
    section = [
        item
        for kind in ("sheets", "statements")
        for (l, _), result in results[kind].items()
        if l == line
        for item in result["indicators"]
    ]
    assert all(item["kind"] in INDICATOR_KINDS for item in section)
    values = defaultdict(list)
    for item in section:
        if item["kind"] == "indicator":
            values[item["inputs"]["indicator"]].append(item["inputs"])
    # every indicator the seeds name for a month or a quarter (the file check is the year's)
    # (the sales tables: the service and call centres' are their own lines', with no standards)
    sales = {k: DEFINITIONS[k] for k in ALL_INDICATORS}
    assert set(values) == {k for k, d in sales.items() if {"month", "quarter"} & set(d.periods)}
    for key, got in values.items():
        assert any(v["applicable"] for v in got), key
        if STANDARDS.get(key) is not None:
            assert {v["met"] for v in got} >= {True, False}, key
        else:  # a count with no standard: it varies
            assert len({v["value"] for v in got}) > 1, key
    assert any(not v["applicable"] for got in values.values() for v in got)  # a few do not apply
    quarter = [i for i in results["statements"][line, "2026-Q2"]["indicators"] if i["kind"] == "indicator"]
    assert {i["inputs"]["met"] for i in quarter} == {True, False, None}
    if line == TELECOM:  # 003 §十一's sheet: measured from the records, rated by the raters
        sheets = [i for i in section if i["kind"] == "scorecard"]
        assert any(i["inputs"]["raters"] for i in sheets)
        assert len({i["figure"] for i in sheets}) > 10


def test_the_summary_counts_each_lines_indicators_per_period(results):
    text = indicator_summary(results)
    assert text[0].startswith("Indicators")
    rows = text[1:]
    # the lines whose plugins show indicators: a grade ladder, deadlines and pay show none
    lines = [
        line
        for line in ALL_LINES
        if any(r.get("indicators") for (l, _), r in results["statements"].items() if l == line)
    ]
    assert TELECOM in lines and "city-service" in lines and "gulou-cib" not in lines
    assert len(rows) == len(lines) * 5  # per line: its months together, then each quarter
    assert [r.split()[0] for r in rows[::5]] == lines
    count = re.compile(r"(\d+) met +(\d+) not met +(\d+) n/a +(\d+) shown")
    for line, block in zip(lines, (rows[i : i + 5] for i in range(0, len(rows), 5))):
        periods = [("sheets", p) for (l, p) in results["sheets"] if l == line]
        for row, wanted in zip(block, [periods] + [[("statements", f"2026-Q{q}")] for q in range(1, 5)]):
            met, not_met, na, shown = map(int, count.search(row).groups())
            section = [
                i
                for kind, period in wanted
                for i in results[kind][line, period]["indicators"]
                if i["kind"] == "indicator"
            ]
            assert met + not_met + na + shown == len(section), row
            # the sales lines judge against standards; the service tables print none (§11)
            assert (met and not_met) if line in LINES else (shown and not met and not not_met), row
    assert "sheets" in rows[1] and "sheets" not in rows[6]  # telecom's quarters have 003 §十一's sheets
