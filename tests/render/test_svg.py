"""Issue 22: every chart is also drawn at build time as a static SVG, from the same figure the
page hands to plotly. The drawing is well-formed SVG, named for assistive technology, its bars
and lines measure the figure's own numbers (read back through the drawing's axis ticks), and
author text in it is XML text, never markup."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from generator.render.charts import Chart, figure, trace
from generator.render.i18n import formatting
from generator.render.svg import chart_svg

NS = "{http://www.w3.org/2000/svg}"


def _svg(chart: Chart) -> ET.Element:
    return ET.fromstring(chart.svg)


def _number(label: str) -> float:
    return float(label.replace(",", "").rstrip("%"))


def _axis(root: ET.Element, which: str) -> tuple[float, float]:
    """(value at pixel 0, value per pixel) of a numeric axis, from two of its tick labels
    (y labels sit 4 units below their tick: on the text's baseline)."""
    ticks = [t for t in root.iter(f"{NS}text") if t.get("class") == f"cx-tick-{which}"]
    at = [(float(t.get("x" if which == "x" else "y")) - (0 if which == "x" else 4),
           _number(t.text)) for t in ticks]  # fmt: skip
    (p0, v0), (p1, v1) = at[0], at[-1]
    slope = (v1 - v0) / (p1 - p0)
    return v0 - slope * p0, slope


BAR = re.compile(r"M([-\d.]+),([-\d.]+)h([-\d.]+)v([-\d.]+)h[-\d.]+z")


def _bar_lengths(root: ET.Element, flat: bool) -> list[float]:
    """The length of every bar along its value axis, in pixels."""
    out = []
    for path in root.iter(f"{NS}path"):
        if path.get("class") == "cx-bar":
            for _x, _y, h, v in BAR.findall(path.get("d")):
                out.append(abs(float(h)) if flat else abs(float(v)))
    return out


def test_every_chart_has_a_well_formed_named_drawing(every_chart):
    assert len(every_chart) >= 8
    for chart in every_chart:
        root = _svg(chart)  # parses: well-formed XML
        assert root.tag == f"{NS}svg" and root.get("role") == "img", chart.id
        assert root.get("aria-labelledby") == f"caption-{chart.id} summary-{chart.id}"
        # as tall as the chart's box, the height plotly draws at in it (issue 22: no jump)
        assert float(root.get("height")) == chart.height, chart.id
        marks = [p for p in root.iter(f"{NS}path") if p.get("class") in
                 ("cx-bar", "cx-line", "cx-mark")]  # fmt: skip
        assert marks, f"{chart.id} draws nothing"


def test_bars_measure_the_figures_numbers(every_chart):
    """Every bar of every bar chart, read back through the drawing's own ticks, is a value of
    the figure plotly draws (the same data), and there is one bar per value."""
    checked = 0
    for chart in every_chart:
        fig = json.loads(chart.json)
        bars = [t for t in fig["data"] if t["type"] == "bar"]
        if not bars:
            continue
        flat = bars[0].get("orientation") == "h"
        values = sorted(v for t in bars for v in t["x" if flat else "y"] if v)
        root = _svg(chart)
        _, per_pixel = _axis(root, "x" if flat else "y")
        drawn = sorted(abs(per_pixel) * n for n in _bar_lengths(root, flat) if n > 0)
        assert len(drawn) == len(values), chart.id
        tolerance = 0.01 * max(values)
        for got, want in zip(drawn, values, strict=True):
            assert got == pytest.approx(want, abs=tolerance), chart.id
        checked += 1
    assert checked >= 4  # categories, complaints, calls, grades


def test_share_line_measures_the_figures_numbers(every_chart):
    chart = next(c for c in every_chart if c.id.startswith("calls-"))
    fig = json.loads(chart.json)
    shares = next(t for t in fig["data"] if t.get("yaxis") == "y2")["y"]
    root = _svg(chart)
    origin, per_pixel = _axis(root, "y2")
    line = next(p for p in root.iter(f"{NS}path") if p.get("class") == "cx-line")
    ys = [float(y) for y in re.findall(r"[ML][-\d.]+,([-\d.]+)", line.get("d"))]
    assert len(ys) == len(shares)
    for y, share in zip(ys, shares, strict=True):
        assert origin + per_pixel * y == pytest.approx(share, abs=0.5)


def test_timeline_draws_a_mark_per_event_and_a_span_per_outage(every_chart, bundled_board):
    chart = next(c for c in every_chart if c.id == "timeline-fiber-upgrade")
    root = _svg(chart)
    spans = [p for p in root.iter(f"{NS}path") if p.get("class") == "cx-line"
             and p.get("stroke-width") == "14"]  # fmt: skip
    assert len(spans) == len(bundled_board.case("fiber-upgrade").outages) == 1


HOSTILE = '<a href="https://evil.example/">link</a> <b>bold</b> & <script>x</script>'


def test_author_text_is_text_in_the_drawing():
    fig = figure(
        trace("bar", x=[HOSTILE, "plain"], y=[3, 4], name=HOSTILE),
        trace("scatter", x=[HOSTILE, "plain"], y=[1, 2], name="other", mode="lines"),
        height=300,
        xaxis={"title": {"text": HOSTILE}},
    )
    root = ET.fromstring(chart_svg(fig, "caption-x summary-x"))
    assert not [e for e in root.iter() if e.tag.split("}")[-1] in ("a", "b", "script")]
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert HOSTILE in texts  # the legend and the axis title show it as it was written
    assert any(t.startswith("<a href") for t in texts)


def test_hebrew_text_runs_right_to_left(every_chart):
    """In the Hebrew edition the drawing's text runs right to left (its anchors mirrored, so
    labels stay on their side of the axes); the axes themselves run as plotly's do."""
    chart = next(c for c in every_chart if c.id.startswith("calls-"))
    english = _svg(chart)
    with formatting("he"):
        hebrew = _svg(chart)
    assert "direction" not in english.attrib and hebrew.get("direction") == "rtl"
    anchors = {t.get("class"): t.get("text-anchor") for t in english.iter(f"{NS}text")}
    mirrored = {t.get("class"): t.get("text-anchor") for t in hebrew.iter(f"{NS}text")}
    assert anchors["cx-tick-y"] == "end" and mirrored["cx-tick-y"] == "start"
    assert anchors["cx-tick-x"] == mirrored["cx-tick-x"] == "middle"


def test_two_drawings_of_a_figure_are_identical(every_chart):
    for chart in every_chart:
        assert chart.svg == chart.svg


@pytest.mark.parametrize(
    "traces",
    [
        [],
        [trace("bar", x=[], y=[])],
        [trace("bar", x=["a", "b"], y=[None, None], name="n"), trace("bar", x=["a"], y=[1])],
        [trace("scatter", x=["2024-01-01 10:00"], y=["Service"], mode="markers")],
        [trace("scatter", x=[0.0, float("nan")], y=[1.0, float("inf")], mode="lines+markers")],
        [trace("bar", x=["2024-01-01"], y=[5], name="one"),
         trace("scatter", x=["2024-01-01"], y=[None], yaxis="y2", name="share")],
    ],
)  # fmt: skip
def test_edge_figures_still_give_a_well_formed_drawing(traces):
    """No data, one point, missing and non-finite values: a drawing, never a crash."""
    fig = figure(*traces, height=300, yaxis2={"overlaying": "y", "range": [0, 100]})
    root = ET.fromstring(chart_svg(fig, "caption-x summary-x"))
    assert root.get("role") == "img"
    assert "nan" not in ET.tostring(root, encoding="unicode").lower().replace("nano", "")
