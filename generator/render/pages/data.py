"""The open-data page and its downloads."""

from __future__ import annotations

from ...measure import metrics
from ..data import (
    call_files,
    companies_csv,
    company_metrics_csv,
    company_metrics_json,
    events_csv,
    incident_files,
    json_text,
    rubric_json,
    scores_csv,
    scores_json,
    sources_csv,
)
from ..data_parquet import (
    PARQUET_FOLDER,
    big_sources,
    parquet_download,
    parquet_rows,
    write_parquet,
)


def render(site) -> None:
    board = site.board
    site.write("data/cases.csv", scores_csv(board, site.corpus))
    site.write("data/scores.json", json_text(scores_json(board)))
    site.write("data/companies.csv", companies_csv(board))
    site.write("data/events.csv", events_csv(site.corpus))
    site.write("data/rubric.json", rubric_json(site.rubric))
    site.write("data/company_metrics.csv", company_metrics_csv(board))
    site.write("data/company_metrics.json", json_text(company_metrics_json(board)))
    big = big_sources(site.corpus)
    write_parquet(site.corpus, set(big), site.out / "data" / PARQUET_FOLDER)
    incidents = incident_files(site.corpus, frozenset(big))
    for name, text in incidents.items():
        site.write(f"data/incidents/{name}", text)
    parquet = {source: parquet_download(source) for source in big}
    site.write("data/sources.csv", sources_csv(board, parquet))
    calls = call_files(site.corpus)
    for name, text in calls.items():
        site.write(f"data/calls/{name}", text)
    site.render(
        "data/index.md",
        "data.md.j2",
        board=board,
        n_events=sum(len(c.timeline) for c in site.corpus.cases.values()),
        n_figures=sum(len(c.figures) for c in board.companies),
        incident_files=sorted(incidents),
        company_metrics=[m for m in metrics("company") if m.filter],
        recent_days=site.rubric.company.recent_days_excluded if site.rubric.company else 60,
        call_files=sorted(calls),
        parquet=parquet,
        big=big,
        parquet_rows=parquet_rows(),
    )
