"""A small demo year through the real broker, five service processes: figures of the fixed cast
worked by hand, and the same seed gives the same sheets and statements."""

import re
from decimal import Decimal as D

from openpyxl import load_workbook

from demo import schemes
from demo.generator import BANKING, SOFTWARE, TELECOM, Size
from demo.run import run_demo


def _cny(run, person):
    return D(run["totals"].get(person, {}).get("CNY", "0"))


def _comparable(closed):
    """The closed periods as a second run must repeat them: a target line's approval time and its
    set day are the clock's when the run made them (docs/rules.md §7), so they are left out."""
    return {
        kind: {key: (s["totals"], [_timeless(l) for l in s["lines"]]) for key, s in closed[kind].items()}
        for kind in ("sheets", "statements")
    }


def _timeless(line):
    if line["kind"] != "target":
        return line
    inputs = {k: v for k, v in line["inputs"].items() if k not in ("approved_at", "set_on")}
    return {**line, "reason_zh": None, "reason_en": line["reason_en"].split(" on ")[0], "inputs": inputs}


def test_a_demo_year_matches_hand_figures_and_is_reproducible(amqp_uri, tmp_path, caplog):
    closed, text = run_demo(7, Size.small(), tmp_path / "a", amqp_uri)
    # drawing the charts says nothing (it once logged a line per label for each missing font)
    assert not [r for r in caplog.records if r.name.startswith("matplotlib")]
    sheets, statements = closed["sheets"], closed["statements"]
    # 12 months and 4 quarters x 10 lines: the three sales lines and seed 002's seven other schemes
    assert len(sheets) == 120 and len(statements) == 40

    # lin enters one local 25,000 opportunity on time every month (quota met) and is named by one
    # city audit finding in March: 30,000 and 2 lines -> 4 points (000 §(三)(一)1); no other month
    march = sheets[(TELECOM, "2026-03")]
    assert D(march["totals"]["lin"]["points"]) == 4
    assert all(
        "points" not in s["totals"].get("lin", {})
        for (l, m), s in sheets.items()
        if l == TELECOM and m != "2026-03"
    )
    # Q1: one deal, list 100,000 at 95,000 (8%), 20,000 task: 75,000 x (8% + 1 pp) = 6,750;
    # base 1,800 + phone 100 for 3 months = 5,700 -> 12,450
    assert _cny(statements[(TELECOM, "2026-Q1")], "lin") == 12450
    # fang collects docs/rules.md §2.3's worked example: -600; 9,600; 8,000; 13,000 + 1,600, every bonus
    # on net of VAT (the seed's default vat_divisor 1.17; the -600 is a deduction, not a bonus):
    # 9,600 / 1.17 = 8,205.13; 8,000 / 1.17 = 6,837.61; 14,600 / 1.17 = 12,478.63 (reported half-up)
    assert [_cny(statements[(SOFTWARE, f"2026-Q{q}")], "fang").quantize(D("0.01")) for q in (1, 2, 3, 4)] == [
        D("-600.00"),
        D("8205.13"),
        D("6837.61"),
        D("12478.63"),
    ]

    # targets (docs/rules.md §7): rep1's change to 180,000 from Q3, asked by the demo's administrator
    # and approved by zhao.min, stands in Q3 and Q4; rep2's change from Q4 was rejected: his own
    # quarterly_target stands
    def target(period, person):
        (line,) = [
            l
            for l in statements[(SOFTWARE, period)]["lines"]
            if l["kind"] == "target" and l["person"] == person
        ]
        return line

    for period in ("2026-Q3", "2026-Q4"):
        shown = target(period, "rep1")
        assert (D(shown["figure"]), shown["inputs"]["source"]) == (180000, "change"), shown
        assert (shown["inputs"]["requested_by"], shown["inputs"]["approved_by"]) == ("demo", "zhao.min")
    assert target("2026-Q2", "rep1")["inputs"]["source"] == "person"
    assert target("2026-Q4", "rep2")["inputs"]["source"] == "person"
    # bo (junior) issues 3 new loans and 1 renewal a month: 3.5 -> 2 x 30 + 1.5 x 40 = 120, plus
    # base 2,200: 2,320 a month, 6,960 a quarter
    assert _cny(statements[(BANKING, "2026-Q2")], "bo") == 6960
    # the files people read: lin's 4 points in March's workbook as a number, under lin's name
    book = load_workbook(tmp_path / "a" / "sheets" / f"{TELECOM}-2026-03.xlsx", read_only=True)
    row = next(r for r in book["Summary"].iter_rows(min_row=3, values_only=True) if r[0] == "lin")
    assert (row[1], row[4]) == ("林晓", 4)
    slip = (tmp_path / "a" / "people" / f"{SOFTWARE}-2026-Q2" / "fang.html").read_text(encoding="utf-8")
    assert "方敏" in slip and "8,205.13" in slip
    assert "林晓 (lin)" in text
    assert list((tmp_path / "a" / "bulletins").glob("*weekly_bulletin*.html"))
    assert "Bulletins sent: 52" in text
    # after the year (docs/rules.md §9): every closed period replays identical
    replayed = re.search(r"Replayed (\d+) closed periods: (\d+) identical", text)
    assert replayed and replayed.group(1) == replayed.group(2) and int(replayed.group(1)) > 60, text
    # fang's Q3 under software-progressive (§2.4): 260,000 collected, B reached, the year's 500,000
    # below its 800,000 target: 260,000 x 7.12% = 18,512.00, not rated (x 1), no VAT divisor;
    # software paid T x 4% = 8,000 / 1.17 = 6,837.61
    assert "fang 6,837.61 -> 18,512.00" in text, text
    assert "Inquiry #1 on 2026-12 pay: rejected" in text and "accepted, paid in 2027-01" in text
    assert "posted in 2027-01" in text

    _schemes(closed, text, tmp_path / "a")

    again, _ = run_demo(7, Size.small(), tmp_path / "b", amqp_uri)
    assert _comparable(again) == _comparable(closed)


