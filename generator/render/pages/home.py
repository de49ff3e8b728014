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
        grades_chart=charts.grades_chart(board),
        n_letters=len(site.letters),
    )
