"""Tabular incident and call-centre data, read column-wise.

Small incident data lives as CSV beside a company file (reviewable as text); bad rows are
reported with their line numbers and the rest of the table is still loaded, so that every
problem in the corpus is reported at once. Big imports (the full CFPB database) live in the
incident store (:mod:`.incidents.store`), never loaded into memory.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from ..errors import Problems
from .checks import FORBIDDEN_CHARS, FORBIDDEN_MESSAGE
from .incidents import (
    CHANNELS,
    FLAG_COLUMNS,
    FREE_TEXT,
    INCIDENT_COLUMNS,
    MAX_LENGTH,
    TEXT_COLUMNS,
)
from .models import MAX_DATE, MIN_DATE, Incident
from .slugs import inside

MAX_CSV_BYTES = 200 * 1024 * 1024
SOURCE_PATTERN = Incident.model_fields["source"].metadata[-1].pattern


def empty_incidents() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in ["company", *INCIDENT_COLUMNS]})


def _read_csv_table(
    path: Path, problems: Problems, ref: tuple, field: str, required: list[str], allowed: list[str]
) -> pd.DataFrame | None:
    """A CSV beside a company file, as text columns; None (with problems) if unusable."""
    columns = _csv_columns(path, problems, ref, field, required, allowed)
    return None if columns is None else pd.DataFrame(columns, dtype=str)


SMALL_CSV_BYTES = 1024 * 1024


def _csv_columns(
    path: Path, problems: Problems, ref: tuple, field: str, required: list[str], allowed: list[str]
) -> dict[str, list[str]] | None:
    """The ``allowed`` columns of a CSV beside a company file as lists of text (a column the
    file lacks is empty text); None (with problems) if the file is unusable. A small, regular
    file is read with the csv module (a DataFrame per file costs more than its rows); anything
    else by pandas, whose messages name the problem."""
    ref_path, line, col = ref
    if not path.is_file():
        problems.add(ref_path, line, col, f"{field}: {path.name} does not exist")
        return None
    if path.is_symlink() and not inside(path, ref_path.parent):
        problems.add(ref_path, line, col, f"{field}: symbolic link outside the corpus")
        return None
    try:
        size = path.stat().st_size
        if size > MAX_CSV_BYTES:
            problems.add(path, 1, 1, f"file is larger than {MAX_CSV_BYTES:,} bytes")
            return None
        table = _small_csv(path) if size <= SMALL_CSV_BYTES else None
        if table is None:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
            table = {c: df[c].tolist() for c in df.columns}
    except OSError as exc:
        problems.add(path, 1, 1, f"cannot read the file: {exc.strerror or exc}")
        return None
    except UnicodeDecodeError:
        problems.add(path, 1, 1, "not UTF-8; save the CSV as UTF-8")
        return None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        problems.add(path, 1, 1, f"CSV cannot be read: {str(exc).strip()}")
        return None
    missing = [c for c in required if c not in table]
    unknown = [c for c in table if c not in allowed]
    if missing:
        problems.add(path, 1, 1, f"missing column(s): {', '.join(missing)}")
    if unknown:
        problems.add(path, 1, 1, f"unknown column(s): {', '.join(unknown)}; allowed: {allowed}")
    if missing or unknown:
        return None
    rows = len(next(iter(table.values()), []))
    return {c: table[c] if c in table else [""] * rows for c in allowed}


def _small_csv(path: Path) -> dict[str, list[str]] | None:
    """A regular CSV (a header of distinct names, every row as wide) as columns of text, or
    None for anything pandas should read and explain."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        rows = [row for row in csv.reader(io.StringIO(text)) if row]
    except csv.Error:
        return None
    if not rows or len(set(rows[0])) != len(rows[0]):
        return None
    header, body = rows[0], rows[1:]
    if any(len(row) != len(header) for row in body):
        return None
    return {name: [row[k] for row in body] for k, name in enumerate(header)}


def _csv_numbers(
    df: pd.DataFrame,
    column: str,
    lo: float,
    hi: float,
    problems: Problems,
    path: Path | pd.Series,
    lines: pd.Series,
    message: str,
) -> pd.Series:
    text = df[column].str.strip()
    values = pd.to_numeric(text.replace("", None), errors="coerce")
    bad = (text != "") & (values.isna() | (values < lo) | (values > hi))
    _report(problems, path, lines, bad, column, message)
    return values.where(~bad)


