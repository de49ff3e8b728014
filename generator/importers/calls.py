"""Call-centre logs (one call a row) -> daily figures per queue.

The figures are merged by (date, queue): another month's log adds its days, a log that covers
days already imported replaces those days' figures, and every other day is kept.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..load.incidents.write import Counts
from ..load.slugs import child
from ..load.tables import CALL_COLUMNS, CALL_OPTIONAL_COLUMNS
from .common import (
    CHUNK_ROWS,
    ImportFailed,
    ImportReport,
    RowChecks,
    header_of,
    parse_dates,
    read_chunks,
    read_text_csv,
    require_columns,
)
from .companies import CompanyIndex
from .merge import linked_text, write_atomic

# Every column the import writes: a re-import keeps what the scorer reads.
COLUMNS = [*CALL_COLUMNS, *CALL_OPTIONAL_COLUMNS]

# ------------------------------------------------------------------ call-centre log

CALL_REQUIRED = ["date", "q_start", "q_time", "outcome", "ser_time", "type"]


def import_calls(
    path: Path, corpus: Path, company: str, chunk_rows: int = CHUNK_ROWS
) -> ImportReport:
    """A call log (one call a row) -> daily figures per queue: offered, answered, abandoned,
    median and 90th-percentile wait, median handle time (``companies/SLUG.calls.csv``)."""
    index = CompanyIndex.read(corpus)
    company = index.existing(company)
    if not path.is_file():
        raise ImportFailed(f"{path}: file not found")
    header = header_of(path)
    require_columns(path, header, CALL_REQUIRED, "call-centre log")
    report = ImportReport(
        source="daily call-centre", skipped_label="not offered to an agent (IVR only, or phantom)"
    )
    parts = [_calls(chunk, lines, report) for chunk, lines in read_chunks(path, report, chunk_rows)]
    calls = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if calls.empty:
        return report  # nothing accepted: nothing written
    _merge_daily(corpus, index, company, _daily(calls), report)
    return report


def _calls(chunk: pd.DataFrame, lines: np.ndarray, report: ImportReport) -> pd.DataFrame:
    """One chunk of calls -> the calls offered to an agent, with their wait and handle time."""
    dates = parse_dates(chunk["date"])
    wait = pd.to_numeric(chunk["q_time"], errors="coerce")
    handle = pd.to_numeric(chunk["ser_time"], errors="coerce")
    outcome = chunk["outcome"].fillna("").str.strip().str.upper()
    checks = RowChecks(lines, report)
    checks.fail(dates.isna(), "date is not a date")
    bad_num = wait.isna() | handle.isna() | (wait < 0) | (handle < 0)
    checks.fail(bad_num, "q_time or ser_time is not a number of seconds")
    checks.fail(
        ~outcome.isin(["AGENT", "HANG", "PHANTOM"]), "outcome is not AGENT, HANG or PHANTOM"
    )
    ok = ~checks.bad
    # A call was offered to an agent queue when it has a queue start ("0:00:00" = never).
    queued = (chunk["q_start"].fillna("").str.strip() != "0:00:00").to_numpy()
    keep = ok & queued & (outcome != "PHANTOM").to_numpy()
    report.skipped += int((ok & ~keep).sum())
    return pd.DataFrame(
        {
            "date": dates[keep].dt.strftime("%Y-%m-%d").to_numpy(),
            "queue": chunk["type"][keep].fillna("").str.strip().replace("", "all").to_numpy(),
            "answered": (outcome[keep] == "AGENT").to_numpy(),
            "abandoned": (outcome[keep] == "HANG").to_numpy(),
            "answered_60s": ((outcome[keep] == "AGENT") & (wait[keep] <= 60)).to_numpy(),
            "wait": wait[keep].to_numpy(),
            "handle": handle[keep].where(outcome[keep] == "AGENT").to_numpy(),
        }
    )


def _daily(calls: pd.DataFrame) -> pd.DataFrame:
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
        )
        .reset_index()
    )
    return daily[COLUMNS].round(1)


def _merge_daily(
    corpus: Path, index: CompanyIndex, company: str, daily: pd.DataFrame, report: ImportReport
) -> None:
    """Merge the days into the company's calls CSV (by date and queue), then link it."""
    folder = corpus / "companies"
    yaml_path = child(folder, company, ".yaml")
    path = child(folder, company, ".calls.csv")
    link = linked_text(yaml_path, "calls_file", path.name)
    new = daily.astype(object).where(daily.notna(), "").astype(str)
    old = pd.DataFrame(columns=COLUMNS)
    if link is None:  # already linked: that file (a plain name, checked by the model)
        path = folder / index.calls[company]
    if path.exists():
        old = read_text_csv(path)
        missing = [c for c in COLUMNS if c not in old.columns]
        old = old.assign(**dict.fromkeys(missing, ""))[[*COLUMNS]]
    old_keys = old.set_index(["date", "queue"])
    keys = pd.MultiIndex.from_frame(new[["date", "queue"]])
    known = keys.isin(old_keys.index)
    same = np.zeros(len(new), dtype=bool)
    if known.any():
        before = old_keys.loc[keys[known], COLUMNS[2:]].astype(str).to_numpy()
        same[known] = (before == new.loc[known, COLUMNS[2:]].to_numpy()).all(axis=1)
    counts = Counts(int((~known).sum()), int((known & ~same).sum()), int(same.sum()))
    report.per_company[company] = counts
    if counts.added + counts.updated:
        kept = old[~pd.MultiIndex.from_frame(old[["date", "queue"]]).isin(keys[~same])]
        merged = pd.concat([kept, new[~same]]).sort_values(["date", "queue"], kind="stable")
        write_atomic(path, merged[COLUMNS].to_csv(index=False, lineterminator="\n"))
        report.written.append(path)
    if link is not None:
        write_atomic(yaml_path, link)
        report.written.append(yaml_path)
