"""Charts: plotly figures as plain data, each with the same facts as text.

A `Chart` is what a page embeds: the figure (JSON in an attribute, with fixed ids so two
builds are byte-identical), a caption, a one-sentence summary (shown under the chart and used
as its accessible name) and a data table for readers who cannot see the chart, or a pointer to
a table already on the page. The `chart` macro in templates/_macros.md.j2 renders any Chart;
plotly.js is shipped once as a site asset and loaded only by pages that draw one.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..load.models import Case, as_datetime
from ..score import CallDay, CaseScore, CompanyScore, OutageSpan, Scoreboard
from . import format as fmt
from .i18n import N_, Nn_, _, current_locale, ngettext, term
from .svg import NARROW, chart_svg, drawing_height

LANES = [
    N_("Service"),
    N_("Contacts"),
    N_("Transfers"),
    N_("Promises"),
    N_("Escalation"),
    N_("Regulator"),
    N_("Resolution"),
]
KIND_LANE = {
    "service_lost": "Service",
    "service_restored": "Service",
    "contact": "Contacts",
    "transfer": "Transfers",
    "promise": "Promises",
    "promise_kept": "Promises",
    "promise_missed": "Promises",
    "ownership": "Escalation",
    "escalation": "Escalation",
    "regulator_complaint": "Regulator",
    "resolution": "Resolution",
    "company_statement": "Resolution",
}
COLORS = {
    "bad": "#d62728",
    "warn": "#ff7f0e",
    "good": "#2ca02c",
    "neutral": "#1f77b4",
    "muted": "#7f7f7f",
}
GRADE_COLORS = {
    "A": "#1a9850",
    "B": "#91cf60",
    "C": "#fee08b",
    "D": "#fc8d59",
    "E": "#e34a33",
    "F": "#d73027",
}
# Room above the plot for plotly's mode bar, so its buttons never sit on the data.
MODEBAR_ROOM = 36
# Trace types the shipped plotly.js bundle draws (plotly.js-basic: scatter, bar, pie);
# a chart of another type would draw nothing, so building one is an error.
DRAWABLE = frozenset({"scatter", "bar", "pie"})

# A legend in a row under the chart, below the x axis title (the margin grows to fit it).
LEGEND_BELOW = {"orientation": "h"}

Figure = dict[str, Any]


def figure(*traces: dict, **layout: Any) -> Figure:
    """A Plotly figure as plain data: the same JSON plotly.py writes, built ~50x faster
    (plotly.py validates every property, which dominated the build of large sites).
    Every title and tick text of the layout is made inert (``plotly_text``)."""
    return {"data": list(traces), "layout": _inert_layout(layout)}


# Trace properties Plotly draws as text (categories, legend names, hover and bar texts).
TEXT_PROPS = ("x", "y", "name", "text", "hovertext", "labels", "legendgroup")


def trace(kind: str, **props: Any) -> dict:
    """One trace; every value it shows as text passes through ``plotly_text``."""
    for key in TEXT_PROPS:
        if key in props:
            value = props[key]
            is_list = isinstance(value, (list, tuple))
            props[key] = [plotly_text(v) for v in value] if is_list else plotly_text(value)
    return {"type": kind, **props}


class PlotlyText(str):
    """Text already made safe for Plotly's HTML subset (escaped parts joined with the few
    tags cxreport writes itself, such as ``<br>``): never escaped twice."""


def plotly_text(value: Any) -> Any:
    """A value a chart shows as text, made inert: Plotly renders a subset of HTML in chart
    text (``<a href>`` becomes a link, ``<span style>`` restyles, ``<b>``, ``<br>``), so a
    company name, a product, a category or a case's ``service`` must not reach it as markup.
    Entities are decoded by Plotly, so ``AT&T`` still shows as ``AT&T``. Non-text passes."""
    if not isinstance(value, str) or isinstance(value, PlotlyText):
        return value
    return _escape(value)


def _inert_layout(layout: dict) -> dict:
    out = {}
    for key, value in layout.items():
        if isinstance(value, dict):
            out[key] = _inert_layout(value)
        elif key == "text" or key == "ticktext":
            out[key] = (
                [plotly_text(v) for v in value] if isinstance(value, list) else (plotly_text(value))
            )
        else:
            out[key] = value
    return out


_HTML_SAFE = str.maketrans({"&": "\\u0026", "'": "\\u0027", "<": "\\u003c", ">": "\\u003e"})


def figure_json(fig: Figure) -> str:
    """Compact, key-sorted JSON of a figure (no random ids, no template: the page sets it).

    The characters HTML cares about are written as JSON escapes, so the text can sit in a
    single-quoted attribute as it is: no entities for HTML parsers (mkdocs', the search
    indexer's, the browser's) to decode, which made large sites noticeably slower to build.
    """
    text = json.dumps(fig, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.translate(_HTML_SAFE)


_CHART_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Chart:
    """A chart as a page shows it: the figure for the eye and the same facts as text.

    ``rows`` (formatted cells, first cell names the row) fill a data table under the chart;
    a chart whose data is already a table on the page names that table's id in ``table_ref``
    instead. Every chart needs one or the other: a screen reader gets the numbers either way.
    """

    id: str
    figure: Figure
    caption: str
    summary: str
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    table_ref: str | None = None
    table_ref_text: str = N_("The data of this chart is in the table below.")
    config: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not _CHART_ID.match(self.id):
            raise ValueError(f"chart id {self.id!r} must be lower-case words joined by hyphens")
        if not self.summary.strip():
            raise ValueError(f"chart {self.id} needs a summary sentence")
        if not (self.rows or self.table_ref):
            raise ValueError(f"chart {self.id} needs data rows or the id of a table on the page")
        if any(len(row) != len(self.columns) for row in self.rows):
            raise ValueError(f"chart {self.id}: every row needs one cell per column")
        kinds = {t.get("type", "scatter") for t in self.figure.get("data", [])}
        if kinds - DRAWABLE:
            raise ValueError(f"chart {self.id}: the shipped plotly bundle cannot draw {kinds}")

    @property
    def height(self) -> int:
        """The chart box's height in pixels: the build-time drawing's (``svg.drawing_height``:
        the figure's height and its legend's rows). The drawing fills the box before any
        script runs and plotly's chart is drawn at its height, so nothing below it jumps."""
        return round(drawing_height(finished(self.figure, self.config)))

    @property
    def narrow_height(self) -> int:
        """The box's height on a phone, where a legend under the plot wraps into more rows
        (``svg.NARROW``): plotly's chart keeps its plot's room there."""
        return round(drawing_height(finished(self.figure, self.config), NARROW))

    @property
    def json(self) -> str:
        """The figure as the page script reads it: data, layout and the mode bar's config."""
        return figure_json(finished(self.figure, self.config))

    @property
    def svg(self) -> str:
        """The same figure drawn at build time (``svg.chart_svg``): what the page shows until
        plotly.js replaces it, and what readers without JavaScript and print get. Named by
        the figure's caption and summary; its text runs right to left where the edition does."""
        labelled_by = f"caption-{self.id} summary-{self.id}"
        rtl = fmt.right_to_left(current_locale())
        return chart_svg(finished(self.figure, self.config), labelled_by, rtl)


