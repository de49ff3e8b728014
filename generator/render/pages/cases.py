"""The cases list and one page per case: headline figures, narrative, timeline, scorecard."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ...load.models import Case, as_datetime
from ...measure import REGISTRY
from ...score import CaseScore
from .. import charts
from .. import format as fmt
from ..case_text import shown_text, untranslated_note
from ..format import nice as fmt_nice
from ..i18n import N_, Nn_, _, ngettext
from ..letters import letters_citing

HEADLINE = [
    # metric, label (singular, plural), shown when the value is positive
    ("hours_without_service", *Nn_("hour without service", "hours without service")),
    ("contacts", *Nn_("contact", "contacts")),
    ("hours_on_phone", *Nn_("hour on the phone", "hours on the phone")),
    ("distinct_agents", *Nn_("employee", "employees")),
    ("transfers", *Nn_("transfer", "transfers")),
    ("promises_missed", *Nn_("missed deadline", "missed deadlines")),
    (
        "support_unavailable",
        *Nn_("time support was unavailable", "times support was unavailable"),
    ),
]


# What a page says about precision, in one place (easy to translate).
# (marked for the catalogue; translated where used)
TEXT = {
    "dates_not_given": N_("the source gives no dates"),
    "written_up": N_("written up %(date)s"),
    "day": N_("day %(n)s, %(time)s"),
    "day_only": N_("day %(n)s"),
    "approx_mark": N_("about"),
    "inferred": N_("inferred from the source's words"),
    "approximate": N_("counted from reconstructed times"),
}


@dataclass(frozen=True)
class Headline:
    metric: str
    text: str
    label: str
    basis: str
    evidence: list[str]
    note: str = ""


def figure_text(detail) -> str:
    """A metric value as a page shows it: the source's qualifier, "about" for a duration
    counted from reconstructed times or a figure read from the source's words."""
    qualifier = detail.qualifier if detail.basis == "stated" else None
    if detail.approximate or detail.inferred:
        qualifier = "about"
    return fmt.value_words(detail.value, qualifier)


def figure_note(detail) -> str:
    if detail.inferred:
        return _(TEXT["inferred"])
    if detail.approximate:
        return _(TEXT["approximate"])
    return ""


def dates_text(case: Case, score: CaseScore) -> str:
    """The case's dates as its sources give them, and never a date they do not give."""
    if case.dates == "not_given":
        if score.date_basis == "source":
            return f"{_(TEXT['dates_not_given'])} · {score.date.isoformat()}"
        return _(TEXT["dates_not_given"])
    span = case.started.isoformat()
    if case.ended:
        span = _("%(start)s to %(end)s") % {"start": span, "end": case.ended.isoformat()}
    if case.dates == "approximate":
        return f"{_(TEXT['approx_mark'])} {span}"
    return span


def _clock(ts: dt.datetime, first: dt.date) -> str:
    n = (ts.date() - first).days + 1
    if ts.time() == dt.time():
        return _(TEXT["day_only"]) % {"n": n}
    return _(TEXT["day"]) % {"n": n, "time": ts.strftime("%H:%M")}


def event_times(case: Case) -> dict[str, tuple[str, str]]:
    """Per event: (when, due) as the page shows them. Cases whose sources give no dates
    show days from the first event (day 1, 09:00), never the file's stand-in dates."""
    relative = case.dates == "not_given"
    known = [e.timestamp for e in case.timeline if not e.order_only]
    first = min(known).date() if known else None
    out = {}
    for e in case.timeline:
        due = getattr(e, "due", None)

        def shown(ts: dt.datetime) -> str:
            return _clock(ts, first) if relative and first else fmt.when(ts)

        when = "" if e.order_only else shown(e.timestamp)
        out[e.id] = (when, shown(as_datetime(due)) if due is not None else "")
    return out


def headline(score: CaseScore, service: str | None, locale: str = "en") -> list[Headline]:
    out = []
    for metric, one, many in HEADLINE:
        detail = score.metric_details.get(metric)
        if not detail or not detail.value or detail.value <= 0:
            continue
        value_text = figure_text(detail)
        # (plural rules differ by language: a whole count picks the form, else the plural)
        count = int(detail.value) if float(detail.value).is_integer() else 2
        label = ngettext(one, many, count)
        if metric == "hours_without_service" and service and locale == "en":
            label = label.replace("service", service)
        out.append(
            Headline(
                metric, value_text, label, detail.basis, detail.evidence, figure_note(detail)
            )
        )
    return out


REASONS = {
    "no_value": N_("no figure"),
    "not_covered": N_("the sources do not tell"),
    "unbacked_failure": N_("no evidence behind a failure"),
    "superseded": N_("counted under another criterion"),
}


def list_filters(rows: list[CaseScore], corpus) -> dict[str, list[tuple[str, str]]]:
    """The options of the cases list's filters: (value, text) per company, industry, grade
    and year found among the cases, in the order a reader scans them."""
    companies = {c.company: corpus.companies[c.company].name for c in rows}
    industries = {corpus.cases[c.case].industry for c in rows}
    return {
        "company": sorted(companies.items(), key=lambda kv: (kv[1].lower(), kv[0])),
        "industry": [(i, fmt_nice(i)) for i in sorted(industries)],
        "grade": [(g, g) for g in sorted({c.grade for c in rows if c.grade})],
        "year": [(str(y), str(y)) for y in sorted({c.date.year for c in rows}, reverse=True)],
    }


def render(site) -> None:
    corpus = site.corpus
    rows = site.latest_cases(None)  # newest first, as on the home page and in the feed
    site.render(
        "cases/index.md",
        "cases.md.j2",
        rows=rows,
        cases=corpus.cases,
        companies=corpus.companies,
        filters=list_filters(rows, corpus),
        trend=charts.cases_over_time(rows, {c.case: corpus.cases[c.case].title for c in rows}),
    )
    metric_info = {m.id: (m.description, m.unit) for m in REGISTRY.values()}
    for score in site.board.cases:
        case = corpus.cases[score.case]
        service = next((e.service for e in case.timeline if e.kind == "service_lost"), None)
        text = shown_text(case, corpus.narratives.get(case.slug), site.language)
        site.render(
            f"cases/{case.slug}.md",
            "case.md.j2",
            case=case,
            score=score,
            company=corpus.companies[case.company],
            headline=headline(score, service, site.locale),
            dates=dates_text(case, score),
            times=event_times(case),
            figure_text=figure_text,
            figure_note=figure_note,
            reasons=REASONS,
            rubric=site.rubric,
            text=text,
            narrative=text.narrative,
            note=untranslated_note(text, site.language, site.locale) if text.untranslated else None,
            charts=charts.case_charts(case, score),
            letters=letters_citing(case.slug, list(site.letters.values())),
            categories=site.category_names,
            metrics=metric_info,
            share_url=f"{site.site_url}cases/{case.slug}.html",
        )
