"""Importers: public complaint and call data become company incident data.

Each importer reads a real export (CFPB complaints, a generic ticket export, a call-centre log),
normalises it column-wise with pandas, and writes a CSV beside the company's YAML, where the
loader validates it like everything else. Rows that cannot be used are counted and reported
with their line number and reason, never silently dropped.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .loader import CALL_COLUMNS, INCIDENT_COLUMNS, slugify

CHUNK_ROWS = 100_000


class ImportError_(Exception):
    """The file is not what the importer expects (wrong layout, unreadable)."""


@dataclass
class BadRow:
    line: int
    reason: str


@dataclass
class ImportReport:
    rows_read: int = 0
    rows_imported: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)
    bad_count: int = 0
    per_company: dict[str, int] = field(default_factory=dict)
    unknown_companies: dict[str, int] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)
    skipped: int = 0  # rows left out on purpose (outside --company / --since, ...)
    skipped_label: str = "outside the selection"

    def bad(self, lines: np.ndarray, reason: str, keep: int = 50) -> None:
        self.bad_count += len(lines)
        room = keep - len(self.bad_rows)
        for line in lines[: max(room, 0)]:
            self.bad_rows.append(BadRow(int(line), reason))


# ------------------------------------------------------------------ normalising values

CHANNELS = {
    "phone": "phone",
    "telephone": "phone",
    "call": "phone",
    "customer care call": "phone",
    "web": "web",
    "internet": "web",
    "online": "web",
    "web referral": "web",
    "email": "email",
    "e-mail": "email",
    "chat": "chat",
    "live chat": "chat",
    "social": "social",
    "social media": "social",
    "twitter": "social",
    "facebook": "social",
    "postal mail": "letter",
    "mail": "letter",
    "letter": "letter",
    "fax": "letter",
    "in person": "in_person",
    "store": "in_person",
    "referral": "other",
}
RESOLVED = {
    "solved": True,
    "closed": True,
    "resolved": True,
    "yes": True,
    "true": True,
    "open": False,
    "pending": False,
    "no": False,
    "false": False,
    "in progress": False,
    "unresolved": False,
}


def normalise_channel(values: pd.Series) -> pd.Series:
    key = values.fillna("").str.strip().str.lower()
    return key.map(CHANNELS).fillna("other")


def yes_no(values: pd.Series, mapping: dict[str, bool] | None = None) -> pd.Series:
    key = values.fillna("").str.strip().str.lower()
    return key.map(mapping or {"yes": True, "no": False}).astype("object")


DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%d-%m-%y", "%d-%m-%Y")


def parse_dates(values: pd.Series, fmt: str | None = None) -> pd.Series:
    """Dates in one known format, or (auto) the first of DATE_FORMATS that reads a sample of
    the values; values in another of those formats are still tried, one format at a time."""
    text = values.fillna("").str.strip()
    if fmt:
        return pd.to_datetime(text, format=fmt, errors="coerce")
    sample = text[text != ""].head(200)
    ranked = sorted(
        DATE_FORMATS, key=lambda f: -pd.to_datetime(sample, format=f, errors="coerce").notna().sum()
    )
    out = pd.to_datetime(text, format=ranked[0], errors="coerce")
    for candidate in ranked[1:]:
        missing = out.isna() & (text != "")
        if not missing.any():
            break
        out = out.where(
            ~missing, pd.to_datetime(text.where(missing), format=candidate, errors="coerce")
        )
    return out


# ------------------------------------------------------------------ reading CSVs


def read_chunks(
    path: Path, chunk_rows: int = CHUNK_ROWS
) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
    """CSV rows in chunks of text columns, with each row's physical line number.

    The csv module (C) knows where each record starts even when a quoted narrative spans
    several lines, which pandas' reader does not report; memory stays bounded by the chunk.
    """
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
        reader = csv.reader(handle)
        header = next(reader)
    except UnicodeDecodeError as exc:
        raise ImportError_(f"{path}: not UTF-8 ({exc.reason})") from None
    except StopIteration:
        raise ImportError_(f"{path}: the file is empty") from None
    header = [h.strip() for h in header]
    with handle:
        rows: list[list[str]] = []
        lines: list[int] = []
        start = reader.line_num + 1
        width = len(header)
        try:
            for row in reader:
                if len(row) != width:
                    row = (row + [""] * width)[:width] if row else [""] * width
                rows.append(row)
                lines.append(start)
                start = reader.line_num + 1
                if len(rows) >= chunk_rows:
                    yield pd.DataFrame(rows, columns=header, dtype=object), np.array(lines)
                    rows, lines = [], []
        except UnicodeDecodeError as exc:
            raise ImportError_(f"{path}:{start}: not UTF-8 ({exc.reason})") from None
        except csv.Error as exc:
            raise ImportError_(f"{path}:{start}: CSV cannot be read: {exc}") from None
        if rows:
            yield pd.DataFrame(rows, columns=header, dtype=object), np.array(lines)


def header_of(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [h.strip() for h in next(csv.reader(handle))]
    except StopIteration:
        raise ImportError_(f"{path}: the file is empty") from None
    except UnicodeDecodeError as exc:
        raise ImportError_(f"{path}: not UTF-8 ({exc.reason})") from None


def require_columns(path: Path, header: list[str], required: list[str], what: str) -> None:
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportError_(
            f"{path}: not a {what} file: missing column(s) {', '.join(repr(m) for m in missing)} "
            f"(found: {', '.join(header) or 'none'})"
        )


# ------------------------------------------------------------------ writing the corpus


def merge_incidents(csv_path: Path, new: pd.DataFrame, source_prefix: str) -> pd.DataFrame:
    """Replace this source's earlier rows, keep the rest, sorted by date and id."""
    if csv_path.exists():
        old = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
        old = old[~old["id"].str.startswith(source_prefix)]
        new = pd.concat(
            [old, new.astype(str).replace({"None": "", "nan": "", "<NA>": ""})], ignore_index=True
        )
    else:
        new = new.astype(str).replace({"None": "", "nan": "", "<NA>": ""})
    for column in INCIDENT_COLUMNS:
        if column not in new.columns:
            new[column] = ""
    return new[INCIDENT_COLUMNS].sort_values(["date", "id"], kind="stable")


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write atomically: a half-written CSV would be read as data."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    frame.to_csv(tmp, index=False, lineterminator="\n")
    tmp.replace(path)


