"""Plotly figures as JSON, with fixed ids so two builds are byte-identical.

The figures carry data and layout only; plotly.js is shipped once as a site asset and the
page script initialises every `.cx-chart` element, following the light or dark palette.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd

from ..load.models import Case, as_datetime
from ..score import CaseScore, CompanyScore, Scoreboard

LANES = ["Service", "Contacts", "Transfers", "Promises", "Escalation", "Regulator", "Resolution"]
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


Figure = dict[str, Any]


def figure(*traces: dict, **layout: Any) -> Figure:
    """A Plotly figure as plain data: the same JSON plotly.py writes, built ~50x faster
    (plotly.py validates every property, which dominated the build of large sites)."""
    return {"data": list(traces), "layout": layout}


def trace(kind: str, **props: Any) -> dict:
    return {"type": kind, **props}


_HTML_SAFE = str.maketrans({"&": "\\u0026", "'": "\\u0027", "<": "\\u003c", ">": "\\u003e"})


def figure_json(fig: Figure) -> str:
    """Compact, key-sorted JSON of a figure (no random ids, no template: the page sets it).

    The characters HTML cares about are written as JSON escapes, so the text can sit in a
    single-quoted attribute as it is: no entities for HTML parsers (mkdocs', the search
    indexer's, the browser's) to decode, which made large sites noticeably slower to build.
    """
    text = json.dumps(fig, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.translate(_HTML_SAFE)


def _iso(ts: dt.datetime) -> str:
    return ts.strftime("%Y-%m-%d %H:%M")


def _label(ev: Any) -> str:
    text = ev.note or getattr(ev, "what", None) or getattr(ev, "text", None) or ev.kind
    return text if len(text) <= 140 else text[:137] + "…"


def case_timeline(case: Case) -> Figure:
    """Lanes of events over time: outage spans, contacts sized by time, promises to deadlines."""
    fig = figure()
    events = case.timeline
    # When the source gives no times, plot the order of events rather than made-up dates.
    by_order = any(e.order_only for e in events)
    position = {e.id: n + 1 for n, e in enumerate(events)}

    def x(ev: Any, ts: dt.datetime | None = None) -> Any:
        return position[ev.id] if by_order else _iso(ts or ev.timestamp)

    # Outage spans as horizontal bars in the Service lane.
    open_loss = None
    spans = []
    for ev in events:
        if ev.kind == "service_lost" and open_loss is None:
            open_loss = ev
        elif ev.kind == "service_restored" and open_loss is not None:
            spans.append((open_loss, ev))
            open_loss = None
    if open_loss is not None:
        spans.append((open_loss, events[-1]))
    for lost, end_ev in spans:
        end = end_ev.timestamp
        hours = (end - lost.timestamp).total_seconds() / 3600
        span_text = "unknown duration" if by_order else f"{hours:.0f} hours"
        fig["data"].append(
            trace(
                "scatter",
                x=[x(lost), x(end_ev, end)],
                y=["Service", "Service"],
                mode="lines",
                line={"color": COLORS["bad"], "width": 14},
                name=f"No {lost.service}",
                hovertemplate=f"No {lost.service}: {span_text}<extra></extra>",
                customdata=[lost.id, lost.id],
                showlegend=True,
            )
        )
    # Promises: a dotted line from when it was made to when it was due.
    for ev in events:
        if ev.kind == "promise" and ev.due is not None and not by_order:
            due = as_datetime(ev.due)
            fig["data"].append(
                trace(
                    "scatter",
                    x=[_iso(ev.timestamp), _iso(due)],
                    y=["Promises", "Promises"],
                    mode="lines",
                    line={"color": COLORS["warn"], "width": 2, "dash": "dot"},
                    showlegend=False,
                    hoverinfo="skip",
                )
            )
    groups: dict[str, list] = {}
    for ev in events:
        groups.setdefault(_marker_group(ev), []).append(ev)
    styles = {
        "contact": ("circle", COLORS["neutral"], "Contact"),
        "unavailable": ("x", COLORS["bad"], "Support unavailable"),
        "transfer": ("triangle-right", COLORS["warn"], "Transfer"),
        "closed_transfer": ("triangle-right", COLORS["bad"], "Transfer to a closed department"),
        "promise": ("diamond-open", COLORS["warn"], "Promise"),
        "promise_missed": ("diamond-x", COLORS["bad"], "Promise missed"),
        "promise_kept": ("diamond", COLORS["good"], "Promise kept"),
        "escalation": ("star", COLORS["neutral"], "Escalation / ownership"),
        "regulator_complaint": ("square", COLORS["bad"], "Regulator complaint"),
        "resolution": ("circle", COLORS["good"], "Resolution"),
        "service": ("line-ns", COLORS["muted"], "Service lost / restored"),
        "company_statement": ("hexagon-open", COLORS["muted"], "Company statement"),
    }
    for group in styles:
        evs = groups.get(group)
        if not evs:
            continue
        symbol, color, name = styles[group]
        sizes = [_marker_size(e) for e in evs]
        fig["data"].append(
            trace(
                "scatter",
                x=[_iso(e.timestamp) for e in evs],
                y=[KIND_LANE[e.kind] for e in evs],
                mode="markers",
                name=name,
                marker={
                    "symbol": symbol,
                    "color": color,
                    "size": sizes,
                    "line": {"width": 1.5, "color": color},
                },
                customdata=[e.id for e in evs],
                text=[_hover(e) for e in evs],
                hovertemplate="%{text}<extra></extra>",
            )
        )
    lanes = [lane for lane in LANES if any(KIND_LANE[e.kind] == lane for e in events)]
    fig["layout"].update(
        height=120 + 48 * len(lanes),
        margin={"l": 90, "r": 20, "t": 10, "b": 40},
        yaxis={
            "categoryorder": "array",
            "categoryarray": list(reversed(lanes)),
            "fixedrange": True,
        },
        xaxis={
            "type": "linear",
            "title": {"text": "order of events (the source gives no times)"},
            "dtick": 1,
        }
        if by_order
        else {"type": "date", "title": None},
        legend={"orientation": "h", "y": -0.25},
        hovermode="closest",
        clickmode="event",
    )
    return fig


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


def _hover(ev: Any) -> str:
    parts = [
        f"<b>{_escape(ev.kind.replace('_', ' '))}</b> · {_iso(ev.timestamp)}"
        + (" (approx.)" if ev.approximate else "")
    ]
    if ev.kind == "contact":
        bits = [ev.channel]
        if ev.hold_minutes is not None:
            bits.append(f"{ev.hold_minutes:g} min on hold")
        if ev.talk_minutes is not None:
            bits.append(f"{ev.talk_minutes:g} min talking")
        parts.append(", ".join(bits))
    parts.append(_escape(_label(ev)))
    return "<br>".join(parts)


def _escape(text: str) -> str:
    """Plotly renders a subset of HTML in hover text: author text must not become markup."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def category_bars(categories: dict[str, float | None], names: dict[str, str]) -> Figure:
    ids = [k for k, v in categories.items() if v is not None]
    fig = figure(
        trace(
            "bar",
            x=[categories[k] for k in ids],
            y=[names[k] for k in ids],
            orientation="h",
            marker={"color": [_score_color(categories[k]) for k in ids]},
            hovertemplate="%{y}: %{x:.0f} / 100<extra></extra>",
        )
    )
    fig["layout"].update(
        height=60 + 36 * len(ids),
        margin={"l": 160, "r": 20, "t": 10, "b": 30},
        xaxis={"range": [0, 100], "fixedrange": True},
        yaxis={"autorange": "reversed", "fixedrange": True},
    )
    return fig


