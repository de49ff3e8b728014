"""The open data's downloads, made once per build for every language edition (issue 22).

The files under ``data/`` (the scores, companies, events and rubric as CSV and JSON, the
incident and call rows one CSV per source or company) depend on the corpus and its scores
only, never on the edition's language: a build makes them once, before its editions are
rendered (the forked workers inherit them), and every edition writes the same texts. A
long-lived caller (``serve``) hands a ``Reuse``: the incident and call CSVs, most of the
work, are made again only when their exact inputs changed (a digest of the incident and call
rows and of the sources published as Parquet; never with an incident store, whose rows are
not all in memory). The Parquet files of big sources are written by each edition's render
into its own folder (``data_parquet``), as before.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..load import Corpus
from ..load.reuse import Reuse, digest, frame_digest
from ..score import Scoreboard
from .data import (
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
from .data_parquet import big_sources, parquet_download


@dataclass(frozen=True)
class Downloads:
    """Every download's text under its path in the docs (``data/...``), in the order they are
    written, and what the data page lists."""

    files: dict[str, str]
    incident_files: list[str]  # names under data/incidents/
    call_files: list[str]  # names under data/calls/
    big: dict[str, int]  # sources published as Parquet, with their row counts
    parquet: dict[str, str]  # such a source -> its folder under data/


def _rows_key(corpus: Corpus, big: dict[str, int]) -> str | None:
    """A digest of everything the incident and call CSVs are made from (None: not all of it
    in memory, as with an incident store)."""
    if corpus.stored is not None:
        return None
    parts = [frame_digest(corpus.incidents), frame_digest(corpus.calls)]
    return digest([*parts, *sorted(big)])


def _rows(corpus: Corpus, big: dict[str, int]) -> tuple[dict[str, str], dict[str, str]]:
    return incident_files(corpus, frozenset(big)), call_files(corpus)


def make_downloads(corpus: Corpus, board: Scoreboard, reuse: Reuse | None = None) -> Downloads:
    """The downloads of ``corpus`` scored as ``board``; ``reuse``: the incident and call CSVs
    of an earlier call are handed back when their exact inputs are the same."""
    big = big_sources(corpus)
    key = _rows_key(corpus, big) if reuse is not None else None
    if reuse is None or key is None:
        incidents, calls = _rows(corpus, big)
    else:
        incidents, calls = reuse.stage("downloads: rows", key, lambda: _rows(corpus, big))
    parquet = {source: parquet_download(source) for source in big}
    files = {
        "data/cases.csv": scores_csv(board, corpus),
        "data/scores.json": json_text(scores_json(board)),
        "data/companies.csv": companies_csv(board),
        "data/events.csv": events_csv(corpus),
        "data/rubric.json": rubric_json(corpus.rubric),
        "data/company_metrics.csv": company_metrics_csv(board),
        "data/company_metrics.json": json_text(company_metrics_json(board)),
    }
    files |= {f"data/incidents/{name}": text for name, text in incidents.items()}
    files["data/sources.csv"] = sources_csv(board, parquet)
    files |= {f"data/calls/{name}": text for name, text in calls.items()}
    return Downloads(files, sorted(incidents), sorted(calls), big, parquet)
