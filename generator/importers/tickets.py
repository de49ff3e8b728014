"""Ticket exports of any helpdesk, read through a column mapping -> incident rows.

``--map COLUMN=FIELD`` names the column holding each incident field; two pseudo-fields,
``received_at`` and ``replied_at``, give the reply time in minutes from two timestamps (time
zones kept: ``2015-04-22T10:00+02:00`` and ``08:30Z`` are 30 minutes apart). A shared export is
filtered with ``--company-column``/``--company-value``; ``--channel`` sets one channel for all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..load.incidents import BOUNDS, CHANNELS, FLAG_COLUMNS, FREE_TEXT, MAX_LENGTH
from ..load.slugs import slug_problem, slugify
from .common import (
    CHUNK_ROWS,
    RESOLVED,
    ImportFailed,
    ImportReport,
    RowChecks,
    blank_to_none,
    header_of,
    normalise_channel,
    parse_dates,
    parse_times,
    read_chunks,
    require_columns,
    yes_no,
)
from .dates import MONTH_NAME, decide, formats_of, parse_in_order
from .interface import Importer, Option, Run

TEXT_FIELDS = {c: MAX_LENGTH[c] for c in FREE_TEXT}
FLAG_FIELDS = FLAG_COLUMNS
NUMBER_FIELDS = {c: int(BOUNDS[c][1]) for c in ("reply_minutes", "response_days")}
TICKET_FIELDS = [
    "id",
    "date",
    "channel",
    *TEXT_FIELDS,
    *FLAG_FIELDS,
    *NUMBER_FIELDS,
    "received_at",
    "replied_at",
]


@dataclass
class TicketOptions:
    """How to read one export: the mapping and everything else the command line says."""

    mapping: dict[str, str]  # column -> field
    date_format: str | None = None
    time_format: str | None = None
    timezone: str = "UTC"
    channel: str | None = None
    company_column: str | None = None
    company_value: str | None = None
    # The date column's format(s), decided once per file (see dates.py); set on import.
    formats: list[str] | None = None

    @property
    def column(self) -> dict[str, str]:  # field -> column
        return {f: c for c, f in self.mapping.items()}

    @classmethod
    def of(cls, values: dict) -> TicketOptions:
        """The options of one run (``--map`` as COLUMN=FIELD texts, or a mapping)."""
        mapping = values["map_"]
        return cls(
            mapping if isinstance(mapping, dict) else _mapping(mapping),
            values["date_format"],
            values["time_format"],
            values["timezone"],
            values["channel"],
            values["company_column"],
            values["company_value"],
        )

    def values(self) -> dict:
        """The other way round: the option values a run takes."""
        return {
            "map_": dict(self.mapping),
            "date_format": self.date_format,
            "time_format": self.time_format,
            "timezone": self.timezone,
            "channel": self.channel,
            "company_column": self.company_column,
            "company_value": self.company_value,
        }


def _mapping(items: list[str]) -> dict[str, str]:
    mapping = {}
    for item in items:
        column, sep, target = item.rpartition("=")
        if not sep or not column:
            raise ImportFailed(f"--map {item!r}: write COLUMN=FIELD")
        mapping[column.strip()] = target.strip()
    return mapping


def source_for(path: Path, source: str | None) -> str:
    """The source name rows are kept under: given, or the file's name as a slug."""
    name = source or slugify(path.stem)[:40].strip("-")
    problem = slug_problem(name)
    if problem or len(name) > 40:
        raise ImportFailed(f"--source {name!r}: {problem or 'at most 40 characters'}")
    return name


def check_options(path: Path, options: TicketOptions) -> None:
    unknown_fields = sorted(set(options.mapping.values()) - set(TICKET_FIELDS))
    if unknown_fields:
        raise ImportFailed(
            f"unknown field(s) in --map: {', '.join(unknown_fields)}; "
            f"known: {', '.join(TICKET_FIELDS)}"
        )
    fields = set(options.mapping.values())
    if not fields & {"date", "received_at"}:
        raise ImportFailed("--map must name the column with the date (COLUMN=date or =received_at)")
    if ("replied_at" in fields) != ("received_at" in fields):
        raise ImportFailed("a reply time needs both COLUMN=received_at and COLUMN=replied_at")
    try:
        pd.Timestamp("2000-01-01").tz_localize(options.timezone)
    except (ValueError, KeyError, TypeError) as exc:
        raise ImportFailed(f"--timezone {options.timezone!r}: not a time zone ({exc})") from None
    if options.channel and options.channel not in CHANNELS:
        raise ImportFailed(f"--channel {options.channel!r}: one of {', '.join(CHANNELS)}")
    if (options.company_column is None) != (options.company_value is None):
        raise ImportFailed("--company-column and --company-value go together")
    needed = list(options.mapping) + [c for c in [options.company_column] if c]
    require_columns(path, header_of(path), needed, "ticket export")


def _companion(header: list[str], date_column: str, rows: pd.DataFrame) -> str | None:
    """A column other than the date spelling the month out (``04-Jun-15``), if any."""
    for name in header:
        if name == date_column or name not in rows:
            continue
        sample = rows[name].fillna("").str.strip()
        sample = sample[sample != ""].head(50)
        if len(sample) and sample.str.fullmatch(MONTH_NAME[1:-1]).all():
            return name
    return None


