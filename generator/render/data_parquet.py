"""Big sources in the open data: Parquet partitioned by source and year, not one huge CSV.

A source with more than :data:`PARQUET_ROWS` incident rows (100,000 by default; the
environment variable ``CXREPORT_PARQUET_ROWS`` sets another number) is published under
``data/incidents/parquet/`` in the hive layout (``source=cfpb/year=2016/data_0.parquet``),
written by DuckDB straight from the loaded rows and the store's rows as the loaded corpus hands
them over (``Corpus.stored``: their counts per source, and the SQL of its current rows), so
the rows never pass through pandas and the open data never opens the store itself. Every
other source, and every company's own file, stays one CSV as before.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd

from ..load import Corpus
from ..load.incidents import INCIDENT_COLUMNS, STORE_TYPES, sql_text, typed_frame

PARQUET_ROWS_ENV = "CXREPORT_PARQUET_ROWS"
PARQUET_FOLDER = "incidents/parquet"  # under data/
# The published columns, without the two the partition folders carry (source, year).
PARQUET_COLUMNS = ["company", *(c for c in INCIDENT_COLUMNS if c != "source")]


def parquet_rows() -> int:
    """The threshold: a source with more rows than this is published as Parquet."""
    value = os.environ.get(PARQUET_ROWS_ENV, "")
    return int(value) if value.strip().isdigit() else 100_000


def _connect() -> duckdb.DuckDBPyConnection:
    # one thread: the files (and their order) are the same on every build
    return duckdb.connect(config={"memory_limit": "512MB", "threads": 1})


def _register(con: duckdb.DuckDBPyConnection, corpus: Corpus) -> str:
    """The relation of every incident row as published (loaded rows, then the store's)."""
    con.register("_loaded", typed_frame(corpus.incidents, STORE_TYPES))
    stored = corpus.stored.sql() if corpus.stored and corpus.stored.rows else None
    columns = ", ".join(["company", *INCIDENT_COLUMNS])
    union = f" UNION ALL SELECT {columns} FROM ({stored})" if stored else ""
    return f"(SELECT {columns} FROM _loaded{union})"


def big_sources(corpus: Corpus, threshold: int | None = None) -> dict[str, int]:
    """Sources with more rows than the threshold, with their row counts."""
    limit = parquet_rows() if threshold is None else threshold
    loaded = corpus.incidents["source"].dropna().value_counts().to_dict()
    total = {str(s): int(n) for s, n in loaded.items()}
    for source, n in (corpus.stored.per_source() if corpus.stored else {}).items():
        total[source] = total.get(source, 0) + n
    return {s: n for s, n in sorted(total.items()) if s.strip() and n > limit}


def write_parquet(corpus: Corpus, sources: set[str], folder: Path) -> None:
    """The rows of ``sources`` under ``folder`` (``data/incidents/parquet``), partitioned by
    source and year, sorted within each file as the CSVs are (company, date, id)."""
    if not sources:
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    chosen = ", ".join(sql_text(s) for s in sorted(sources))
    with _connect() as con:
        rows = _register(con, corpus)
        select = (
            f"SELECT {', '.join(PARQUET_COLUMNS)}, source, year(date) AS year FROM {rows} "
            f"WHERE source IN ({chosen}) ORDER BY source, year, company, date, id"
        )
        con.execute(
            f"COPY ({select}) TO {sql_text(str(folder))} "
            "(FORMAT parquet, PARTITION_BY (source, year), COMPRESSION zstd)"
        )


def parquet_download(source: str) -> str:
    """Where a big source's rows are, relative to data/."""
    return f"{PARQUET_FOLDER}/source={source}/"


def empty_export() -> pd.DataFrame:
    return pd.DataFrame(columns=["company", *INCIDENT_COLUMNS])
