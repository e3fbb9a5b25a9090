"""A small demo year through the real broker, five service processes: figures of the fixed cast
worked by hand, and the same seed gives the same sheets and statements."""

import re
from decimal import Decimal as D

from openpyxl import load_workbook

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
    assert len(sheets) == 36 and len(statements) == 12  # 12 months and 4 quarters x 3 lines

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

    again, _ = run_demo(7, Size.small(), tmp_path / "b", amqp_uri)
    assert _comparable(again) == _comparable(closed)
