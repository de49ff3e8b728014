"""Reference pages: the methodology (from the rubric and the metric registry), the data format
(from the models) and the tag index."""

from __future__ import annotations

from ...load.models import Criterion
from ...measure import REGISTRY, metrics
from ..company_text import metric_value, value_in_sentence
from ..fields import fields_markdown
from ..format import value_words
from ..safe_format import fill

# Filled into the methodology's example letter sentences where a case gives none.
EXAMPLE_WORDS = {
    "company": "the company",
    "when": "on a Sunday morning",
    "advertised": "24/7 support",
}


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
    return fill(crit.letter.strip(), value=value_words(example_value(crit), None), **EXAMPLE_WORDS)


def company_letter(crit: Criterion) -> str:
    unit = REGISTRY[crit.metric].unit
    value = value_in_sentence(example_value(crit), unit)
    return fill(crit.letter.strip().rstrip("."), value=value, **EXAMPLE_WORDS)


def render(site) -> None:
    registry = metrics()
    site.render(
        "methodology.md",
        "methodology.md.j2",
        rubric=site.rubric,
        metrics={m.id: (m.description, m.unit) for m in registry},
        registry=registry,
        registry_by_id={m.id: m for m in registry},
        figure_value=metric_value,
        case_letter=case_letter,
        company_letter=company_letter,
    )
    site.write("data-format.md", fields_markdown())
    site.write("tags.md", "---\ntitle: Tags\n---\n\n# Tags\n\n<!-- material/tags -->\n")
