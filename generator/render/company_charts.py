"""Company charts from the scored figures: monthly complaints with their rolling mean and the
year before, first-reply time per channel, the complaint mix beside the industry's.

Each chart comes with a one-sentence summary that says what it shows in words, for readers
who cannot see it and for the page's caption. Figures are plain dicts, as in ``charts``.
"""

from __future__ import annotations

import datetime as dt

from ..score import CompanyFigure, CompanyScore, MixRow
from . import format as fmt
from .charts import (
    COLORS,
    LEGEND_BELOW,
    MODEBAR_ROOM,
    Chart,
    calls_chart,
    category_chart,
    figure,
    trace,
)
from .company_text import metric_value
from .i18n import _, ngettext, term


def _series(
    figures: list[CompanyFigure], metric: str, gaps: bool = False
) -> dict[str, float | None]:
    """A figure's values by period; with ``gaps``, periods without a value too (None)."""
    return {
        f.period: f.value
        for f in figures
        if f.metric == metric and f.period and (gaps or f.value is not None)
    }


def _month(period: str) -> str:
    """ "2015-01" as a reader says it: Jan 2015."""
    return fmt.month(dt.date(int(period[:4]), int(period[5:7]), 1))


def _year_before(month: str) -> str:
    return f"{int(month[:4]) - 1:04d}{month[4:]}"


def _monthly_traces(months: list[str], counts: dict, mean: dict, earlier: list) -> list[dict]:
    """Bars of the counts, the three-month mean as a line, the year before dotted."""
    complaints, mean3, year_before = _("complaints"), _("3-month mean"), _("a year earlier")
    traces = [
        trace("bar", x=months, y=[counts[m] for m in months], name=complaints,
              marker={"color": COLORS["neutral"]},
              hovertemplate=f"%{{x}}: %{{y}} {complaints}<extra></extra>"),
        trace("scatter", x=months, y=[mean.get(m) for m in months], mode="lines",
              name=mean3, line={"color": COLORS["warn"], "width": 3},
              hovertemplate=f"%{{x}}: %{{y:.1f}} ({mean3})<extra></extra>"),
    ]  # fmt: skip
    if any(v is not None for v in earlier):
        traces.append(
            trace("scatter", x=months, y=earlier, mode="lines+markers", name=year_before,
                  line={"color": COLORS["muted"], "dash": "dot"},
                  hovertemplate=f"%{{x}}, {year_before}: %{{y}} {complaints}<extra></extra>")
        )  # fmt: skip
    return traces


def _gap_text(gaps: int) -> str:
    """ " 2 months the sources do not cover are left blank, …;" (empty without gaps)."""
    if not gaps:
        return ""
    text = ngettext(
        "%(n)s month the sources do not cover is left blank, not drawn as zero;",
        "%(n)s months the sources do not cover are left blank, not drawn as zero;",
        gaps,
    )
    return " " + text % {"n": fmt.number(gaps)}


def monthly_complaints(score: CompanyScore) -> Chart | None:
    """Bars per month, the three-month mean as a line, and the same month a year earlier."""
    counts = _series(score.figures, "complaints_monthly", gaps=True)
    if not counts:
        return None
    months = sorted(counts)
    mean = _series(score.figures, "complaints_monthly_mean3")
    earlier = [counts.get(_year_before(m)) for m in months]
    traces = _monthly_traces(months, counts, mean, earlier)
    fig = figure(
        *traces,
        height=320,
        margin={"l": 50, "r": 20, "t": MODEBAR_ROOM, "b": 40},
        xaxis={"type": "category", "fixedrange": True, "title": {"text": _("month")}},
        yaxis={"title": {"text": _("complaints")}, "fixedrange": True},
        legend=LEGEND_BELOW,
    )
    shown = [m for m in months if counts[m] is not None]
    if not shown:
        return None
    peak = max(shown, key=lambda m: (counts[m], m))
    prior = (
        _("the same months a year earlier are shown dotted")
        if len(traces) == 3
        else _("the data does not reach a year further back")
    )
    gap_text = _gap_text(len(months) - len(shown))
    summary = _(
        "Complaints per month from %(first)s to %(last)s: between %(low)s and %(high)s, most "
        "in %(peak)s;%(gaps)s %(prior)s."
    ) % {
        "first": _month(months[0]),
        "last": _month(months[-1]),
        "low": fmt.number(min(counts[m] for m in shown)),
        "high": fmt.number(counts[peak]),
        "peak": _month(peak),
        "gaps": gap_text,
        "prior": prior,
    }
    return Chart(
        id=f"complaints-{score.company}",
        figure=fig,
        caption=_("Complaints about %(name)s per month") % {"name": score.name},
        summary=summary,
        columns=(_("Month"), _("Complaints"), _("3-month mean"), _("A year earlier")),
        rows=tuple(
            (_month(m), fmt.number(counts[m]), fmt.number(mean.get(m)), fmt.number(e))
            for m, e in zip(months, earlier, strict=True)
        ),
    )


CHANNEL_ORDER = ["phone", "social", "email", "web", "chat", "letter", "in_person", "other"]


