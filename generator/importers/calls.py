"""Call-centre logs (one call a row) -> daily figures per queue."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..load.tables import CALL_COLUMNS
from .common import (
    CHUNK_ROWS,
    ImportError_,
    ImportReport,
    header_of,
    link_company_file,
    parse_dates,
    read_chunks,
    require_columns,
    write_table,
)

# ------------------------------------------------------------------ call-centre log

CALL_REQUIRED = ["date", "q_start", "q_time", "outcome", "ser_time", "type"]


def import_calls(
    path: Path, corpus: Path, company: str, chunk_rows: int = CHUNK_ROWS
) -> ImportReport:
    """A call log (one call a row) -> daily figures per queue: offered, answered, abandoned,
    median and 90th-percentile wait, median handle time (``companies/SLUG.calls.csv``)."""
    if not (corpus / "companies" / f"{company}.yaml").exists():
        raise ImportError_(f"no company {company!r} in {corpus / 'companies'}")
    header = header_of(path)
    require_columns(path, header, CALL_REQUIRED, "call-centre log")
    report = ImportReport(skipped_label="not offered to an agent (IVR only, or phantom)")
    parts = []
    for chunk, lines in read_chunks(path, chunk_rows):
        report.rows_read += len(chunk)
        dates = parse_dates(chunk["date"])
        wait = pd.to_numeric(chunk["q_time"], errors="coerce")
        handle = pd.to_numeric(chunk["ser_time"], errors="coerce")
        outcome = chunk["outcome"].fillna("").str.strip().str.upper()
        bad_date = dates.isna().to_numpy()
        report.bad(lines[bad_date], "date is not a date")
        bad_num = (wait.isna() | handle.isna() | (wait < 0) | (handle < 0)).to_numpy() & ~bad_date
        report.bad(lines[bad_num], "q_time or ser_time is not a number of seconds")
        bad_outcome = ~outcome.isin(["AGENT", "HANG", "PHANTOM"]).to_numpy() & ~bad_date & ~bad_num
        report.bad(lines[bad_outcome], "outcome is not AGENT, HANG or PHANTOM")
        ok = ~bad_date & ~bad_num & ~bad_outcome
        # A call was offered to an agent queue when it has a queue start ("0:00:00" = never).
        queued = (chunk["q_start"].fillna("").str.strip() != "0:00:00").to_numpy()
        real = (outcome != "PHANTOM").to_numpy()
        keep = ok & queued & real
        report.skipped += int((ok & ~keep).sum())
        parts.append(
            pd.DataFrame(
                {
                    "date": dates[keep].dt.strftime("%Y-%m-%d").to_numpy(),
                    "queue": chunk["type"][keep]
                    .fillna("")
                    .str.strip()
                    .replace("", "all")
                    .to_numpy(),
                    "answered": (outcome[keep] == "AGENT").to_numpy(),
                    "abandoned": (outcome[keep] == "HANG").to_numpy(),
                    "wait": wait[keep].to_numpy(),
                    "handle": handle[keep].where(outcome[keep] == "AGENT").to_numpy(),
                }
            )
        )
    calls = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=["date", "queue", "answered", "abandoned", "wait", "handle"])
    )
    daily = (
        calls.groupby(["date", "queue"])
        .agg(
            offered=("wait", "size"),
            answered=("answered", "sum"),
            abandoned=("abandoned", "sum"),
            wait_median_s=("wait", "median"),
            wait_p90_s=("wait", lambda s: s.quantile(0.9)),
            handle_median_s=("handle", "median"),
        )
        .reset_index()
    )
    daily = daily[CALL_COLUMNS].round(1)
    report.rows_imported = int(daily["offered"].sum()) if len(daily) else 0
    report.per_company[company] = report.rows_imported
    csv_path = corpus / "companies" / f"{company}.calls.csv"
    write_table(daily, csv_path)
    link_company_file(corpus / "companies" / f"{company}.yaml", "calls_file", csv_path.name)
    report.written.append(csv_path)
    return report