def _csv_dates(
    df: pd.DataFrame,
    problems: Problems,
    path: Path | pd.Series,
    lines: pd.Series,
    column: str = "date",
    blank: bool = False,
) -> pd.Series:
    """A column of days YYYY-MM-DD; with ``blank``, an empty cell is no day (None)."""
    dates = pd.to_datetime(df[column], format="%Y-%m-%d", errors="coerce")
    empty = (df[column].str.strip() == "") if blank else False
    _report(problems, path, lines, dates.isna() & ~empty, column, "must be a date YYYY-MM-DD")
    days = dates.dt.date.astype(object).where(dates.notna(), None)
    low, high = pd.Timestamp(MIN_DATE), pd.Timestamp(MAX_DATE)
    outside = dates.notna() & ((dates < low) | (dates > high))
    _report(problems, path, lines, outside, column, f"must be between {MIN_DATE} and {MAX_DATE}")
    return days.where(~outside)


_YES_NO = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False, "": None}


def load_incidents_csv(path: Path, company: str, problems: Problems, ref: tuple) -> pd.DataFrame:
    """Read one incidents CSV column-wise; bad rows are reported with their line numbers."""
    return load_incidents_csvs([(path, company, ref)], problems)


def load_incidents_csvs(files: list[tuple[Path, str, tuple]], problems: Problems) -> pd.DataFrame:
    """Every company's incidents CSV (path, company slug, where the company file names it) as
    one table: each file is read and its header checked, then the rows of all files are
    checked and converted together, so a corpus of thousands of small files costs a few
    operations on one table instead of a few hundred per file."""
    columns: dict[str, list] = {c: [] for c in ["_company", "_path", "_line", *INCIDENT_COLUMNS]}
    for path, company, ref in files:
        table = _csv_columns(
            path, problems, ref, "incidents_file", ["id", "date"], INCIDENT_COLUMNS
        )
        rows = len(table["id"]) if table else 0
        if not rows:
            continue
        for name, values in table.items():
            columns[name].extend(values)
        columns["_company"].extend([company] * rows)
        columns["_path"].extend([str(path)] * rows)
        columns["_line"].extend(range(2, rows + 2))
    if not columns["_line"]:
        return empty_incidents()
    df = pd.DataFrame(columns)
    text = ["_company", "_path", *INCIDENT_COLUMNS]
    df[text] = df[text].astype(str)  # as pandas reads a CSV with dtype=str
    return _incident_rows(df, problems, df["_path"], df["_line"])


def _incident_rows(
    df: pd.DataFrame, problems: Problems, path: pd.Series, lines: pd.Series
) -> pd.DataFrame:
    """The rows of incidents CSVs (text columns), checked and typed; bad cells reported."""
    out = pd.DataFrame({"company": df["_company"], "id": df["id"]})
    out["date"] = _csv_dates(df, problems, path, lines)
    channels = df["channel"].replace("", "other")
    allowed = set(CHANNELS)
    _report(
        problems,
        path,
        lines,
        ~channels.isin(allowed),
        "channel",
        f"must be one of {sorted(allowed)}",
    )
    out["channel"] = channels
    for column in TEXT_COLUMNS:
        hidden = df[column].str.contains(FORBIDDEN_CHARS)
        _report(problems, path, lines, hidden, column, FORBIDDEN_MESSAGE)
    for column in ["source", *FREE_TEXT]:
        out[column] = df[column].replace("", None)
        limit = MAX_LENGTH[column]
        too_long = df[column].str.len() > limit
        _report(problems, path, lines, too_long, column, f"longer than {limit:,} characters")
    _report(problems, path, lines, df["id"].str.len() > 80, "id", "longer than 80 characters")
    bad_source = (df["source"] != "") & ~df["source"].str.fullmatch(SOURCE_PATTERN)
    _report(problems, path, lines, bad_source, "source", "must be a short code like `cfpb`")
    out["reply_minutes"] = _csv_numbers(
        df, "reply_minutes", 0, 5_256_000, problems, path, lines, "must be a number of minutes"
    )
    out["response_days"] = _csv_numbers(
        df, "response_days", 0, 3650, problems, path, lines, "must be a number of days, 0-3650"
    )
    out["forwarded_days"] = _csv_numbers(
        df, "forwarded_days", -3650, 3650, problems, path, lines, "must be a number of days"
    )
    for column in FLAG_COLUMNS:
        raw = df[column].str.strip().str.lower()
        mapped = raw.map(_YES_NO)
        _report(problems, path, lines, mapped.isna() & (raw != ""), column, "must be yes/no")
        out[column] = mapped.astype("object")
    out["as_of"] = _csv_dates(df, problems, path, lines, "as_of", blank=True)
    dup = df[["_path", "source", "id"]].duplicated(keep="first")
    _report(problems, path, lines, dup, "id", "duplicate incident id within its source")
    _report(problems, path, lines, df["id"].str.strip() == "", "id", "must not be empty")
    return out[["company", *INCIDENT_COLUMNS]]


