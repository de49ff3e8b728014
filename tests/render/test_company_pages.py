"""Company scorecards on the built site (real `mkdocs build --strict`, read with BeautifulSoup):
grade breakdown, league table with the not-rated apart, methodology, letters, open data."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.measure import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(bundled_site) -> Path:
    return bundled_site


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def words(node) -> str:
    return " ".join(node.get_text(" ").split())


def test_comcast_page_shows_both_parts_and_the_rows(site):
    page = soup(site / "companies" / "comcast.html")
    text = words(page)
    assert "Not graded" not in text
    parts = page.find("h2", id="how-the-grade-is-made").find_next("table")
    rows = [words(tr) for tr in parts.find_all("tr")]
    assert rows[1].startswith("Documented cases no documented case")
    assert rows[2] == "Complaint and call-centre data 2,224 complaints 100 1 100"
    resolved = page.find("tr", id="crit-resolved-share")
    assert words(resolved).startswith("Complaints resolved 97% 95% interval 96% to 98%")
    assert "557" in words(resolved) and "2015-04-01 to 2015-05-01" in words(resolved)
    head = words(page.select_one(".cx-bigscore"))
    assert "range A: 100.0 to 100.0" in head
    assert "most recent 60 days" in text and "not size-normalised" in text
    assert "free text (1,739 different titles for 2,224 complaints)" in text
    caption = page.find("div", id="chart-complaints-comcast").find_next("figcaption")
    assert "between 399 and 1,280, most in Jun 2015" in words(caption)
    assert " days</td>" not in str(page.find("h2", id="every-figure").find_next("table"))


def test_call_centre_page_states_units_and_sample(site):
    page = soup(site / "companies" / "anonymous-bank.html")
    row = words(page.find("tr", id="crit-answered-60s"))
    assert row.startswith(
        "Calls answered within a minute 29% 95% interval 28% to 29% only this company 25,701"
    )
    assert "failed" in row
    figures = words(page.find("h2", id="every-figure").find_next("table"))
    assert "Median wait in the queue all 1.3 min" in figures
    assert "90th-percentile wait in the queue all 4.4 min" in figures


def test_league_table_ranks_the_graded_and_lists_the_rest_apart(site):
    for rel, prefix in (("index.html", "companies/"), ("companies/index.html", "")):
        page = soup(site / rel)
        league = page.select_one(".cx-league table")
        ranked = [words(tr) for tr in league.find("tbody").find_all("tr")]
        assert [r.split(" ")[0] for r in ranked] == ["1", "2", "3", "4"]
        assert ranked[0].startswith(
            "1 Comcast telecom 100 grade A A complaints resolved (Comcast telecom complaints data "
            "2015-04 to 2015-06; 2,224 complaints) — 100 (2,224 complaints)"
        )
        assert "(25,701 calls)" in ranked[3]
        details = page.find("details")
        assert words(details.find("summary")) == "3 companies not rated, not ranked"
        items = [words(li) for li in details.find_all("li")]
        assert items[0] == (
            "AT&T (telecom): NR — not rated (no documented case and no incident data)"
        )
        assert details.find("a")["href"] == f"{prefix}att.html"


def test_companies_list_carries_what_its_filters_read(site):
    """Each company (ranked or not rated) carries its industry, grade, evidence kinds and name
    for the list's filters; the options offer only what occurs; the no-match message is
    hidden until a filter leaves nothing (tested in Chromium, tests/publish/test_browser.py)."""
    page = soup(site / "companies" / "index.html")
    box = page.select_one(".cx-league[data-cx-table]")
    rows = box.select("tbody tr") + box.select("li[data-cx-row]")
    assert len(rows) == 7
    by_name = {r["data-name"]: r for r in rows}
    assert by_name["comcast"]["data-grade"] == "A" and by_name["at&t"]["data-grade"] == "NR"
    assert by_name["comcast"]["data-evidence"] == "complaints"
    assert by_name["an anonymous bank"]["data-evidence"] == "calls"
    assert by_name["a regional telephone company"]["data-evidence"] == "cases"
    assert by_name["dish network"]["data-evidence"] == ""  # not rated: nothing to grade on

    def options(key):
        return [o["value"] for o in box.select(f"select[data-cx-filter='{key}'] option")]

    assert options("evidence") == ["", "cases", "complaints", "calls"]
    assert options("grade")[0] == "" and options("grade")[-1] == "NR"
    assert set(options("grade")[1:-1]) == {r["data-grade"] for r in rows} - {"NR"}
    assert box.select_one("input[data-cx-search='name']").find_parent("label")
    empty = box.select_one("[data-cx-empty]")
    assert empty.has_attr("hidden") and words(empty) == "No company matches these filters."
    cases = soup(site / "cases" / "index.html").select_one("[data-cx-empty]")
    assert cases.has_attr("hidden") and words(cases) == "No case matches these filters."


def test_methodology_publishes_company_criteria_and_definitions(site):
    page = soup(site / "methodology.html")
    text = words(page)
    for anchor in ("company-grades", "definitions", "crit-timely-response",
                   "crit-answered-60s", "company-figures"):
        assert page.find(id=anchor) is not None, anchor
    assert "at least 30 rows stand behind its figure" in text
    assert "not a statistical sample" in text and "24 April 2017" in text
    assert "how the complaint reached the CFPB" in text
    figures = page.find(id="company-figures").find_next("table")
    ids = [words(tr.find("td")) for tr in figures.find("tbody").find_all("tr")]
    assert REGISTRY["first_reply_p90"].description in ids
    assert REGISTRY["complaints_trend"].description in ids
    assert "first_reply_p90" not in text  # no internal codes on a public page
    resolution = page.find(id="crit-time-to-resolution")
    assert "Hours without service applies: the same fact is counted once" in words(resolution)


def test_letter_names_the_unnamed_company_in_lower_case_and_lists_sources(site):
    page = soup(site / "letters" / "fix-ownership.html")
    to = words(page.select_one(".cx-letter-to"))
    assert to == "To the management of a regional telephone company :"
    assert page.find("h2", id="sources") is not None
    froms = [words(p) for p in page.select(".cx-grievance-from")]
    # the widow's-name case is not graded: it feeds no grievance
    assert froms == ["From the case 112 hours without a dial tone after a fiber upgrade :"]
    assert "round-the-clock" not in words(page.select_one(".cx-grievance"))


def test_open_data_has_company_metrics_and_incident_rows(site):
    with (site / "data" / "company_metrics.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {"company", "metric", "channel", "period", "value", "unit", "n"} <= set(rows[0])
    assert any(r["metric"] == "first_reply_median" for r in rows) is False  # no reply times
    assert any(r["metric"] == "answered_60s_share" and r["n"] == "25701" for r in rows)
    incidents = (site / "data" / "incidents" / "source-fcc-tickets.csv").read_text()
    assert incidents.count("\n") == 2225
    assert (site / "data" / "company_metrics.json").is_file()
    assert {"lo", "hi"} <= set(rows[0])
    calls = (site / "data" / "calls" / "company-anonymous-bank.csv").read_text()
    assert calls.startswith("company,date,queue,offered,")
    sources = (site / "data" / "sources.csv").read_text().splitlines()
    assert sources[1] == "comcast,fcc-tickets,2224,2015-04-01,2015-06-30,2015-06-30"
