"""Fixtures shared by the render tests."""

import pytest

from generator.render import charts
from generator.render.charts import Chart
from generator.render.company_charts import company_page_charts


@pytest.fixture(scope="session")
def every_chart(bundled, bundled_board) -> list[Chart]:
    """Every chart of the bundled site (made once per run, never at import time)."""
    names = {c.id: c.name for c in bundled.rubric.categories}
    out = [charts.grades_chart(bundled_board)]
    rows = sorted(bundled_board.cases, key=lambda c: c.date, reverse=True)
    out.append(charts.cases_over_time(rows, {c.case: bundled.cases[c.case].title for c in rows}))
    for score in bundled_board.cases:
        out += charts.case_charts(bundled.cases[score.case], score).values()
    for company in bundled_board.companies:
        out += company_page_charts(company, names).values()
    return out
