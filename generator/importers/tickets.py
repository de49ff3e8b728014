"""Generic ticket exports, with a column mapping -> incident data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .common import (
    CHUNK_ROWS,
    RESOLVED,
    ImportError_,
    ImportReport,
    header_of,
    normalise_channel,
    parse_dates,
    read_chunks,
    require_columns,
    write_incidents,
    yes_no,
)

# ------------------------------------------------------------------ generic tickets

TICKET_FIELDS = [
    "id",
    "date",
    "channel",
    "issue",
    "resolved",
    "timely",
    "escalated",
    "disputed",
    "response_days",
]


def import_tickets(
    path: Path,
    corpus: Path,
    company: str,
    mapping: dict[str, str],
    date_format: str | None = None,
    prefix: str = "ticket-",
    chunk_rows: int = CHUNK_ROWS,
) -> ImportReport:
    """A ticket export with a column mapping (``{"Ticket #": "id", "Date": "date", ...}``)."""
    unknown_fields = sorted(set(mapping.values()) - set(TICKET_FIELDS))
    if unknown_fields:
        raise ImportError_(
            f"unknown field(s) in --map: {', '.join(unknown_fields)}; "
            f"known: {', '.join(TICKET_FIELDS)}"
        )
    if "date" not in mapping.values():
        raise ImportError_("--map must name the column that holds the date (COLUMN=date)")
    if not (corpus / "companies" / f"{company}.yaml").exists():
        raise ImportError_(f"no company {company!r} in {corpus / 'companies'}")
    header = header_of(path)
    require_columns(path, header, list(mapping), "ticket export")
    by_field = {f: c for c, f in mapping.items()}
    report = ImportReport()
    parts = []
    for chunk, lines in read_chunks(path, chunk_rows):
        report.rows_read += len(chunk)
        dates = parse_dates(chunk[by_field["date"]], date_format)
        bad = dates.isna().to_numpy()
        report.bad(
            lines[bad],
            f"{by_field['date']} is not a date"
            + (f" in the format {date_format}" if date_format else ""),
        )
        sel, got, ok_lines = chunk[~bad], dates[~bad], lines[~bad]
        ids = (
            sel[by_field["id"]].fillna("").str.strip()
            if "id" in by_field
            else pd.Series([f"line{n}" for n in ok_lines], index=sel.index)
        )
        frame = pd.DataFrame(
            {"id": prefix + ids, "date": got.dt.strftime("%Y-%m-%d"), "_line": ok_lines}
        )
        if "channel" in by_field:
            frame["channel"] = normalise_channel(sel[by_field["channel"]])
        if "issue" in by_field:
            frame["issue"] = sel[by_field["issue"]].fillna("").str.slice(0, 500)
        for flag in ("resolved", "timely", "escalated", "disputed"):
            if flag in by_field:
                frame[flag] = yes_no(sel[by_field[flag]], RESOLVED)
        if "response_days" in by_field:
            frame["response_days"] = pd.to_numeric(sel[by_field["response_days"]], errors="coerce")
        parts.append(frame)
    if parts:
        frame = pd.concat(parts, ignore_index=True)
        dup = frame["id"].duplicated(keep="first")
        report.bad(frame.loc[dup, "_line"].to_numpy(), "duplicate ticket id")
        frame = frame[~dup].drop(columns="_line")
        report.rows_imported = len(frame)
        report.per_company[company] = len(frame)
        write_incidents(corpus, company, frame, prefix, report)
    return report