def finished(fig: Figure, config: dict | None = None) -> Figure:
    """The figure with room above the plot for the mode bar, and a mode bar holding what a
    reader uses: a PNG download, and zoom where an axis can be zoomed (never a cloud upload)."""
    layout = dict(fig.get("layout", {}))
    margin = dict(layout.get("margin", {}))
    margin["t"] = max(margin.get("t", 0), MODEBAR_ROOM)
    layout["margin"] = margin
    buttons = ["toImage"]
    if _zoomable(fig):
        buttons += ["zoomIn2d", "zoomOut2d", "resetScale2d"]
    base = {
        "displaylogo": False,
        "displayModeBar": True,
        "modeBarButtons": [buttons],
        "responsive": True,
        "toImageButtonOptions": {"format": "png", "scale": 2},
    }
    return {**fig, "layout": layout, "config": {**base, **(config or {})}}


def _zoomable(fig: Figure) -> bool:
    """A chart is zoomable when it has axes and at least one of them is not fixed."""
    if all(t.get("type") == "pie" for t in fig.get("data", [])):
        return False
    layout = fig.get("layout", {})
    axes = [layout.get(name, {}) for name in ("xaxis", "yaxis")]
    return not all(axis.get("fixedrange") for axis in axes)


def _iso(ts: dt.datetime) -> str:
    return ts.strftime("%Y-%m-%d %H:%M")


def _label(ev: Any) -> str:
    text = ev.note or getattr(ev, "what", None) or getattr(ev, "text", None) or ev.kind
    return text if len(text) <= 140 else text[:137] + "…"


