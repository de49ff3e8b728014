"""The cases list and one page per case: headline figures, narrative, timeline, scorecard."""

from __future__ import annotations

from dataclasses import dataclass

from ...measure import REGISTRY
from ...score import CaseScore
from .. import charts
from ..case_text import shown_text, untranslated_note
from ..format import nice as fmt_nice
from ..format import value as fmt_value
from ..i18n import Nn_, ngettext
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


@dataclass(frozen=True)
class Headline:
    metric: str
    text: str
    label: str
    basis: str
    evidence: list[str]


def headline(score: CaseScore, service: str | None, locale: str = "en") -> list[Headline]:
    out = []
    for metric, one, many in HEADLINE:
        detail = score.metric_details.get(metric)
        if not detail or not detail.value or detail.value <= 0:
            continue
        qualifier = detail.qualifier if detail.basis == "stated" else None
        value_text = fmt_value(detail.value, qualifier, locale)
        # (plural rules differ by language: a whole count picks the form, else the plural)
        count = int(detail.value) if float(detail.value).is_integer() else 2
        label = ngettext(one, many, count)
        if metric == "hours_without_service" and service and locale == "en":
            label = label.replace("service", service)
        out.append(Headline(metric, value_text, label, detail.basis, detail.evidence))
    return out


def list_filters(rows: list[CaseScore], corpus) -> dict[str, list[tuple[str, str]]]:
    """The options of the cases list's filters: (value, text) per company, industry, grade
    and year found among the cases, in the order a reader scans them."""
    companies = {c.company: corpus.companies[c.company].name for c in rows}
    industries = {corpus.cases[c.case].industry for c in rows}
    return {
        "company": sorted(companies.items(), key=lambda kv: (kv[1].lower(), kv[0])),
        "industry": [(i, fmt_nice(i)) for i in sorted(industries)],
        "grade": [(g, g) for g in sorted({c.grade for c in rows})],
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
            text=text,
            narrative=text.narrative,
            note=untranslated_note(text, site.language, site.locale) if text.untranslated else None,
            charts=charts.case_charts(case, score),
            letters=letters_citing(case.slug, list(site.letters.values())),
            categories=site.category_names,
            metrics=metric_info,
            share_url=f"{site.site_url}cases/{case.slug}.html",
        )
