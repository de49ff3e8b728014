"""Metrics equal the figures the source articles state."""

from pathlib import Path

import pytest

from generator.measure import case_metrics
from generator.pipeline import load as load_corpus

CASES = Path(__file__).resolve().parents[2] / "cases"


@pytest.fixture(scope="module")
def metrics():
    return case_metrics(load_corpus(CASES).cases)


def value(metrics, case, name):
    row = metrics.for_case(case).loc[name]
    return row["value"], row["basis"], row["qualifier"]


def test_fiber_case_matches_the_article(metrics):
    m = metrics.for_case("fiber-upgrade")
    assert m.loc["hours_without_service", "value"] == 112
    assert m.loc["hours_without_service", "counted"] == 112  # the timeline reproduces it
    assert value(metrics, "fiber-upgrade", "contacts") == (22, "stated", "exactly")
    assert value(metrics, "fiber-upgrade", "promises_missed")[0] == 3
    assert m.loc["promises_missed", "counted"] == 3
    assert value(metrics, "fiber-upgrade", "distinct_agents") == (50, "stated", "at_least")
    assert value(metrics, "fiber-upgrade", "hours_on_phone") == (12, "stated", "at_least")
    assert m.loc["regulator_needed", "value"] == 1
    assert m.loc["owners", "value"] == 2 and m.loc["owners", "counted"] == 2
    assert m.loc["support_unavailable", "value"] == 3
    assert m.loc["closed_department_transfers", "value"] == 1
    assert m.loc["hours_to_resolution", "value"] == 112
    assert m.loc["days_of_effort", "value"] == 5
    assert m.loc["agents_per_owner", "value"] == 25
    assert m.loc["promises_missed", "evidence"] == [
        "switch-day-missed",
        "second-deadline-missed",
        "third-deadline-missed",
    ]


def test_dial_tone_cut_18_hours_before_switch():
    case = load_corpus(CASES).cases["fiber-upgrade"]
    events = {e.id: e for e in case.timeline}
    cut, first_due = events["dial-tone-cut"].at, events["promise-1"].due
    assert (first_due - cut).total_seconds() / 3600 == 19  # switch at 11:00, due at noon
    assert "18 hours" in events["dial-tone-cut"].when_stated


def test_bank_case(metrics):
    m = metrics.for_case("lost-wallet-bank")
    assert value(metrics, "lost-wallet-bank", "contacts") == (6, "stated", "about")
    assert m.loc["divisions_contacted", "value"] == 3
    assert m.loc["channel_disparity", "value"] == 1
    assert m.loc["contact_obstacles", "value"] == 2  # touch-tone letters, twice
    assert m.loc["regulator_needed", "value"] == 0
    assert round(m.loc["hours_to_resolution", "value"]) == 43
    assert m.loc["hours_on_phone", "basis"] == "counted"
    assert m.loc["hours_on_phone", "value"] != m.loc["hours_on_phone", "value"]  # NaN: no data


def test_widow_case_unresolved(metrics):
    m = metrics.for_case("widow-billing-name")
    assert m.loc["resolved", "value"] == 0
    assert value(metrics, "widow-billing-name", "contacts") == (22, "stated", "about")