# --------------------------------------------------------------------------- case timeline

MARKER_STYLES = {
    # group: plotly symbol, colour, legend name
    "contact": ("circle", COLORS["neutral"], N_("Contact")),
    "unavailable": ("x", COLORS["bad"], N_("Support unavailable")),
    "transfer": ("triangle-right", COLORS["warn"], N_("Transfer")),
    "closed_transfer": ("triangle-right", COLORS["bad"], N_("Transfer to a closed department")),
    "promise": ("diamond-open", COLORS["warn"], N_("Promise")),
    "promise_missed": ("diamond-x", COLORS["bad"], N_("Promise missed")),
    "promise_kept": ("diamond", COLORS["good"], N_("Promise kept")),
    "escalation": ("star", COLORS["neutral"], N_("Escalation / ownership")),
    "regulator_complaint": ("square", COLORS["bad"], N_("Regulator complaint")),
    "resolution": ("circle", COLORS["good"], N_("Resolution")),
    "service": ("line-ns", COLORS["muted"], N_("Service lost / restored")),
    "company_statement": ("hexagon-open", COLORS["muted"], N_("Company statement")),
}


class _Places:
    """Where an event sits on the x axis: its time; hours from the first event when the
    sources give no dates (the file's dates only keep events apart); its place in the order
    when they give no times (then every event is drawn by order, never by stand-in dates)."""

    def __init__(self, case: Case) -> None:
        events = case.timeline
        self.by_order = any(e.order_only for e in events)
        self.relative = not self.by_order and case.dates == "not_given"
        self.step = {e.id: n + 1 for n, e in enumerate(events)}
        self.first = min(e.timestamp for e in events)

    def at(self, ts: dt.datetime) -> str | float:
        if self.relative:
            return round((ts - self.first).total_seconds() / 3600, 2)
        return _iso(ts)

    def x(self, ev: Any) -> str | int | float:
        return self.step[ev.id] if self.by_order else self.at(ev.timestamp)

    def when(self, ev: Any) -> str:
        if self.by_order:
            return _("step %(n)s (no time given)") % {"n": self.step[ev.id]}
        if self.relative:
            day = (ev.timestamp.date() - self.first.date()).days + 1
            text = _("day %(n)s, %(time)s") % {"n": day, "time": f"{ev.timestamp:%H:%M}"}
        else:
            text = _iso(ev.timestamp)
        return text + (" (" + _("approx.") + ")" if ev.approximate else "")


def case_timeline(case: Case, outages: list[OutageSpan]) -> Figure:
    """Lanes of events over time: outage spans, contacts sized by time, promises to deadlines."""
    events = case.timeline
    places = _Places(case)
    fig = figure(
        *_outage_traces(case, outages, places),
        *_promise_traces(events, places),
        *_marker_traces(events, places),
    )
    fig["layout"].update(_timeline_layout(events, places))
    return fig


def _outage_traces(case: Case, outages: list[OutageSpan], places: _Places) -> list[dict]:
    """The outage spans measure handed over (the hours-without-service metric's own rule)."""
    by_id = {e.id: e for e in case.timeline}
    traces = []
    for span in outages:
        lost = by_id[span.lost]
        end = by_id[span.end] if span.end is not None else lost
        if span.hours is None or places.by_order:
            span_text = _("duration not known")
        else:
            hours = {"n": fmt.number(round(span.hours), current_locale())}
            approx = span.approximate
            span_text = (_("about %(n)s hours") if approx else _("%(n)s hours")) % hours
        no_service = _("No %(service)s") % {"service": lost.service}
        traces.append(
            trace(
                "scatter",
                x=[places.x(lost), places.x(end)],
                y=[_("Service"), _("Service")],
                mode="lines",
                line={"color": COLORS["bad"], "width": 14},
                name=no_service,
                hovertemplate=f"{_escape(no_service)}: {span_text}<extra></extra>",
                customdata=[lost.id, end.id],
                showlegend=True,
            )
        )
    return traces


def _promise_traces(events: list, places: _Places) -> list[dict]:
    """A dotted line from when a promise was made to when it was due (times only)."""
    if places.by_order:
        return []
    return [
        trace(
            "scatter",
            x=[places.at(ev.timestamp), places.at(as_datetime(ev.due))],
            y=[_("Promises"), _("Promises")],
            mode="lines",
            line={"color": COLORS["warn"], "width": 2, "dash": "dot"},
            showlegend=False,
            hoverinfo="skip",
        )
        for ev in events
        if ev.kind == "promise" and ev.due is not None
    ]


