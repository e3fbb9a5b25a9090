"""The report pages in a real headless browser (Debian's chromium and chromedriver, driven by
selenium): they load without an error, show each person's name and total, draw their charts;
a screenshot of the summary page and of a statement is saved under out/screenshots/."""

from pathlib import Path

import pytest

from kamcli.documents import read_document
from kamkit.facts_schema import load_facts
from kamkit.loader import load_plugin
from reports import Directory, write_period
from reports.html import figure_text

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "out" / "screenshots"


def _run(key, example, period):
    plugin = load_plugin(key, {})
    facts = load_facts(read_document(ROOT / "examples" / example))
    run = plugin.assess_month(facts) if period == "month" else plugin.commission_quarter(facts, {})
    described = plugin.describe()
    directory = Directory.of(
        [{"id": p.id, "name": p.name, "branch": p.branch, "role": p.role} for p in facts.people],
        [{"id": b.id, "name": b.name} for b in facts.branches],
        described,
    )
    sheet = {
        "business_line": facts.business_line or key,
        "period": str(getattr(run, period)),
        "version": 1,
        "plugin": key,
        "status": "closed",
        "closed_at": "2026-07-01T08:00:00",
        "lines": [line.to_dict() for line in run.lines],
        "carried_out": getattr(run, "carried", {}),
    }
    return sheet, directory, described


@pytest.mark.parametrize(
    "key, example, period", [("telecom", "telecom.yaml", "month"), ("software", "software.yaml", "quarter")]
)
def test_summary_and_statements_load_and_show_every_name_total_and_chart(
    browser, page_errors, tmp_path, key, example, period
):
    sheet, directory, described = _run(key, example, period)
    view = write_period(
        sheet, tmp_path / "period", directory, plugin=described, statements=tmp_path / "people"
    )
    browser.get((tmp_path / "period.html").as_uri())
    assert page_errors() == []
    text = browser.find_element("tag name", "body").text
    for person in view.people:
        assert person.name in text
        for unit, total in person.totals.items():
            assert figure_text(total, unit) in text
    charts = browser.find_elements("css selector", ".chart svg")
    assert len(charts) >= 1 and all(c.size["width"] > 100 for c in charts)  # drawn, not empty boxes
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SHOTS / f"{key}-{period}-summary.png"))
    # every name links to that person's statement, which shows each line and the total
    first = view.people[-1]
    browser.find_element("link text", first.name).click()
    assert browser.current_url.endswith(f"/people/{first.id}.html") and page_errors() == []
    slip = browser.find_element("tag name", "body").text
    assert first.name in slip and len(browser.find_elements("css selector", "table.lines tr")) == 1 + len(
        first.lines
    )
    for unit, total in first.totals.items():
        assert figure_text(total, unit) in slip
    browser.save_screenshot(str(SHOTS / f"{key}-{period}-statement.png"))


def test_long_names_in_the_charts_stay_inside_them(browser, texts_outside, tmp_path):
    # a 40-character name, a Chinese one and a long branch: every text of every chart is drawn
    # inside its SVG as the browser lays it out, nothing cut at an edge
    people = [
        {"id": "a", "name": "Alexandra Konstantinopoulou-Vanderbilt X", "branch": "gl"},
        {"id": "b", "name": "欧阳" + "娜" * 10, "branch": "gl"},
        {"id": "c", "name": "柏涛"},
    ]
    branches = [{"id": "gl", "name": "福州市鼓楼区东街口支行营业部 Gulou East Street"}]
    lines = [
        {
            "person": p,
            "role": "account_manager",
            "figure": figure,
            "unit": "points",
            "kind": "quota_shortfall",
            "clause": "000 §(三)(一)2",
            "reason_zh": "原因",
            "reason_en": "reason",
            "inputs": {},
        }
        for p, figure in (("a", "5"), ("b", "4"), ("c", "1"))
    ]
    sheet = {"business_line": "t", "period": "2026-03", "status": "closed", "closed_at": "", "lines": lines}
    write_period(sheet, tmp_path / "period", Directory.of(people, branches))
    browser.get((tmp_path / "period.html").as_uri())
    outside = texts_outside(".chart svg")
    assert outside[0] >= 2 and outside[1] == []
