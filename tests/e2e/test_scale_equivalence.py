"""What the at-scale paths give equals what the record-by-record path gives, on a sample: the demo
generator's small year of each business line is written twice through intake — once call by call
(register_*, record_*, update_record, as the demo does), once as each record's final state in
`record_batch` calls (records_changed events of many records, written through the driver's bulk
path, applied by each projection in one transaction) into a twin line of the same plugin. Both
twins' months are closed and quarters run (stored-fact builders, streamed reads, lines written in
chunks) and read back — the first whole, the second page by page in pages of 7 — and every line,
total and count must be the same."""

from collections import defaultdict

import eventlet
import pytest

from demo.generator import BANKING, SCHEME_LINES, SOFTWARE, TELECOM, Size, generate
from demo.work import METHODS
from services.assessment.service import AssessmentService
from services.compensation.service import CompensationService
from services.intake.service import IntakeService
from wire.records import record_key

# record kinds in an order where every record names only records already written
ORDER = (
    "branch",
    "person",
    "contract",
    "opportunity",
    "follow_up",
    "loss_review",
    "deal",
    "collection",
    "loan",
    "portfolio",
    "kpi",
    "customer",
    "visit_plan",
    "development_plan",
    "budget",
    "visit",
    "complaint",
    "feedback_request",
    "expense",
    "featured_service",
    "attendance",
)
KIND_OF = {
    "register_branch": "branch",
    "register_person": "person",
    "record_opportunity": "opportunity",
    "post_follow_up": "follow_up",
    "record_loss_review": "loss_review",
    "record_deal": "deal",
    "record_collection": "collection",
    "record_contract": "contract",
    "record_loan": "loan",
    "record_portfolio": "portfolio",
    "record_kpi": "kpi",
    "record_complaint": "complaint",
    **{method: kind for kind, method in METHODS.items()},
}
# people's acts on records (docs/rules.md §1.1, §6.1, §7): who acted is the caller, not a record a
# batch can carry; this test compares the records' two paths, so both twins leave the acts out
ACTS = frozenset(
    {
        "set_target",
        "request_target_change",
        "decide_target_change",
        "confirm_opportunity",
        "decide_development_plan",
    }
)
MONTHS = ("2026-03", "2026-06")
QUARTERS = ("2026-Q1", "2026-Q2")


def _wait_until(predicate, timeout=120):
    with eventlet.Timeout(timeout):
        while not predicate():
            eventlet.sleep(0.1)


def _final_states(actions, line):
    """{kind: {key: document}} after every call of the line, updates merged, in call order."""
    records: dict[str, dict[str, dict]] = defaultdict(dict)
    for a in actions:
        if a.service != "intake" or not a.args or a.args[0] != line or a.method in ACTS:
            continue
        if a.method == "update_record":
            _, kind, key, changes = a.args
            records[kind][key] = {**records[kind][key], **changes}
        elif a.method == "record_batch":
            _, kind, docs = a.args[:3]
            records[kind].update((record_key(kind, d), d) for d in docs)
        else:
            kind = KIND_OF[a.method]
            records[kind][record_key(kind, a.args[1])] = a.args[1]
    return records


def _caught_up(rpc, line):
    want = {k: v[1] for k, v in rpc.intake.record_counts(line).items() if k != "follow_up"}
    return all(
        service.projection_versions(line).get(k, 0) >= n
        for service in (rpc.assessment, rpc.compensation)
        for k, n in want.items()
    )


def _whole(read, line, period):
    got = read(line, period, page=1, page_size=1000)
    assert got["total_lines"] == len(got["lines"])  # one page holds the sample's period
    return got["totals"], got["lines"]


def _paged(read, line, period, size=7):
    pages, page = [], 1
    while True:
        got = read(line, period, page=page, page_size=size)
        pages.append(got)
        if page * size >= got["total_lines"]:
            return got["totals"], [line for p in pages for line in p["lines"]], got["total_lines"]
        page += 1


@pytest.mark.slow
def test_batch_and_paged_paths_equal_the_record_by_record_path(start_service, rpc, pg_url_factory):
    start_service(IntakeService, pg_url_factory("intake"))
    start_service(AssessmentService, pg_url_factory("assessment"), OPPORTUNITY_LOOKBACK_DAYS=400)
    start_service(CompensationService, pg_url_factory("compensation"))
    actions = generate(11, size=Size.small())
    # the sales lines: the schemes' lines (demo/schemes.py) decide appointments, which no batch writes
    registered = {a.args[0]["key"]: a.args[0] for a in actions if a.method == "register_business_line"}
    assert set(registered) == {TELECOM, SOFTWARE, BANKING, *SCHEME_LINES}
    lines = {key: doc for key, doc in registered.items() if key in (TELECOM, SOFTWARE, BANKING)}

    for line, doc in lines.items():
        # the record-by-record twin: every call as the demo makes it
        rpc.intake.register_business_line(doc)
        for a in actions:
            if a.service == "intake" and a.args and a.args[0] == line and a.method not in ACTS:
                getattr(rpc.intake, a.method)(*a.args)
        # the batch twin: each record's final state, a batch of each kind
        twin = f"{line}-batch"
        rpc.intake.register_business_line({**doc, "key": twin})
        finals = _final_states(actions, line)
        assert set(finals) <= set(ORDER)
        for kind in ORDER:
            if finals.get(kind):
                answer = rpc.intake.record_batch(twin, kind, list(finals[kind].values()))
                assert answer["created"] == len(finals[kind])
    for line in lines:
        _wait_until(lambda line=line: _caught_up(rpc, line) and _caught_up(rpc, f"{line}-batch"))

    compared, clauses = 0, set()
    for line in lines:
        twin = f"{line}-batch"
        periods = [
            (rpc.assessment.close_month, rpc.assessment.get_sheet, rpc.assessment.get_sheet, m)
            for m in MONTHS
        ] + [
            (rpc.compensation.run_quarter, rpc.compensation.get_run_lines, rpc.compensation.get_run, q)
            for q in QUARTERS
        ]
        for close, read, read_whole, period in periods:
            one, other = close(line, period), close(twin, period)
            assert (one["totals"], one["line_count"]) == (other["totals"], other["line_count"])
            # the indicator section, from the customers, plans and visits of both twins
            assert one["indicator_count"] == other["indicator_count"] > 0
            assert read_whole(line, period)["indicators"] == read_whole(twin, period)["indicators"]
            totals, whole = _whole(read, line, period)
            paged_totals, paged, count = _paged(read, twin, period)
            assert (paged_totals, paged, count) == (totals, whole, len(whole))
            compared += len(whole)
            clauses |= {(line, l["clause"]) for l in whole if l["figure"] not in ("0", "0.00")}
    # the sample exercises the rules of every line, not empty sheets
    assert compared > 250 and {line for line, _ in clauses} == set(lines) and len(clauses) >= 15, (
        compared,
        sorted(clauses),
    )
