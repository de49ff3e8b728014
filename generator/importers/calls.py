"""Call-centre logs (one call a row) -> daily figures per queue.

The figures go through the same merge as every importer's rows (merge.py, table ``CALLS``),
by (date, queue): another month's log adds its days, a log that covers days already imported
updates those days' figures, every other day is kept unless ``--replace`` drops them.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from ..load.checks import FORBIDDEN_CHARS, FORBIDDEN_MESSAGE
from .common import (
    ImportReport,
    RowChecks,
    header_of,
    parse_dates,
    read_chunks,
    require_columns,
)
from .interface import Importer, Option, Run
from .merge import CALLS

# ------------------------------------------------------------------ call-centre log

CALL_REQUIRED = ["date", "q_start", "q_time", "outcome", "ser_time", "type"]


def open_calls(run: Run) -> Iterator[pd.DataFrame]:
    """A call log (one call a row) -> daily figures per queue: offered, answered, abandoned,
    median and 90th-percentile wait, median handle time (``companies/SLUG.calls.csv``)."""
    company = run.index.existing(run.values["company"])
    require_columns(run.path, header_of(run.path), CALL_REQUIRED, "call-centre log")
    run.delivery.selection = {company}
    return _days(run, company)


def _days(run: Run, company: str) -> Iterator[pd.DataFrame]:
    """Every call is read before a day is counted: one batch of daily rows."""
    chunks = read_chunks(run.path, run.report, run.chunk_rows)
    parts = [_calls(chunk, lines, run.report) for chunk, lines in chunks]
    calls = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if not calls.empty:
        yield _daily(calls).assign(company=company)


SPEC = Importer(
    name="calls",
    help="A call-centre log (one call a row) -> daily offered, abandoned, waits, handle times.",
    open=open_calls,
    source="daily call-centre",
    skipped_label="not offered to an agent (IVR only, or phantom)",
    table=CALLS.name,
    # A day's figures count all of its calls: a rejected call would make them wrong, so any
    # rejected row stops the import (named file:line; nothing is written).
    whole=True,
    options=(
        Option("company", help="Slug of the company whose call centre it is.", required=True),
        "cases",
        "replace",
    ),
)


def _calls(chunk: pd.DataFrame, lines: np.ndarray, report: ImportReport) -> pd.DataFrame:
    """One chunk of calls -> the calls offered to an agent, with their wait and handle time."""
    dates = parse_dates(chunk["date"])
    wait = pd.to_numeric(chunk["q_time"], errors="coerce")
    handle = pd.to_numeric(chunk["ser_time"], errors="coerce")
    outcome = chunk["outcome"].fillna("").str.strip().str.upper()
    queue = chunk["type"].fillna("").str.strip().replace("", "all")
    checks = RowChecks(lines, report)
    checks.fail(dates.isna(), "date is not a date")
    bad_num = wait.isna() | handle.isna() | (wait < 0) | (handle < 0)
    checks.fail(bad_num, "q_time or ser_time is not a number of seconds")
    checks.fail(
        ~outcome.isin(["AGENT", "HANG", "PHANTOM"]), "outcome is not AGENT, HANG or PHANTOM"
    )
    checks.fail(queue.str.contains(FORBIDDEN_CHARS), f"type {FORBIDDEN_MESSAGE}")
    ok = ~checks.bad
    # A call was offered to an agent queue when it has a queue start ("0:00:00" = never).
    queued = (chunk["q_start"].fillna("").str.strip() != "0:00:00").to_numpy()
    keep = ok & queued & (outcome != "PHANTOM").to_numpy()
    report.skipped += int((ok & ~keep).sum())
    return pd.DataFrame(
        {
            "date": dates[keep].dt.strftime("%Y-%m-%d").to_numpy(),
            "queue": queue[keep].to_numpy(),
            "answered": (outcome[keep] == "AGENT").to_numpy(),
            "abandoned": (outcome[keep] == "HANG").to_numpy(),
            "answered_60s": ((outcome[keep] == "AGENT") & (wait[keep] <= 60)).to_numpy(),
            "wait": wait[keep].to_numpy(),
            "handle": handle[keep].where(outcome[keep] == "AGENT").to_numpy(),
            "line": lines[keep],
        }
    )


def _daily(calls: pd.DataFrame) -> pd.DataFrame:
    """The figures of each day and queue, with the line of its first call (``_line``)."""
    daily = (
        calls.groupby(["date", "queue"])
        .agg(
            offered=("wait", "size"),
            answered=("answered", "sum"),
            abandoned=("abandoned", "sum"),
            wait_median_s=("wait", "median"),
            wait_p90_s=("wait", lambda s: s.quantile(0.9)),
            handle_median_s=("handle", "median"),
            answered_60s=("answered_60s", "sum"),
            _line=("line", "min"),
        )
        .reset_index()
    )
    return daily[[*CALLS.columns, "_line"]].round(1)
