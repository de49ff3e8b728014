"""Importers: public complaint, ticket, tweet and call data become company incident data.

One interface for every importer (interface.py: its name, options and how it reads rows), one
module per source (cfpb, tickets, twitter, calls) declaring its ``SPEC``, one registry
(registry.py, from which the `cxreport import` commands are made), one merge (merge.py) that
delivers every importer's rows into the corpus: incident rows by (source, id), as CSV beside
each company file or into the incident store (load/incidents/write.py, DuckDB over Parquet)
for big imports; a call log's daily figures by (date, queue). The company metrics over either
are the registry's (``measure``), on DuckDB or Spark.
"""

from __future__ import annotations

from pathlib import Path

from .common import CHUNK_ROWS, ImportFailed, ImportReport, exclusive
from .interface import SHARED, Importer, Option, Run
from .merge import STORE_THRESHOLD_BYTES
from .registry import IMPORTERS, register, run
from .tickets import TicketOptions

# Every importer runs whole under the corpus's import lock: two imports at once (into CSV
# files or the store) run one after the other, each merging into what the other wrote.
run_import = exclusive(run)


# The Python form of each command (the same run as `cxreport import NAME`).


def import_cfpb(
    path: Path,
    corpus: Path,
    companies: list[str] | None = None,
    since: str | None = None,
    unknown: str = "list",
    *,
    with_text: bool = False,
    replace: bool = False,
    into: str = "auto",
    source: str = "cfpb",
    as_of: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> ImportReport:
    """CFPB complaints -> incident rows of the matching companies, merged by complaint id."""
    return run_import(
        path, corpus, "cfpb", kept_as=source, chunk_rows=chunk_rows, company=companies,
        since=since, unknown=unknown, with_text=with_text, replace=replace, into=into,
        as_of=as_of,
    )  # fmt: skip


def import_tickets(
    path: Path,
    corpus: Path,
    company: str,
    options: TicketOptions,
    *,
    source: str | None = None,
    replace: bool = False,
    into: str = "auto",
    as_of: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> ImportReport:
    """A ticket export about one company -> its incident rows, merged by (source, ticket id)."""
    return run_import(
        path, corpus, "tickets", chunk_rows=chunk_rows, company=company, source=source,
        replace=replace, into=into, as_of=as_of, **options.values(),
    )  # fmt: skip


def import_twitter(
    path: Path,
    corpus: Path,
    handles: list[str] | None = None,
    *,
    with_text: bool = False,
    source: str = "twitter",
    replace: bool = False,
    into: str = "auto",
    as_of: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> ImportReport:
    """Support tweets -> one incident per customer tweet to a handle, with its reply delay."""
    return run_import(
        path, corpus, "twitter", kept_as=source, chunk_rows=chunk_rows, handle=handles,
        with_text=with_text, replace=replace, into=into, as_of=as_of,
    )  # fmt: skip


def import_calls(
    path: Path, corpus: Path, company: str, *, replace: bool = False, chunk_rows: int = CHUNK_ROWS
) -> ImportReport:
    """A call log (one call a row) -> daily figures per queue, merged by (date, queue)."""
    return run_import(
        path, corpus, "calls", chunk_rows=chunk_rows, company=company, replace=replace
    )


__all__ = [
    "IMPORTERS",
    "SHARED",
    "STORE_THRESHOLD_BYTES",
    "ImportFailed",
    "ImportReport",
    "Importer",
    "Option",
    "Run",
    "TicketOptions",
    "import_calls",
    "import_cfpb",
    "import_tickets",
    "import_twitter",
    "register",
    "run_import",
]
