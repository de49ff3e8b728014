"""The home page: latest cases, the league table, grades by industry."""

from __future__ import annotations

from .. import charts
from .companies import league_context


def render(site) -> None:
    board = site.board
    site.render(
        "index.md",
        "home.md.j2",
        board=board,
        latest=site.latest_cases(),
        cases=site.corpus.cases,
        **league_context(site),
        chart_id="grades-by-industry",
        grades_chart=charts.figure_json(charts.grades_by_industry(board)),
        n_letters=len(site.letters),
    )
