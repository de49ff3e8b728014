"""Search results read as prose: the index built by Material's search plugin, from a real build,
holds sentences, not the run-together cells of tables, filters and chart data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.pipeline import build_site

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("search")
    out = tmp / "site"
    build_site(ROOT / "cases", config=ROOT / "mkdocs.yml", out=out, docs_dir=tmp / "docs")
    docs = json.loads((out / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    return {d["location"]: d["text"] for d in docs}


def test_filters_lists_and_chart_tables_stay_out_of_the_index(index):
    text = " ".join(index.values())
    for run_together in (
        "allbanking",  # the options of a filter
        "CompanyIndustryScore",  # a sortable list's header
        "The numbers behind this chart",  # a chart's data table
        "CriterionValuePointsEvidence",  # a case's scorecard
        '"data":',  # figure JSON
    ):
        assert run_together not in text


@pytest.mark.parametrize(
    ("location", "starts"),
    [
        ("index.html#league-table", "<p>A grade combines the company's documented cases"),
        ("index.html#grades-by-industry", "Number of companies at each grade, by industry. "),
        ("cases/index.html", "<p>3 documented cases about 2 companies, dated 2024 (where its"),
        ("cases/fiber-upgrade.html#timeline", "Timeline of the case: service outages"),
        ("cases/fiber-upgrade.html#scorecard", "<p>Score 13.3 of 100, grade F."),
        (
            "companies/comcast.html#complaints",
            "Complaints about Comcast per month. Complaints per month",
        ),
    ],
)
def test_sections_open_with_a_sentence(index, location, starts):
    assert index[location].startswith(starts), index[location][:120]


def test_grades_are_spoken_as_grades(index):
    """A grade badge reads "grade F" (the word is there for screen readers and search)."""
    assert "score 13.3 grade F" in index["cases/fiber-upgrade.html"]
    assert "grade C To cancel three cards" in index["index.html#latest-cases"]
    assert "not graded" in index["index.html#latest-cases"]