def link_company_file(company_yaml: Path, key: str, filename: str) -> None:
    """Point the company file at its CSV, appending one line so comments survive."""
    text = company_yaml.read_text(encoding="utf-8")
    if re.search(rf"^{key}:", text, flags=re.M):
        return
    if not text.endswith("\n"):
        text += "\n"
    company_yaml.write_text(text + f"{key}: {filename}\n", encoding="utf-8")


def company_index(corpus: Path) -> dict[str, str]:
    """Lower-cased names and aliases -> company slug, read straight from the YAML files."""
    index: dict[str, str] = {}
    for path in sorted((corpus / "companies").glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError:
            continue
        slug = data.get("slug") or path.stem
        for name in [data.get("name"), *(data.get("aliases") or []), slug]:
            if isinstance(name, str):
                index[name.strip().lower()] = slug
    return index


def write_stub_company(corpus: Path, name: str, industry: str, country: str) -> str:
    slug = slugify(name)
    path = corpus / "companies" / f"{slug}.yaml"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            "# yaml-language-server: $schema=../../schemas/company.schema.json\n"
            "# Created by `cxreport import` from imported data: check and complete it.\n"
            + yaml.safe_dump(
                {
                    "slug": slug,
                    "name": name.title() if name.isupper() else name,
                    "aliases": [name],
                    "industry": industry,
                    "country": country,
                },
                sort_keys=False,
                allow_unicode=True,
            ),
            encoding="utf-8",
        )
    return slug


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
        _write_incidents(corpus, company_slug, frame, "cfpb-", report)
    return report


def _write_incidents(
    corpus: Path, company_slug: str, frame: pd.DataFrame, prefix: str, report: ImportReport
) -> None:
    yaml_path = corpus / "companies" / f"{company_slug}.yaml"
    csv_path = corpus / "companies" / f"{company_slug}.incidents.csv"
    write_table(merge_incidents(csv_path, frame, prefix), csv_path)
    if yaml_path.exists():
        link_company_file(yaml_path, "incidents_file", csv_path.name)
    report.written.append(csv_path)


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
        _write_incidents(corpus, company, frame, prefix, report)
    return report


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
