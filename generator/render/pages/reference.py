"""Reference pages: the methodology (from the rubric and the metric registry), the data format
(from the models) and the tag index."""

from __future__ import annotations

import datetime as dt

from babel import Locale
from markupsafe import Markup

from ...load.models import Criterion, Rubric
from ...measure import CFPB_DISPUTES_END, REGISTRY, Metric, metrics
from .. import format as fmt
from ..company_text import metric_value, value_in_sentence
from ..fields import fields_markdown
from ..format import value_words
from ..i18n import N_, _, current_locale
from ..letters import one_line
from ..markup import markdown_text
from ..safe_format import fill

# Filled into the methodology's example letter sentences where a case gives none.
EXAMPLE_WORDS = {
    "company": N_("the company"),
    "when": N_("on a Sunday morning"),
    "advertised": N_("24/7 support"),
}


def _example_words() -> dict[str, str]:
    return {key: _(text) for key, text in EXAMPLE_WORDS.items()}


def example_value(crit: Criterion) -> float:
    """A value at which the criterion fails: its worst value for a straight line, else just
    past its last threshold."""
    scoring = crit.scoring
    if scoring.method == "linear":
        return float(scoring.worst)
    last = scoring.thresholds[-1].value
    if scoring.better == "lower":
        return last + 1 if last >= 1 else last + 0.1 if last > 0 else 1.0
    return max(last - 1, 0.0) if last >= 1 else max(last - 0.05, 0.0)


def case_letter(crit: Criterion) -> str:
    """The criterion's letter sentence filled with an example value, never a placeholder."""
    sentence = _(one_line(crit.letter))
    return fill(sentence, value=value_words(example_value(crit), None), **_example_words())


def company_letter(crit: Criterion) -> str:
    unit = REGISTRY[crit.metric].unit
    value = value_in_sentence(example_value(crit), unit)
    return fill(_(one_line(crit.letter)).rstrip("."), value=value, **_example_words())


def rows_text(metric: Metric, days: int) -> Markup:
    """The rows a company figure counts, in the edition's language, its settle window filled."""
    text = _(metric.denominator) if metric.denominator else ""
    return markdown_text(text.replace("{days}", fmt.number(days)))


def criterion_links(rubric: Rubric):
    """Links to criteria by id, each named by its (translated) name."""
    names = {c.id: c.name for cat in rubric.categories for c in cat.criteria}
    if rubric.company:
        names |= {c.id: c.name for cat in rubric.company.categories for c in cat.criteria}

    def links(ids: list[str]) -> Markup:
        return Markup(", ").join(
            Markup('<a href="#crit-{}">{}</a>').format(i, markdown_text(_(names.get(i, i))))
            for i in ids
        )

    return links


def language_name(code: str) -> str:
    """A language's name in the edition's language (``sv`` -> "Swedish", "svenska", ...)."""
    try:
        return Locale.parse(code).get_display_name(current_locale()) or code
    except (ValueError, TypeError):
        return code


def render(site) -> None:
    registry = metrics()
    rubric = site.rubric
    days = rubric.company.recent_days_excluded if rubric.company else 60
    # the functions close over values, not over the renderer: the render cache keys a page by
    # what its functions hold (a renderer it cannot key)
    locale = site.locale
    site.render(
        "methodology.md",
        "methodology.md.j2",
        rubric=rubric,
        metrics={m.id: (m.description, m.unit) for m in registry},
        registry=registry,
        registry_by_id={m.id: m for m in registry},
        number=lambda v: fmt.number(v, locale),
        figure_of=lambda unit: lambda v: metric_value(v, unit, locale),
        rows_text=lambda m: rows_text(m, days),
        crit_links=criterion_links(rubric),
        language_name=language_name,
        dispute_day=dt.date.fromisoformat(CFPB_DISPUTES_END),
        case_letter=case_letter,
        company_letter=company_letter,
    )
    site.write("data-format.md", fields_markdown())
    site.write("tags.md", "---\ntitle: Tags\n---\n\n# Tags\n\n<!-- material/tags -->\n")