def date_formats(path: Path, o: TicketOptions, chunk_rows: int = CHUNK_ROWS) -> list[str] | None:
    """The date column's format(s): as stated by --date-format, else decided once for the
    whole file from its evidence (values above 12, a month-name column, ticket ids)."""
    if o.date_format:
        return formats_of(o.date_format)
    column = o.column.get("date")
    if column is None:
        return None
    header = header_of(path)
    first = next(read_chunks(path, ImportReport(), 1000), None)
    if first is None:
        return None
    companion = _companion(header, column, first[0])
    wanted = list(dict.fromkeys(c for c in [column, o.column.get("id"), companion] if c))
    pieces = list(read_chunks(path, ImportReport(), chunk_rows, wanted))
    rows = pd.concat([chunk for chunk, _ in pieces], ignore_index=True)
    lines = np.concatenate([n for _, n in pieces]).astype(int)
    ids = rows[o.column["id"]] if "id" in o.column else None
    return decide(
        path, column, rows[column], lines, ids,
        rows[companion] if companion else None,
    )  # fmt: skip


def open_tickets(run: Run) -> Iterator[pd.DataFrame]:
    """A ticket export about one company -> its incident rows, merged by (source, ticket id)."""
    company = run.index.existing(run.values["company"])
    options = TicketOptions.of(run.values)
    check_options(run.path, options)
    options.formats = date_formats(run.path, options, run.chunk_rows)
    run.set_source(source_for(run.path, run.values["source"]))
    run.delivery.selection = {company}
    return (
        _rows(chunk, lines, company, options, run.report)
        for chunk, lines in read_chunks(run.path, run.report, run.chunk_rows)
    )


SPEC = Importer(
    name="tickets",
    help="A ticket export of any helpdesk, through a column mapping -> incident data.",
    open=open_tickets,
    options=(
        Option("company", help="Slug of the company the tickets are about.", required=True),
        Option(
            "map_",
            help="COLUMN=FIELD, e.g. 'Ticket #=id'; fields: id, date, channel, product, issue, "
            "response, text, resolved, timely, escalated, disputed, reply_minutes, "
            "response_days, and received_at + replied_at (reply time from two timestamps).",
            required=True,
            many=True,
            flags=("--map",),
        ),
        "cases",
        Option(
            "source",
            help="Name of the system the export comes from (default: the file name).",
        ),
        Option("date_format", help="strftime format of the dates, e.g. %d-%m-%y."),
        Option("time_format", help="strftime format of received_at/replied_at (default: ISO)."),
        Option("timezone", default="UTC", help="Time zone of timestamps written without one."),
        Option("channel", help="One channel for every ticket."),
        Option("company_column", help="In a shared export, the column naming the company."),
        Option("company_value", help="The value of --company-column of this company's rows."),
        "replace",
        "into",
        "as_of",
    ),
)


def _rows(
    chunk: pd.DataFrame, lines: np.ndarray, company: str, o: TicketOptions, report: ImportReport
) -> pd.DataFrame:
    col = o.column
    if o.company_column:
        mine = chunk[o.company_column].fillna("").str.strip().str.lower()
        chosen = (mine == o.company_value.strip().lower()).to_numpy()
        report.skipped += int((~chosen).sum())
        chunk, lines = chunk[chosen], lines[chosen]
    checks = RowChecks(lines, report)
    if "id" in col:
        checks.fail(chunk[col["id"]].fillna("").str.strip() == "", f"{col['id']} is blank")
    received = replied = None
    if "received_at" in col:
        received = parse_times(chunk[col["received_at"]], o.time_format, o.timezone)
        replied = parse_times(chunk[col["replied_at"]], o.time_format, o.timezone)
    if "date" in col:
        if o.formats:
            dates = parse_in_order(chunk[col["date"]], o.formats)
        else:
            dates = parse_dates(chunk[col["date"]])
        how = f" in the format {','.join(o.formats)}" if o.formats else ""
        checks.fail(dates.isna(), f"{col['date']} is not a date{how}")
    else:
        dates = received.dt.tz_convert(o.timezone).dt.tz_localize(None)
        checks.fail(dates.isna(), f"{col['received_at']} is not a date and time")
    frame = _frame(chunk, lines, company, o, dates, checks)
    frame["source"] = report.source
    if received is not None:
        minutes = (replied - received).dt.total_seconds() / 60
        checks.fail(minutes < 0, f"{col['replied_at']} is before {col['received_at']}")
        frame["reply_minutes"] = minutes.round(1).astype(object).where(minutes.notna(), None)
    return frame[~checks.bad]


def _frame(
    chunk: pd.DataFrame,
    lines: np.ndarray,
    company: str,
    o: TicketOptions,
    dates: pd.Series,
    checks: RowChecks,
) -> pd.DataFrame:
    col = o.column
    frame = pd.DataFrame(index=chunk.index)
    frame["company"] = company
    if "id" in col:
        frame["id"] = chunk[col["id"]].fillna("").str.strip().str.slice(0, 80)
    else:
        frame["id"] = [f"line{n}" for n in lines]
    frame["date"] = dates.dt.strftime("%Y-%m-%d")
    channel = normalise_channel(chunk[col["channel"]]) if "channel" in col else "other"
    frame["channel"] = o.channel or channel
    for name, limit in TEXT_FIELDS.items():
        frame[name] = blank_to_none(chunk[col[name]], limit) if name in col else None
    for name in FLAG_FIELDS:
        frame[name] = yes_no(chunk[col[name]], RESOLVED) if name in col else None
    for name, limit in NUMBER_FIELDS.items():
        frame[name] = None
        if name in col:
            text = chunk[col[name]].fillna("").str.strip()
            values = pd.to_numeric(text.replace("", None), errors="coerce")
            wrong = (values.isna() & (text != "")) | (values < 0) | (values > limit)
            checks.fail(wrong, f"{col[name]} is not a number 0-{limit:,}")
            frame[name] = values.astype(object).where(values.notna(), None)
    frame["forwarded_days"] = None
    frame["_line"] = lines
    return frame