CALL_COLUMNS = [
    "date",
    "queue",
    "offered",
    "answered",
    "abandoned",
    "wait_median_s",
    "wait_p90_s",
    "handle_median_s",
]

# Optional: calls answered by an agent within 60 seconds of joining the queue (service level).
CALL_OPTIONAL_COLUMNS = ["answered_60s"]


def empty_calls() -> pd.DataFrame:
    columns = ["company", *CALL_COLUMNS, *CALL_OPTIONAL_COLUMNS]
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


def load_calls_csv(path: Path, company: str, problems: Problems, ref: tuple) -> pd.DataFrame:
    """Daily call-centre figures per queue (written by `cxreport import calls`)."""
    allowed = CALL_COLUMNS + CALL_OPTIONAL_COLUMNS
    df = _read_csv_table(path, problems, ref, "calls_file", ["date", "offered"], allowed)
    if df is None:
        return empty_calls()
    lines = pd.Series(range(2, len(df) + 2), index=df.index)
    out = pd.DataFrame({"company": company, "date": _csv_dates(df, problems, path, lines)})
    out["queue"] = df["queue"].replace("", "all")
    for column in ("offered", "answered", "abandoned", "answered_60s"):
        out[column] = _csv_numbers(
            df, column, 0, 10_000_000, problems, path, lines, "must be a count of calls"
        )
    for column in ("wait_median_s", "wait_p90_s", "handle_median_s"):
        out[column] = _csv_numbers(
            df, column, 0, 7 * 86400, problems, path, lines, "must be a number of seconds"
        )
    over = out["abandoned"].fillna(0) > out["offered"].fillna(0)
    _report(problems, path, lines, over, "abandoned", "more calls abandoned than offered")
    fast = out["answered_60s"].fillna(0) > out["answered"].fillna(out["offered"]).fillna(0)
    _report(problems, path, lines, fast, "answered_60s", "more calls than were answered")
    return out


def load_calls_csvs(files: list[tuple[Path, str, tuple]], problems: Problems) -> pd.DataFrame:
    """Every company's call-centre CSV (path, company slug, where the company file names it)."""
    tables = [load_calls_csv(path, company, problems, ref) for path, company, ref in files]
    return pd.concat(tables, ignore_index=True) if tables else empty_calls()


def _report(
    problems: Problems,
    path: Path | pd.Series,
    lines: pd.Series,
    bad: pd.Series,
    column: str,
    message: str,
    limit: int = 20,
) -> None:
    """Each bad row at its file's line (``path`` is one file, or each row's file); at most
    ``limit`` lines per file, then how many more."""
    mask = bad.fillna(False).astype(bool)
    if not mask.any():
        return
    one = not isinstance(path, pd.Series)
    files = (pd.Series(str(path), index=lines.index) if one else path)[mask]
    for file, bad_lines in lines[mask].groupby(files, sort=False):
        for line in bad_lines.head(limit):
            problems.add(file, int(line), 1, f"{column}: {message}")
        if len(bad_lines) > limit:
            problems.add(
                file,
                int(bad_lines.iloc[limit]),
                1,
                f"{column}: {len(bad_lines) - limit} more rows with the same problem",
            )