def _score_color(score: float | None) -> str:
    if score is None:
        return COLORS["muted"]
    if score >= 70:
        return COLORS["good"]
    if score >= 40:
        return COLORS["warn"]
    return COLORS["bad"]


def grades_by_industry(board: Scoreboard) -> Figure:
    rows = [(c.industry, c.grade) for c in board.companies if c.grade]
    frame = pd.DataFrame(rows, columns=["industry", "grade"])
    fig = figure()
    industries = sorted(frame["industry"].unique()) if len(frame) else []
    for grade in "ABCDEF":
        counts = [
            int(((frame["industry"] == i) & (frame["grade"] == grade)).sum()) for i in industries
        ]
        if any(counts):
            fig["data"].append(
                trace(
                    "bar",
                    name=grade,
                    x=industries,
                    y=counts,
                    marker={"color": GRADE_COLORS[grade]},
                    hovertemplate=f"%{{x}}: %{{y}} graded {grade}<extra></extra>",
                )
            )
    fig["layout"].update(
        barmode="stack",
        height=300,
        margin={"l": 40, "r": 20, "t": 10, "b": 40},
        yaxis={"title": {"text": "companies"}, "dtick": 1, "fixedrange": True},
        xaxis={"fixedrange": True},
        legend={"title": {"text": "grade"}},
    )
    return fig


