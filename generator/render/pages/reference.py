"""Reference pages: the methodology (from the rubric and the metric registry), the data format
(from the models) and the tag index."""

from __future__ import annotations

from ...measure import metrics
from ..company_text import metric_value
from ..fields import fields_markdown


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
    )
    site.write("data-format.md", fields_markdown())
    site.write("tags.md", "---\ntitle: Tags\n---\n\n# Tags\n\n<!-- material/tags -->\n")
