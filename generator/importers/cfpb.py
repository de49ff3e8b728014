"""CFPB Consumer Complaint Database exports -> incident data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .common import (
    CHUNK_ROWS,
    ImportReport,
    company_index,
    header_of,
    normalise_channel,
    parse_dates,
    read_chunks,
    require_columns,
    write_incidents,
    write_stub_company,
    yes_no,
)

# ------------------------------------------------------------------ CFPB

CFPB_REQUIRED = ["Date received", "Company", "Submitted via", "Timely response?"]
CFPB_RELIEF = {
    "closed with monetary relief": True,
    "closed with non-monetary relief": True,
    "closed with relief": True,
    "closed without relief": False,
    "closed with explanation": False,
    "closed": False,
    "untimely response": False,
}


def import_cfpb(
    path: Path,
    corpus: Path,
    companies: list[str] | None = None,
    since: str | None = None,
    unknown: str = "list",
    chunk_rows: int = CHUNK_ROWS,
) -> ImportReport:
    """CFPB Consumer Complaint Database CSV -> companies/SLUG.incidents.csv (ids `cfpb-…`)."""
    header = header_of(path)
    require_columns(path, header, CFPB_REQUIRED, "CFPB complaints")
    index = company_index(corpus)
    wanted = {c.strip().lower() for c in companies} if companies else None
    since_ts = pd.Timestamp(since) if since else None
    report = ImportReport()
    parts: dict[str, list[pd.DataFrame]] = {}
    for chunk, lines in read_chunks(path, chunk_rows):
        report.rows_read += len(chunk)
        name = chunk["Company"].fillna("").str.strip()
        received = parse_dates(chunk["Date received"])
        bad_date = received.isna().to_numpy()
        report.bad(lines[bad_date], "Date received is not a date")
        no_company = (name == "").to_numpy() & ~bad_date
        report.bad(lines[no_company], "Company is blank")
        ok = ~bad_date & ~no_company
        lower = name.str.lower()
        if wanted is not None:
            chosen = lower.isin(wanted) | lower.map(index).isin(wanted)
            report.skipped += int((ok & ~chosen.to_numpy()).sum())
            ok &= chosen.to_numpy()
        if since_ts is not None:
            recent = (received >= since_ts).to_numpy()
            report.skipped += int((ok & ~recent).sum())
            ok &= recent
        slug = lower.map(index)
        if unknown == "create":
            for raw in sorted(set(name[ok & slug.isna().to_numpy()])):
                new_slug = write_stub_company(corpus, raw, "banking", "US")
                index[raw.lower()] = new_slug
            slug = lower.map(index)
        missing = ok & slug.isna().to_numpy()
        for raw, count in name[missing].value_counts().items():
            report.unknown_companies[raw] = report.unknown_companies.get(raw, 0) + int(count)
        ok &= ~missing
        if not ok.any():
            continue
        sel = chunk[ok]
        got = received[ok]
        ids = (
            sel["Complaint ID"].fillna("").str.strip()
            if "Complaint ID" in sel
            else pd.Series("", index=sel.index)
        )
        ids = ids.where(ids != "", pd.Series([f"line{n}" for n in lines[ok]], index=sel.index))
        sent = (
            parse_dates(sel["Date sent to company"])
            if "Date sent to company" in sel
            else pd.Series(pd.NaT, index=sel.index)
        )
        issue = sel.get("Product", pd.Series("", index=sel.index)).fillna("")
        if "Issue" in sel:
            issue = issue.str.cat(sel["Issue"].fillna(""), sep=": ").str.strip(": ")
        response = sel.get("Company response to consumer", pd.Series("", index=sel.index))
        frame = pd.DataFrame(
            {
                "id": "cfpb-" + ids,
                "date": got.dt.strftime("%Y-%m-%d"),
                "channel": normalise_channel(sel["Submitted via"]),
                "issue": issue.str.slice(0, 500),
                "forwarded_days": (sent - got).dt.days,
                "response": response.fillna("").str.slice(0, 200),
                "resolved": yes_no(response, CFPB_RELIEF),
                "timely": yes_no(sel["Timely response?"]),
                "disputed": (
                    yes_no(sel["Consumer disputed?"])
                    if "Consumer disputed?" in sel
                    else pd.Series(None, index=sel.index, dtype=object)
                ),
            }
        )
        for company_slug, rows in frame.groupby(slug[ok].to_numpy(), sort=False):
            parts.setdefault(company_slug, []).append(rows)
    for company_slug in sorted(parts):
        frame = pd.concat(parts[company_slug], ignore_index=True)
        report.per_company[company_slug] = len(frame)
        report.rows_imported += len(frame)
        write_incidents(corpus, company_slug, frame, "cfpb-", report)
    return report