def _lines(result, kind):
    return [item for item in result["lines"] if item["kind"] == kind]


def _schemes(closed, text, out):
    """The seed-002 schemes' lines through the services (docs/rules.md §11-§16, demo/schemes.py)."""
    sheets, statements = closed["sheets"], closed["statements"]
    # §13: four grades approved by the board in January stand every month; cib-old holds one with no
    # approved appointment all year; cib-new's proposal (10 March) waits from March
    grades = [
        item for (line, _), sheet in sheets.items() if line == schemes.GRADES for item in sheet["lines"]
    ]
    stands = {item["person"] for item in grades if item["kind"] == "grade_stands"}
    assert stands == {"cib-dm", "cib-ke", "cib-lu", "cib-xia"}
    assert {item["person"] for item in grades if item["kind"] == "grade_not_approved"} == {"cib-old"}
    assert sum(item["person"] == "cib-new" and item["kind"] == "appointment_waiting" for item in grades) == 10
    # §12: the fourth quarter carries each manager's card of the quarter and of the year
    q4 = statements[(schemes.CARD, "2026-Q4")]
    assert {(i["person"], i["inputs"]["period"]) for i in _lines(q4, "appraisal_total")} == {
        (m, p) for m in ("km-zhou", "km-wu", "km-zheng") for p in ("2026-Q4", "2026")
    }
    # §14: each month's deadlines falling due, met or not, with the days late; some climbed the ladder
    power = [i for (line, _), s in sheets.items() if line == schemes.POWER for i in _lines(s, "deadline")]
    assert {i["inputs"]["state"] for i in power} >= {"met", "late"}
    assert "deadlines escalated up the ladder" in text
    # §15: the grain company's application fails the volume condition
    assert "q-grain does not qualify" in text and "q-coal qualifies" in text
    # §16: each assistant's base pay of 900 every month of the year
    pay = [i for (line, _), s in statements.items() if line == schemes.WATER for i in _lines(s, "base_pay")]
    assert sorted({i["person"] for i in pay}) == ["sl-lin", "sl-zhou"] and len(pay) == 24
    assert {D(i["figure"]) for i in pay} == {D(900)}
    # §11: the service tables' indicators on the centre's month, and on its pages
    march = sheets[(schemes.SERVICE, "2026-03")]
    assert {i["inputs"]["indicator"] for i in march["indicators"]} >= {
        "centre_handoff_timeliness",
        "centre_complaint_hours",
    }
    page = (out / "sheets" / f"{schemes.SERVICE}-2026-03.html").read_text(encoding="utf-8")
    assert "客户服务信息传递及时率" in page