def _marker_traces(events: list, places: _Places) -> list[dict]:
    groups: dict[str, list] = {}
    for ev in events:
        groups.setdefault(_marker_group(ev), []).append(ev)
    traces = []
    for group, (symbol, color, name) in MARKER_STYLES.items():
        evs = groups.get(group)
        if not evs:
            continue
        traces.append(
            trace(
                "scatter",
                x=[places.x(e) for e in evs],
                y=[_(KIND_LANE[e.kind]) for e in evs],
                mode="markers",
                name=_(name),
                marker={
                    "symbol": symbol,
                    "color": color,
                    "size": [_marker_size(e) for e in evs],
                    "line": {"width": 1.5, "color": color},
                },
                customdata=[e.id for e in evs],
                text=[_hover(e, places) for e in evs],
                hovertemplate="%{text}<extra></extra>",
            )
        )
    return traces


def _timeline_layout(events: list, places: _Places) -> dict:
    lanes = [lane for lane in LANES if any(KIND_LANE[e.kind] == lane for e in events)]
    if places.by_order:
        xaxis = {
            "type": "linear",
            "title": {"text": _("order of events (the source gives no dates)")},
            "dtick": 1,
            "range": [0.5, len(events) + 0.5],
        }
    elif places.relative:
        xaxis = {
            "type": "linear",
            "title": {"text": _("hours from the first event (the source gives no dates)")},
            "rangemode": "tozero",
        }
    else:
        xaxis = {"type": "date", "title": {"text": _("date and time")}}
    return {
        "height": 160 + 48 * len(lanes),
        "margin": {"l": 90, "r": 20, "t": MODEBAR_ROOM, "b": 40},
        "yaxis": {
            "categoryorder": "array",
            "categoryarray": [_(lane) for lane in reversed(lanes)],
            "fixedrange": True,
        },
        "xaxis": xaxis,
        "legend": LEGEND_BELOW,
        "hovermode": "closest",
        "clickmode": "event",
    }


def _marker_group(ev: Any) -> str:
    if ev.kind == "contact":
        return "unavailable" if ev.outcome == "unavailable" else "contact"
    if ev.kind == "transfer":
        return "closed_transfer" if ev.department_closed else "transfer"
    if ev.kind in ("service_lost", "service_restored"):
        return "service"
    if ev.kind == "ownership":
        return "escalation"
    return ev.kind


def _marker_size(ev: Any) -> float:
    if ev.kind != "contact":
        return 14
    minutes = (ev.hold_minutes or 0) + (ev.talk_minutes or 0)
    return min(10 + minutes / 4, 40)


def _hover(ev: Any, places: _Places) -> str:
    parts = [f"<b>{_escape(term(ev.kind))}</b> · {places.when(ev)}"]
    if ev.kind == "contact":
        bits = [term(ev.channel)]
        locale = current_locale()
        if ev.hold_minutes is not None:
            bits.append(_("%(n)s min on hold") % {"n": fmt.number(ev.hold_minutes, locale)})
        if ev.talk_minutes is not None:
            bits.append(_("%(n)s min talking") % {"n": fmt.number(ev.talk_minutes, locale)})
        parts.append(_escape(", ".join(bits)))
    parts.append(_escape(_label(ev)))
    return PlotlyText("<br>".join(parts))


