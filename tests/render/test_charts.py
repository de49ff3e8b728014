"""The charts as data: every chart of the bundled corpus has its text alternative, units on its
value axes, a mode bar that sits above the data, and only trace types the shipped bundle draws."""

from __future__ import annotations

import json
import re

import pytest

from generator.render import charts
from generator.render.charts import MODEBAR_ROOM, Chart, figure, trace


def each_chart(check, every: list[Chart]) -> None:
    """Run ``check`` on every chart and report every chart that fails it, by id."""
    failures = []
    for chart in every:
        try:
            check(chart)
        except AssertionError as exc:
            failures.append(f"{chart.id}: {exc}")
    assert not failures, "\n".join(failures)


def test_the_corpus_has_every_kind_of_chart(every_chart):
    kinds = {re.sub(r"-.*", "", c.id) for c in every_chart}
    assert {"grades", "cases", "timeline", "categories", "complaints", "calls"} <= kinds


def test_each_chart_has_a_summary_and_its_data_as_text(every_chart):
    def check(chart):
        assert chart.summary.endswith(".") and len(chart.summary.split()) >= 5
        assert chart.caption and not chart.caption.endswith(".")  # the macro adds the full stop
        if chart.table_ref:
            assert chart.table_ref in ("events", "cases-table")
        else:
            assert chart.columns and chart.rows
            assert all(len(row) == len(chart.columns) and all(row) for row in chart.rows)

    each_chart(check, every_chart)


def test_each_value_axis_names_its_unit(every_chart):
    def check(chart):
        layout = json.loads(chart.json)["layout"]
        for name in ("xaxis", "yaxis", "yaxis2"):
            axis = layout.get(name)
            if axis is None or axis.get("categoryarray") or axis.get("autorange") == "reversed":
                continue  # lanes and category names label themselves
            assert axis.get("title", {}).get("text"), f"{chart.id}: {name} has no title"

    each_chart(check, every_chart)


def test_mode_bar_is_reduced_and_has_room_above_the_plot(every_chart):
    def check(chart):
        fig = json.loads(chart.json)
        config = fig["config"]
        buttons = config["modeBarButtons"][0]
        assert buttons[0] == "toImage"
        assert set(buttons) <= {"toImage", "zoomIn2d", "zoomOut2d", "resetScale2d"}
        assert config["displaylogo"] is False and config["responsive"] is True
        assert fig["layout"]["margin"]["t"] >= MODEBAR_ROOM
        assert {t["type"] for t in fig["data"]} <= charts.DRAWABLE
        # the box: the figure's height, and a legend's rows under the plot where it has one
        assert chart.height >= fig["layout"]["height"]
        assert (chart.height > fig["layout"]["height"]) == (
            fig["layout"].get("legend", {}).get("orientation") == "h"
        ), chart.id

    each_chart(check, every_chart)


def test_zoom_only_where_an_axis_can_zoom(every_chart):
    by_id = {c.id: json.loads(c.json)["config"]["modeBarButtons"][0] for c in every_chart}
    assert by_id["complaints-comcast"] == ["toImage"]  # both axes fixed
    assert by_id["grades-by-industry"] == ["toImage"]  # both axes fixed
    assert "zoomIn2d" in by_id["timeline-fiber-upgrade"]


def test_order_only_timeline_is_placed_by_order_not_by_placeholder_dates(bundled, bundled_board):
    case = bundled.cases["widow-billing-name"]
    score = bundled_board.case("widow-billing-name")
    fig = charts.case_timeline(case, score.outages)
    xs = [x for t in fig["data"] for x in t["x"]]
    assert xs and all(isinstance(x, int) for x in xs)
    assert set(xs) <= set(range(1, len(case.timeline) + 1))
    assert fig["layout"]["xaxis"]["type"] == "linear"
    assert fig["layout"]["xaxis"]["range"] == [0.5, len(case.timeline) + 0.5]
    hovers = " ".join(h for t in fig["data"] for h in t.get("text", []))
    assert "2009" not in hovers and "step 1 (no time given)" in hovers
    summary = charts.timeline_summary(case, score)
    assert "no dates" in summary and "4 contacts and 1 outage." in summary