def first_reply_by_channel(score: CompanyScore) -> Chart | None:
    """Median and 90th-percentile first reply per channel, in hours."""
    med = {f.channel: f for f in score.figures if f.metric == "first_reply_median"}
    p90 = {f.channel: f for f in score.figures if f.metric == "first_reply_p90"}
    channels = [c for c in CHANNEL_ORDER if c in med and med[c].value is not None]
    if not channels:
        return None

    def hours(table: dict[str, CompanyFigure]) -> list[float | None]:
        return [
            None
            if table.get(c) is None or table[c].value is None
            else round(table[c].value / 60, 2)
            for c in channels
        ]

    names = [term(c) for c in channels]
    median, p90_name = _("median"), _("90th percentile")
    fig = figure(
        trace("bar", x=names, y=hours(med), name=median, marker={"color": COLORS["neutral"]},
              hovertemplate=f"%{{x}}: {median} %{{y}}<extra></extra>"),
        trace("bar", x=names, y=hours(p90), name=p90_name,
              marker={"color": COLORS["warn"]},
              hovertemplate=f"%{{x}}: {p90_name} %{{y}}<extra></extra>"),
        barmode="group", height=300, margin={"l": 50, "r": 20, "t": MODEBAR_ROOM, "b": 40},
        yaxis={"title": {"text": _("hours to a first reply")}, "fixedrange": True},
        xaxis={"fixedrange": True, "title": {"text": _("channel")}}, legend=LEGEND_BELOW,
    )  # fmt: skip
    parts = [
        f"{term(c)} {metric_value(med[c].value, 'minutes')} (n={fmt.number(med[c].n)})"
        for c in channels
    ]
    return Chart(
        id=f"first-reply-{score.company}",
        figure=fig,
        caption=_("Time to a first reply from %(name)s, per channel") % {"name": score.name},
        summary=_("Median time to a first reply:") + " " + fmt.join(parts) + ".",
        columns=(_("Channel"), _("Median"), _("90th percentile"), "n"),
        rows=tuple(
            (
                term(c),
                metric_value(med[c].value, "minutes"),
                metric_value(p90[c].value, "minutes") if c in p90 else fmt.MISSING,
                fmt.number(med[c].n),
            )
            for c in channels
        ),
    )


def complaint_mix(score: CompanyScore, min_sample: int = 30) -> Chart | None:
    """The company's most frequent products or issues beside the industry's shares of them
    (with at least ``min_sample`` complaints that name one: fewer compare noise)."""
    rows = [r for r in score.mix if r.topic is not None]
    if sum(r.complaints for r in score.mix) < min_sample or not categorical_mix(score.mix):
        return None
    labels = [r.topic for r in rows]
    fig = figure(
        trace(
            "bar",
            y=labels,
            x=[round(100 * r.share, 1) for r in rows],
            orientation="h",
            name=score.name,
            marker={"color": COLORS["neutral"]},
            hovertemplate="%{y}: %{x}% " + _("of the company's complaints") + "<extra></extra>",
        ),
        trace(
            "bar",
            y=labels,
            x=[
                None if r.industry_share is None else round(100 * r.industry_share, 1) for r in rows
            ],
            orientation="h",
            name=_("industry"),
            marker={"color": COLORS["muted"]},
            hovertemplate="%{y}: %{x}% " + _("of the industry's complaints") + "<extra></extra>",
        ),
        barmode="group",
        height=80 + 44 * len(rows),
        margin={"l": 220, "r": 20, "t": MODEBAR_ROOM, "b": 40},
        xaxis={"title": {"text": _("%% of complaints").replace("%%", "%")}, "fixedrange": True},
        yaxis={"autorange": "reversed", "fixedrange": True, "automargin": True},
        legend=LEGEND_BELOW,
    )
    top = rows[0]
    summary = _(
        "The most frequent %(field)s is “%(topic)s”: %(share)s of the company's complaints "
        "against %(industry)s of its industry's."
    ) % {
        "field": term(top.field),
        "topic": top.topic,
        "share": fmt.share(top.share),
        "industry": fmt.share(top.industry_share),
    }
    return Chart(
        id=f"mix-{score.company}",
        figure=fig,
        caption=_("What %(name)s's complaints are about, beside its industry")
        % {"name": score.name},
        summary=summary,
        columns=(
            term(top.field).capitalize(),
            _("Share of the company's"),
            _("Share of the industry's"),
        ),
        rows=tuple((r.topic, fmt.share(r.share), fmt.share(r.industry_share)) for r in rows),
    )


def categorical_mix(mix: list[MixRow]) -> bool:
    """A mix worth charting: named products, or issues whose top few cover half the rows
    (free-text titles, one per complaint, are not categories)."""
    if not [r for r in mix if r.topic is not None]:
        return False
    if mix[0].field == "product":
        return True
    return sum(r.share for r in mix if r.topic is not None) >= 0.5


def company_charts(score: CompanyScore, min_sample: int = 30) -> dict[str, Chart]:
    """The incident charts of a company page, by chart id."""
    slug = score.company
    built = {
        f"complaints-{slug}": monthly_complaints(score),
        f"first-reply-{slug}": first_reply_by_channel(score),
        f"mix-{slug}": complaint_mix(score, min_sample),
    }
    return {key: chart for key, chart in built.items() if chart is not None}


def company_page_charts(
    score: CompanyScore, names: dict[str, str], min_sample: int = 30
) -> dict[str, Chart]:
    """Every chart of a company page by id: the incident charts, the case categories, and the
    call centre's days; a chart appears only when it has data to draw."""
    out = dict(company_charts(score, min_sample))
    if score.case_part is not None and any(v is not None for v in score.categories.values()):
        chart = category_chart(score, names)
        out[chart.id] = chart
    if score.calls_daily:
        chart = calls_chart(score)
        out[chart.id] = chart
    return out