def _escape(text: str) -> PlotlyText:
    """Plotly renders a subset of HTML in chart text: author text must not become markup."""
    return PlotlyText(
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _count(n: int, forms: tuple[str, str], locale: str | None = None) -> str:
    """``n`` with its noun, in the edition's language (``forms``: a catalogue entry such as
    ("%(n)s case", "%(n)s cases"))."""
    return ngettext(*forms, n) % {"n": fmt.number(n, locale or current_locale())}


DAYS = Nn_("%(n)s day", "%(n)s days")
CONTACTS = Nn_("%(n)s contact", "%(n)s contacts")
TRANSFERS = Nn_("%(n)s transfer", "%(n)s transfers")
MISSED = Nn_("%(n)s missed promise", "%(n)s missed promises")


def timeline_summary(case: Case, score: CaseScore) -> str:
    """One sentence: how many events of which kinds are drawn, over what span (or in what
    order), never with a date the sources do not give; where the page's figure is a total the
    source states, the sentence says so beside the count drawn."""
    events = case.timeline
    kinds = [_marker_group(e) for e in events]
    counts = [
        (sum(k in ("contact", "unavailable") for k in kinds), CONTACTS),
        (sum(k in ("transfer", "closed_transfer") for k in kinds), TRANSFERS),
        (sum(k == "promise_missed" for k in kinds), MISSED),
        (len(score.outages), Nn_("%(n)s outage", "%(n)s outages")),
    ]
    what = fmt.join([_count(n, forms) for n, forms in counts if n])
    n = _count(len(events), Nn_("%(n)s event", "%(n)s events"))
    locale = current_locale()
    if any(e.order_only for e in events):
        span = _("%(events)s in the order the source tells them (it gives no dates)") % {
            "events": n
        }
    elif case.dates == "not_given":
        days = (events[-1].timestamp.date() - events[0].timestamp.date()).days + 1
        over = (
            _("%(events)s over about %(days)s (the source gives no dates)")
            if any(e.approximate for e in events)
            else _("%(events)s over %(days)s (the source gives no dates)")
        )
        span = over % {"events": n, "days": _count(days, DAYS)}
    else:
        first, last = events[0].timestamp, events[-1].timestamp
        span = _("%(events)s from %(first)s to %(last)s") % {
            "events": n,
            "first": fmt.when(first, locale),
            "last": fmt.when(last, locale),
        }
    what = what or _("no contacts")
    totals = _stated_totals(score)
    return f"{span}: {what}." + (f" {totals}" if totals else "")


def _stated_totals(score: CaseScore | None) -> str:
    """ "The source states 22 contacts in all." for every drawn kind whose figure is stated."""
    if score is None:
        return ""
    kinds = [("contacts", CONTACTS), ("transfers", TRANSFERS), ("promises_missed", MISSED)]
    said = []
    for metric, forms in kinds:
        detail = score.metric_details.get(metric)
        if detail and detail.basis == "stated" and detail.value is not None:
            qualifier = "about" if detail.inferred else detail.qualifier
            words = fmt.value_words(detail.value, qualifier)
            count = int(detail.value) if float(detail.value).is_integer() else 2
            said.append(ngettext(*forms, count) % {"n": words})
    if not said:
        return ""
    return _("The source states %(what)s in all.") % {"what": fmt.join(said)}


def case_charts(case: Case, score: CaseScore) -> dict[str, Chart]:
    """The case page's charts by id: its timeline, whose data is the events table."""
    chart = Chart(
        id=f"timeline-{case.slug}",
        figure=case_timeline(case, score.outages),
        caption=_(
            "Timeline of the case: service outages, contacts, transfers, promises, "
            "escalations and resolution"
        ),
        summary=timeline_summary(case, score),
        table_ref="events",
        table_ref_text=_("Every event of this chart is listed in the events table below."),
    )
    return {chart.id: chart}


# --------------------------------------------------------------------------- company charts


def category_bars(categories: dict[str, float | None], names: dict[str, str]) -> Figure:
    ids = [k for k, v in categories.items() if v is not None]
    fig = figure(
        trace(
            "bar",
            x=[categories[k] for k in ids],
            y=[_(names[k]) for k in ids],
            orientation="h",
            marker={"color": [_score_color(categories[k]) for k in ids]},
            hovertemplate="%{y}: %{x:.0f} / 100<extra></extra>",
        )
    )
    fig["layout"].update(
        height=90 + 36 * len(ids),
        margin={"l": 160, "r": 20, "t": MODEBAR_ROOM, "b": 50},
        xaxis={"range": [0, 100], "fixedrange": True, "title": {"text": _("score (0–100)")}},
        yaxis={"autorange": "reversed", "fixedrange": True, "automargin": True},
    )
    return fig


def category_chart(company: CompanyScore, names: dict[str, str]) -> Chart:
    scored = [(_(names[k]), v) for k, v in company.categories.items() if v is not None]
    best = max(scored, key=lambda kv: kv[1])
    worst = min(scored, key=lambda kv: kv[1])
    summary = _("Best category: %(best)s, %(high)s of 100; worst: %(worst)s, %(low)s of 100.") % {
        "best": best[0],
        "high": fmt.number(round(best[1])),
        "worst": worst[0],
        "low": fmt.number(round(worst[1])),
    }
    return Chart(
        id=f"categories-{company.company}",
        figure=category_bars(company.categories, names),
        caption=_(
            "Score of %(name)s in each category of the rubric: the weighted mean of its graded "
            "cases, without the prior"
        )
        % {"name": company.name},
        summary=summary,
        columns=(_("Category"), _("Score (of 100)")),
        rows=tuple((name, fmt.number(round(v, 1))) for name, v in scored),
    )


def _score_color(score: float | None) -> str:
    if score is None:
        return COLORS["muted"]
    if score >= 70:
        return COLORS["good"]
    if score >= 40:
        return COLORS["warn"]
    return COLORS["bad"]


def grades_by_industry(board: Scoreboard) -> Figure:
    counts = _grade_counts(board)
    industries = sorted(counts)
    fig = figure()
    for grade in "ABCDEF":
        column = [counts[i].get(grade, 0) for i in industries]
        if any(column):
            fig["data"].append(
                trace(
                    "bar",
                    name=grade,
                    x=[term(i) for i in industries],
                    y=column,
                    marker={"color": GRADE_COLORS[grade]},
                    hovertemplate="%{x}: %{y} "
                    + _("graded %(grade)s") % {"grade": grade}
                    + "<extra></extra>",
                )
            )
    fig["layout"].update(
        barmode="stack",
        height=320,
        margin={"l": 50, "r": 20, "t": MODEBAR_ROOM, "b": 50},
        yaxis={"title": {"text": _("companies")}, "dtick": 1, "fixedrange": True},
        xaxis={"title": {"text": _("industry")}, "fixedrange": True},
        legend={"title": {"text": _("grade")}},
    )
    return fig


def _grade_counts(board: Scoreboard) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for c in board.companies:
        if c.grade:
            per = counts.setdefault(c.industry, {})
            per[c.grade] = per.get(c.grade, 0) + 1
    return counts


def grades_chart(board: Scoreboard) -> Chart:
    counts = _grade_counts(board)
    industries = sorted(counts)
    grades = [g for g in "ABCDEF" if any(g in counts[i] for i in industries)]

    def described(industry: str) -> str:
        per = counts[industry]
        return f"{term(industry)} " + ", ".join(f"{per[g]} {g}" for g in grades if g in per)

    graded = sum(sum(per.values()) for per in counts.values())
    summary = (
        _("%(companies)s graded: %(list)s.")
        % {
            "companies": _count(graded, Nn_("%(n)s company", "%(n)s companies")),
            "list": "; ".join(map(described, industries)),
        }
        if graded
        else _("No company is graded yet.")
    )
    locale = current_locale()
    rows = tuple(
        (term(i), *(fmt.number(counts[i].get(g, 0), locale) for g in grades)) for i in industries
    )
    return Chart(
        id="grades-by-industry",
        figure=grades_by_industry(board),
        caption=_("Number of companies at each grade, by industry"),
        summary=summary,
        columns=(_("Industry"), *(_("Grade %(grade)s") % {"grade": g} for g in grades)),
        rows=rows or ((_("no graded company"), *("" for _g in grades)),),
    )


def _volume_and_shares(
    x: list[str],
    counts: list,
    axes: tuple[str, str, str],
    x_hover: str,
    shares: list[tuple[str, list, str, str]],
    height: int,
) -> Figure:
    """Bars of a volume with percentage lines on a right-hand 0-100 axis.

    ``axes`` holds the axis titles (x, volume, share); ``shares`` holds (legend name,
    values in %, colour, what the hover says after the %)."""
    x_title, count_name, share_title = axes
    fig = figure(
        trace(
            "bar",
            x=x,
            y=counts,
            name=count_name,
            marker={"color": COLORS["neutral"]},
            hovertemplate=f"{x_hover}: %{{y}} {count_name}<extra></extra>",
        ),
        *[
            trace(
                "scatter",
                x=x,
                y=values,
                name=name,
                yaxis="y2",
                mode="lines+markers",
                line={"color": color},
                hovertemplate=f"{x_hover}: %{{y}}% {what}<extra></extra>",
            )
            for name, values, color, what in shares
        ],
        height=height,
        margin={"l": 60, "r": 60, "t": MODEBAR_ROOM, "b": 50},
        xaxis={"type": "date", "title": {"text": x_title}},
        yaxis={"title": {"text": count_name}, "rangemode": "tozero"},
        yaxis2={
            "title": {"text": share_title},
            "overlaying": "y",
            "side": "right",
            "range": [0, 100],
            "dtick": 25,
            "ticksuffix": "%",
            "showgrid": False,
        },
        legend=LEGEND_BELOW,
    )
    return fig


def calls_over_time(days: list[CallDay]) -> Figure:
    """Daily calls offered to agents and the share of callers who gave up waiting."""
    return _volume_and_shares(
        [d.date.isoformat() for d in days],
        [d.offered for d in days],
        (_("date"), _("calls offered per day"), _("%% of callers").replace("%%", "%")),
        "%{x}",
        [
            (
                _("%% abandoned").replace("%%", "%"),
                [None if d.share is None else round(100 * d.share, 1) for d in days],
                COLORS["bad"],
                _("gave up"),
            )
        ],
        height=360,
    )


def calls_chart(company: CompanyScore) -> Chart:
    """The call centre's days as measure counted them (``CompanyScore.calls_daily``)."""
    days = company.calls_daily
    worst = max(days, key=lambda d: -1.0 if d.share is None else d.share)
    summary = _(
        "Between %(low)s and %(high)s calls a day over %(days)s; the most callers gave up on "
        "%(worst)s: %(share)s."
    ) % {
        "low": fmt.number(min(d.offered for d in days)),
        "high": fmt.number(max(d.offered for d in days)),
        "days": _count(len(days), DAYS),
        "worst": fmt.date(worst.date),
        "share": fmt.share(worst.share),
    }
    rows = tuple((fmt.date(d.date), fmt.number(d.offered), fmt.share(d.share)) for d in days)
    return Chart(
        id=f"calls-{company.company}",
        figure=calls_over_time(days),
        caption=_("Calls offered per day and the share abandoned, for %(name)s")
        % {"name": company.name},
        summary=summary,
        columns=(_("Date"), _("Calls offered"), _("Gave up waiting")),
        rows=rows,
    )


# --------------------------------------------------------------------------- cases list


def cases_over_time(rows: list[CaseScore], titles: dict[str, str]) -> Chart:
    """Each graded case's score by its date (when it ended, else began; the writeup's date
    where the sources give none): the record over the years."""
    rows = [c for c in rows if c.score is not None]
    traces = []
    for grade in "ABCDEF":
        mine = [c for c in rows if c.grade == grade]
        if mine:
            traces.append(
                trace(
                    "scatter",
                    mode="markers",
                    name=_("grade %(grade)s") % {"grade": grade},
                    x=[c.date.isoformat() for c in mine],
                    y=[round(c.score, 1) for c in mine],
                    text=[_escape(titles[c.case]) for c in mine],
                    marker={"color": GRADE_COLORS[grade], "size": 12, "line": {"width": 1}},
                    hovertemplate="%{text}<br>%{x|%b %Y}: %{y} / 100<extra></extra>",
                )
            )
    fig = figure(
        *traces,
        height=320,
        margin={"l": 60, "r": 20, "t": MODEBAR_ROOM, "b": 50},
        xaxis={
            "type": "date",
            "title": {"text": _("date of the case (its end, else its start; else of its writeup)")},
        },
        yaxis={"range": [0, 100], "title": {"text": _("score (0–100)")}, "fixedrange": True},
        legend=LEGEND_BELOW,
    )
    return Chart(
        id="cases-over-time",
        figure=fig,
        caption=_("Score of every case by its date"),
        summary=_trend_summary(rows),
        table_ref="cases-table",
        table_ref_text=_("Every case of this chart is a row of the table below."),
    )


def _trend_summary(rows: list[CaseScore]) -> str:
    """How many cases over which years, and the lowest and highest score with their year."""
    if not rows:
        return _("No case is graded yet.")
    years = sorted({c.date.year for c in rows})
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    low = min(rows, key=lambda c: (c.score, c.date))
    high = max(rows, key=lambda c: (c.score, c.date))
    locale = current_locale()
    text = _(
        "%(cases)s, %(span)s; scores run from %(low)s (%(low_year)s) to %(high)s (%(high_year)s)."
    )
    return text % {
        "cases": _count(len(rows), Nn_("%(n)s case", "%(n)s cases")),
        "span": span,
        "low": fmt.number(round(low.score, 1), locale),
        "low_year": low.date.year,
        "high": fmt.number(round(high.score, 1), locale),
        "high_year": high.date.year,
    }