def test_timed_timeline_is_placed_by_time(bundled, bundled_board):
    """Dates the source gives: a date axis. Dates it does not give (the bundled fiber case):
    hours from the first event, never the file's stand-in dates."""
    fiber = bundled.cases["fiber-upgrade"]
    dated = fiber.model_copy(update={"dates": "stated"})
    outages = bundled_board.case("fiber-upgrade").outages
    fig = charts.case_timeline(dated, outages)
    xs = [x for t in fig["data"] for x in t["x"]]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", x) for x in xs)
    assert fig["layout"]["xaxis"]["type"] == "date"
    fig = charts.case_timeline(fiber, outages)
    xs = [x for t in fig["data"] for x in t["x"]]
    assert all(isinstance(x, float) for x in xs) and min(xs) == 0
    assert fig["layout"]["xaxis"]["type"] == "linear"
    assert "2009" not in json.dumps(fig)


def test_chart_text_is_computed_from_its_data(every_chart, bundled):
    comcast = next(c for c in every_chart if c.id == "complaints-comcast")
    assert comcast.rows[0][0] == "Apr 2015" and comcast.rows[-1][0] == "Jun 2015"
    counts = [int(r[1].replace(",", "")) for r in comcast.rows]
    assert sum(counts) == len(bundled.incidents[bundled.incidents["company"] == "comcast"])
    assert f"and {max(counts):,}, most in" in comcast.summary
    assert "does not reach a year further back" in comcast.summary


def test_months_the_sources_do_not_cover_are_gaps_not_zeros(bundled_board):
    from generator.render.company_charts import monthly_complaints
    from generator.score.board import CompanyFigure

    comcast = next(c for c in bundled_board.companies if c.company == "comcast")

    def monthly(period, value, n):
        return CompanyFigure("complaints_monthly", "all", period, value, "complaints", n, None, 0)

    gapped = comcast.model_copy(update={"figures": [
        monthly("2016-01", 40.0, 40), monthly("2016-02", None, 0), monthly("2016-03", 50.0, 50),
    ]})  # fmt: skip
    chart = monthly_complaints(gapped)
    assert chart.figure["data"][0]["y"] == [40.0, None, 50.0]  # drawn as a gap
    assert "1 month the sources do not cover is left blank" in chart.summary
    assert [r[1] for r in chart.rows] == ["40", "—", "50"]


def test_a_chart_without_text_or_with_an_undrawable_trace_is_refused():
    fig = figure(trace("bar", x=[1], y=[1]))
    with pytest.raises(ValueError, match="summary"):
        Chart(id="x", figure=fig, caption="c", summary=" ", table_ref="t")
    with pytest.raises(ValueError, match="data rows"):
        Chart(id="x", figure=fig, caption="c", summary="A sentence.")
    with pytest.raises(ValueError, match="one cell per column"):
        Chart(
            id="x",
            figure=fig,
            caption="c",
            summary="A sentence.",
            columns=("a",),
            rows=(("1", "2"),),
        )
    with pytest.raises(ValueError, match="lower-case"):
        Chart(id="Bad Id", figure=fig, caption="c", summary="A sentence.", table_ref="t")
    with pytest.raises(ValueError, match="cannot draw"):
        Chart(
            id="x",
            figure=figure(trace("heatmap", z=[[1]])),
            caption="c",
            summary="A.",
            table_ref="t",
        )


def test_author_text_in_a_figure_cannot_close_the_attribute():
    fig = figure(trace("bar", x=["<b>'&\""], y=[1], hovertemplate="</div><script>"))
    chart = Chart(id="x", figure=fig, caption="c", summary="A sentence.", table_ref="t")
    assert not set("<>'&") & set(chart.json)
    # inert for Plotly's HTML subset too (issue 23): entities Plotly decodes, never tags
    assert json.loads(chart.json)["data"][0]["x"] == ["&lt;b&gt;'&amp;&quot;"]
