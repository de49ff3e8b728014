"""The case metrics follow the rules the methodology publishes (each test failed before)."""

import math

from generator.measure import case_metrics
from generator.measure.registry import REGISTRY
from generator.score.companies import recency_weights


def _edited(bundled, slug, change):
    """A copy of a bundled case with its timeline changed (the shared corpus stays as it is)."""
    case = bundled.cases[slug]
    return {slug: case.model_copy(update={"timeline": change(list(case.timeline))})}


def _value(cases, slug, metric):
    return case_metrics(cases).for_case(slug).loc[metric, "value"]


def test_a_partial_resolution_does_not_resolve_the_case(bundled):
    def partial(events):
        return [
            e.model_copy(update={"complete": False}) if e.kind == "resolution" else e
            for e in events
        ]

    cases = _edited(bundled, "lost-wallet-bank", partial)
    m = case_metrics(cases).for_case("lost-wallet-bank")
    assert m.loc["resolved", "value"] == 0  # the rubric: "solve it completely"
    assert math.isnan(m.loc["hours_to_resolution", "value"])  # nothing to count to
    assert m.loc["channel_disparity", "value"] == 0  # the post solved nothing
    assert "new-cards" in m.loc["resolved", "evidence"]  # the partial fix is shown, though


def test_no_owner_gives_no_ratio_rather_than_dividing_by_one(bundled):
    def no_owner(events):
        return [e for e in events if e.kind != "ownership"]

    cases = _edited(bundled, "lost-wallet-bank", no_owner)
    m = case_metrics(cases).for_case("lost-wallet-bank")
    assert m.loc["owners", "value"] == 0 and m.loc["distinct_agents", "value"] == 4
    assert math.isnan(m.loc["agents_per_owner", "value"])
    assert _value(bundled.cases, "lost-wallet-bank", "agents_per_owner") == 4  # 4 per 1 owner


def test_a_regulator_complaint_with_nothing_resolved_gives_no_figure(bundled):
    def unresolved(events):
        return [e for e in events if e.kind != "resolution"]

    cases = _edited(bundled, "fiber-upgrade", unresolved)
    assert math.isnan(_value(cases, "fiber-upgrade", "regulator_needed"))
    assert _value(bundled.cases, "fiber-upgrade", "regulator_needed") == 1
    assert _value(bundled.cases, "lost-wallet-bank", "regulator_needed") == 0  # no complaint


def test_the_published_descriptions_state_the_rules_the_code_follows():
    text = {m: REGISTRY[m].description for m in REGISTRY}
    assert "both days counted" in text["days_of_effort"]  # inclusive calendar days
    assert "complete" in text["resolved"] and "partial" in text["resolved"]
    assert "nobody took ownership" in text["agents_per_owner"]
    assert "nothing was resolved" in text["regulator_needed"]
    assert "first loss of service" in text["hours_to_resolution"]
    assert "by anyone" in text["hours_to_escalation"]
    assert "complete resolution" in text["hours_to_escalation"]
    assert "never restored" in text["hours_without_service"]
    assert "customer started" in text["contacts"]


def test_recency_is_counted_from_the_latest_date_of_any_case(bundled_board, bundled):
    """Methodology: "counted back from the latest date any case's sources give", graded or
    not (an ungraded case's sources still date the corpus)."""
    import datetime as dt

    graded = bundled_board.case("lost-wallet-bank")
    old = graded.model_copy(update={"recency_date": dt.date(2020, 1, 1)})
    later = bundled_board.case("widow-billing-name").model_copy(
        update={"recency_date": dt.date(2020 + 3, 1, 1), "score": None}
    )
    weights, reference = recency_weights(bundled.rubric, [old, later])
    assert reference == dt.date(2023, 1, 1)
    assert set(weights) == {"lost-wallet-bank"}  # only graded cases weigh
    assert weights["lost-wallet-bank"] == round(0.5 ** (1096 / bundled.rubric.half_life_days), 4)
