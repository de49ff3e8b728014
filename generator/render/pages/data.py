"""The open-data page and its downloads."""

from __future__ import annotations

from ...measure import metrics
from ..data_parquet import PARQUET_FOLDER, parquet_rows, write_parquet
from ..downloads import make_downloads


def render(site) -> None:
    board = site.board
    # made once per build for every edition (pipeline); a renderer alone makes its own
    downloads = site.downloads or make_downloads(site.corpus, board)
    for rel, text in downloads.files.items():
        site.write(rel, text)
    write_parquet(site.corpus, set(downloads.big), site.out / "data" / PARQUET_FOLDER)
    site.render(
        "data/index.md",
        "data.md.j2",
        board=board,
        n_events=sum(len(c.timeline) for c in site.corpus.cases.values()),
        n_figures=sum(len(c.figures) for c in board.companies),
        incident_files=downloads.incident_files,
        company_metrics=[m for m in metrics("company") if m.filter],
        recent_days=site.rubric.company.recent_days_excluded if site.rubric.company else 60,
        call_files=downloads.call_files,
        parquet=downloads.parquet,
        big=downloads.big,
        parquet_rows=parquet_rows(),
    )