def _volume_and_shares(
    x: list[str],
    counts: list,
    count_name: str,
    x_hover: str,
    shares: list[tuple[str, list, str, str]],
    **layout: Any,
) -> Figure:
    """Bars of a volume with percentage lines on a right-hand 0-100 axis.

    ``shares`` holds (legend name, values in %, colour, what the hover says after the %)."""
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
        margin={"l": 50, "r": 50, "t": 10, "b": 40},
        yaxis={"title": {"text": count_name}},
        yaxis2={
            "title": {"text": "%"},
            "overlaying": "y",
            "side": "right",
            "range": [0, 100],
            "dtick": 25,
            "showgrid": False,
        },
        legend={"orientation": "h", "y": -0.2},
    )
    fig["layout"].update(layout)
    return fig


def incidents_over_time(incidents: pd.DataFrame) -> Figure:
    """Monthly volume, and the shares answered in time and resolved, of incident data."""
    frame = incidents.copy()
    frame["month"] = pd.to_datetime(frame["date"]).dt.to_period("M").dt.to_timestamp()

    def share(s: pd.Series) -> float | None:
        return s.dropna().astype(bool).mean() if s.notna().any() else None

    monthly = frame.groupby("month").agg(
        incidents=("id", "size"), timely=("timely", share), resolved=("resolved", share)
    )
    shares = [
        (
            f"% {col}",
            [None if pd.isna(v) else round(float(v) * 100, 1) for v in monthly[col]],
            color,
            col,
        )
        for col, color in (("timely", COLORS["good"]), ("resolved", COLORS["warn"]))
        if monthly[col].notna().any()
    ]
    return _volume_and_shares(
        [m.strftime("%Y-%m-%d") for m in monthly.index],
        monthly["incidents"].tolist(),
        "incidents",
        "%{x|%b %Y}",
        shares,
        height=320,
    )


def channel_pie(channels: dict[str, int]) -> Figure:
    names = sorted(channels)
    fig = figure(
        trace(
            "pie",
            labels=names,
            values=[channels[n] for n in names],
            hole=0.45,
            sort=False,
            hovertemplate="%{label}: %{value}<extra></extra>",
        )
    )
    fig["layout"].update(height=280, margin={"l": 20, "r": 20, "t": 10, "b": 10})
    return fig


def calls_over_time(calls: pd.DataFrame) -> Figure:
    """Daily calls offered to agents and the share of callers who gave up waiting."""
    daily = (
        calls.groupby("date")
        .agg(offered=("offered", "sum"), abandoned=("abandoned", "sum"))
        .reset_index()
    )
    share = (100 * daily["abandoned"] / daily["offered"]).round(1).tolist()
    return _volume_and_shares(
        [str(d) for d in daily["date"]],
        daily["offered"].tolist(),
        "calls offered",
        "%{x}",
        [("% abandoned", share, COLORS["bad"], "gave up waiting")],
        height=340,
        xaxis={"type": "date"},
    )


def case_charts(case: Case, score: CaseScore) -> dict[str, str]:
    return {f"timeline-{case.slug}": figure_json(case_timeline(case))}


def company_charts(
    company: CompanyScore,
    names: dict[str, str],
    incidents: pd.DataFrame,
    calls: pd.DataFrame,
) -> dict[str, str]:
    charts = {}
    if company.grade:
        charts[f"categories-{company.company}"] = figure_json(
            category_bars(company.categories, names)
        )
    if len(incidents):
        charts[f"incidents-{company.company}"] = figure_json(incidents_over_time(incidents))
        charts[f"channels-{company.company}"] = figure_json(channel_pie(company.channels))
    if len(calls):
        charts[f"calls-{company.company}"] = figure_json(calls_over_time(calls))
    return charts
