"""What every importer shares: reading exports with line numbers, normalising values, the report.

Each importer reads a real export (CFPB complaints, a ticket export, support tweets, a call log)
in chunks, turns it column-wise into incident rows, and hands them to ``deliver`` (merge.py),
which merges them into the corpus. Rows that cannot be used are counted with their reason and
first line numbers, never silently dropped.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import hmac
import io
import operator
import os
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CxError
from ..load.incidents import CHANNEL_WORDS
from ..load.incidents.store import import_lock
from ..load.incidents.write import Counts

CHUNK_ROWS = 50_000
FIRST_LINES = 5  # line numbers kept per rejection reason
# A CSV field may be as long as the longest text an incident keeps (a narrative is cut to
# 32,000 characters) many times over; the csv module's default limit (131,072) raised an
# uncaught error on a long header. Longer fields are a positioned error, never a traceback.
CSV_FIELD_LIMIT = 1024 * 1024
csv.field_size_limit(CSV_FIELD_LIMIT)


class ImportFailed(CxError):
    """The file or the options are not what the importer expects; nothing was written. The
    message names the file (and line) or the option."""

    def report(self, consequence: str) -> list[str]:
        return [str(self)]


@dataclass
class Reason:
    count: int = 0
    lines: list[int] = field(default_factory=list)


@dataclass
class ImportReport:
    """What one import read, kept, changed and refused: printed after every run."""

    source: str = ""
    rows_read: int = 0
    rejected: dict[str, Reason] = field(default_factory=dict)
    skipped: int = 0  # rows left out on purpose (outside --company / --since, ...)
    skipped_label: str = "outside the selection"
    cut_off_line: int | None = None
    line_word: str = "line"  # "record" for JSON
    per_company: dict[str, Counts] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)  # --replace: rows removed per company
    moved: dict[tuple[str, str], int] = field(default_factory=dict)  # (from, to) -> rows
    unknown_companies: dict[str, int] = field(default_factory=dict)
    suggestions: dict[str, str] = field(default_factory=dict)  # unknown name -> close slug
    created: list[Path] = field(default_factory=list)  # stub company files
    written: list[Path] = field(default_factory=list)
    target: str = "csv"  # or "store"
    notes: list[str] = field(default_factory=list)  # things the user should know
    as_of: str | None = None  # the extract's day, kept on each of its rows

    def reject(self, lines: np.ndarray, reason: str, count: int | None = None) -> None:
        """Count rejected rows (``count``, default one per line) and keep their first lines."""
        count = len(lines) if count is None else count
        if count == 0:
            return
        entry = self.rejected.setdefault(reason, Reason())
        entry.count += count
        room = FIRST_LINES - len(entry.lines)
        if room > 0:
            entry.lines.extend(int(n) for n in sorted(lines)[:room])

    @property
    def rejected_count(self) -> int:
        return sum(r.count for r in self.rejected.values())

    def total(self, what: str) -> int:
        return sum(getattr(c, what) for c in self.per_company.values())

    @property
    def accepted(self) -> int:
        return self.total("added") + self.total("updated") + self.total("unchanged")


class RowChecks:
    """Rejects rows of one chunk, each counted once under the first reason that applies."""

    def __init__(self, lines: np.ndarray, report: ImportReport):
        self.lines = lines
        self.report = report
        self.bad = np.zeros(len(lines), dtype=bool)

    def fail(self, mask: pd.Series | np.ndarray, reason: str) -> None:
        new = np.asarray(mask, dtype=bool) & ~self.bad
        self.report.reject(self.lines[new], reason)
        self.bad |= new


def exclusive(fn: Callable) -> Callable:
    """An importer ``fn(path, corpus, ...)`` run under the corpus's import lock."""

    @functools.wraps(fn)
    def run(path: Path, corpus: Path, *args, **kwargs):
        with import_lock(Path(corpus)):
            return fn(path, corpus, *args, **kwargs)

    return run


TMP_SUFFIX = ".tmp"


def stated_day(value: str | None, option: str = "--as-of") -> str | None:
    """A day given on the command line (YYYY-MM-DD, within the range a build reads)."""
    if value is None:
        return None
    from ..load.models import MAX_DATE, MIN_DATE

    day = pd.to_datetime(value.strip(), format="%Y-%m-%d", errors="coerce")
    if pd.isna(day) or not MIN_DATE.isoformat() <= day.strftime("%Y-%m-%d") <= MAX_DATE.isoformat():
        raise ImportFailed(
            f"{option} {value!r}: write a date YYYY-MM-DD between {MIN_DATE} and {MAX_DATE}; "
            "nothing was written"
        )
    return day.strftime("%Y-%m-%d")


# ------------------------------------------------------------------ the corpus's secret

SECRET_FILE = ".cxreport-secret"  # in the corpus folder; never published by a build


def corpus_secret(corpus: Path) -> bytes:
    """The corpus's own random key (made on first use, 256 bits, readable by its owner only):
    ids made from public identifiers (a tweet's id) are keyed hashes, so that nobody without
    the key can find the tweet behind an incident by hashing every tweet id. The same key
    gives the same ids on every re-import; keep the file with the corpus but out of any
    public repository (losing it means re-importing with --replace)."""
    path = corpus / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot create the corpus's secret ({exc.strerror})") from None
    else:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFailed(f"{path}: cannot read the corpus's secret ({exc})") from None
    if not re.fullmatch(r"[0-9a-f]{64}", text):
        raise ImportFailed(f"{path}:1:1: not a cxreport secret (64 hexadecimal digits)")
    return bytes.fromhex(text)


def keyed_ids(secret: bytes, prefix: str, values: Iterable[str]) -> list[str]:
    """``prefix`` + the first 16 hex digits of HMAC-SHA256(secret, value), per value."""
    return [prefix + hmac.new(secret, v.encode(), hashlib.sha256).hexdigest()[:16] for v in values]


# ------------------------------------------------------------------ normalising values

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


def by_unique(values: pd.Series, convert: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``convert`` run once per distinct value: an export repeats a few thousand dates, channels
    and answers millions of times, and converting each copy is most of an import's time."""
    codes, uniques = pd.factorize(values.fillna("").astype(str), sort=False)
    converted = convert(pd.Series(uniques, dtype="str"))
    return pd.Series(converted.to_numpy()[codes], index=values.index, dtype=converted.dtype)


def _key(values: pd.Series) -> pd.Series:
    return values.str.strip().str.lower()


def normalise_channel(values: pd.Series) -> pd.Series:
    return by_unique(values, lambda u: _key(u).map(CHANNEL_WORDS).fillna("other").astype(object))


YES_NO = {"yes": True, "no": False, "true": True, "false": False}


def yes_no(values: pd.Series, mapping: dict[str, bool] | None = None) -> pd.Series:
    return by_unique(values, lambda u: _key(u).map(mapping or YES_NO).astype(object))


def blank_to_none(values: pd.Series, limit: int) -> pd.Series:
    """Trimmed text cut to the model's length limit; blank cells become missing values. A bare
    carriage return is a line break (a CSV writer leaves it unquoted, and a reader would end the
    record there)."""

    def cut(unique: pd.Series) -> pd.Series:
        text = unique.str.replace(r"\r(?!\n)", "\n", regex=True).str.strip().str.slice(0, limit)
        return text.astype(object).where(text != "", None)

    return by_unique(values, cut)


DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%d-%m-%y", "%d-%m-%Y")


def parse_dates(values: pd.Series, fmt: str | None = None) -> pd.Series:
    """Dates in one known format, or (auto) the first of DATE_FORMATS that reads a sample of
    the values; values in another of those formats are still tried, one format at a time.

    ISO timestamps (``2025-07-11T14:42:24.000Z``, ``2019-09-24T12:00:00-05:00``) give the date
    as written, in the time zone they were written in.
    """
    return by_unique(values, lambda unique: _parse_dates(unique, fmt))


def _parse_dates(values: pd.Series, fmt: str | None) -> pd.Series:
    text = values.str.strip()
    if fmt:
        return pd.to_datetime(text, format=fmt, errors="coerce")
    stamped = (text.str.len() > 10) & text.str.slice(0, 10).str.fullmatch(r"\d{4}-\d{2}-\d{2}")
    if stamped.any():
        text = text.where(~stamped, text.str.slice(0, 10))
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


_AWARE = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")


def parse_times(values: pd.Series, fmt: str | None = None, tz: str = "UTC") -> pd.Series:
    """Timestamps as UTC instants. Values with an offset (``Z``, ``+02:00``, ``%z``) keep it;
    values without one are read as local times in ``tz``."""
    return _in_bounds(_parse_times(values, fmt, tz))


_NS_FIRST = pd.Timestamp.min.tz_localize("UTC")
_NS_LAST = pd.Timestamp.max.tz_localize("UTC")


def _in_bounds(times: pd.Series) -> pd.Series:
    """Nanosecond UTC instants; a time pandas can only hold at a coarser unit (the year 1,
    the year 9999) is not a time here, so that no later arithmetic overflows."""
    if times.dtype != "datetime64[ns, UTC]":
        times = times.where((times >= _NS_FIRST) & (times <= _NS_LAST))
        times = times.astype("datetime64[ns, UTC]")
    return times


def _parse_times(values: pd.Series, fmt: str | None, tz: str) -> pd.Series:
    text = values.fillna("").astype(str).str.strip()
    if fmt:
        if "%z" in fmt or "%Z" in fmt:
            return pd.to_datetime(text, format=fmt, errors="coerce", utc=True)
        return _localise(pd.to_datetime(text, format=fmt, errors="coerce"), tz)
    aware = text.str.contains(_AWARE)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
    if aware.any():
        stamped = pd.to_datetime(text[aware], format="ISO8601", errors="coerce", utc=True)
        out[aware] = _in_bounds(stamped)
    naive = ~aware & (text != "")
    if naive.any():
        local = _naive_bounds(pd.to_datetime(text[naive], format="ISO8601", errors="coerce"))
        retry = local.isna()
        if retry.any():
            mixed = pd.to_datetime(text[naive][retry], format="mixed", errors="coerce")
            local[retry] = _naive_bounds(mixed)
        out[naive] = _localise(local, tz)
    return out


def _naive_bounds(times: pd.Series) -> pd.Series:
    """Local times as nanosecond values; those beyond that range are not times here."""
    if times.dtype != "datetime64[ns]":
        times = times.where((times >= pd.Timestamp.min) & (times <= pd.Timestamp.max))
        times = times.astype("datetime64[ns]")
    return times


def _localise(local: pd.Series, tz: str) -> pd.Series:
    return local.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT").dt.tz_convert("UTC")


# ------------------------------------------------------------------ reading CSVs


def header_key(name: str) -> str:
    """`Timely response?`, `timely_response` and `TIMELY RESPONSE` are one column."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def header_of(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [h.strip() for h in next(csv.reader(handle))]
    except StopIteration:
        raise ImportFailed(f"{path}: the file is empty") from None
    except UnicodeDecodeError as exc:
        raise ImportFailed(f"{path}: not UTF-8 ({exc.reason})") from None
    except IsADirectoryError:
        raise ImportFailed(f"{path}: is a folder, not a file") from None
    except csv.Error as exc:
        raise ImportFailed(f"{path}:1: the header cannot be read: {exc}") from None
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot be read ({exc.strerror})") from None


def regular_csv(path: Path) -> dict[str, list[str]] | None:
    """A CSV the corpus holds as columns of text, read by the csv module (a DataFrame per file
    costs more than a small file's rows), or None for anything irregular (a header with a
    blank or repeated name, a row of another width, not UTF-8), which pandas reads and
    explains. A regular file gives the text ``pd.read_csv(dtype=str, keep_default_na=False)``
    gives: quoted line breaks kept as written, blank lines skipped, a BOM dropped."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            text = handle.read()
        rows = [row for row in csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))]
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    rows = [row for row in rows if row]
    if not rows or "" in rows[0] or len(set(rows[0])) != len(rows[0]):
        return None
    header, body = rows[0], rows[1:]
    if any(len(row) != len(header) for row in body):
        return None
    return {name: [row[k] for row in body] for k, name in enumerate(header)}


def read_text_csv(path: Path) -> pd.DataFrame:
    """A CSV the corpus holds (to merge into), as text; unreadable -> one clear line."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ImportFailed(f"{path}: cannot merge into it: {str(exc).strip()}") from None
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot be read ({exc.strerror})") from None


def require_columns(path: Path, header: list[str], required: list[str], what: str) -> None:
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportFailed(
            f"{path}: not a {what} file: missing column(s) {', '.join(repr(m) for m in missing)} "
            f"(found: {', '.join(header) or 'none'})"
        )


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(0, 2)
        if handle.tell() == 0:
            return True
        handle.seek(-1, 2)
        return handle.read(1) in (b"\n", b"\r")


def read_chunks(
    path: Path,
    report: ImportReport,
    chunk_rows: int = CHUNK_ROWS,
    columns: list[str] | None = None,
) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
    """CSV rows in chunks of text columns (all, or ``columns``), with each row's physical
    line number.

    The csv module (C) knows where each record starts even when a quoted narrative spans
    several lines, which pandas' reader does not report; memory stays bounded by the chunk.
    A row with the wrong number of fields is rejected; when it is the last one and the file
    does not end with a line break, the download was cut off there (``report.cut_off_line``).
    """
    header = header_of(path)
    width = len(header)
    kept = columns or header
    pick = operator.itemgetter(*[header.index(c) for c in kept], 0)  # a tuple, even for one
    complete = _ends_with_newline(path)
    with path.open(encoding="utf-8-sig", newline=_record_end(path)) as handle:
        text = _CarriageReturns(handle)
        reader = csv.reader(text, strict=True)  # an unbalanced quote is an error, never
        next(reader)  # a field that swallows the rows after it
        rows: list[list[str]] = []
        lines: list[int] = []
        start = line = reader.line_num + 1
        short: tuple[int, int] | None = None  # the latest wrong-width row: line, fields
        try:
            for row in reader:
                line, start = start, reader.line_num + 1
                row = text.restore(row) if text.held else row
                if len(row) != width:
                    if row:
                        _wrong_width(report, short)
                        short = (line, len(row))
                    continue
                rows.append(pick(row))
                lines.append(line)
                if len(rows) >= chunk_rows:
                    report.rows_read += len(rows)
                    yield _frame(rows, kept), np.array(lines)
                    rows, lines = [], []
        except UnicodeDecodeError as exc:
            raise ImportFailed(f"{path}:{start}: not UTF-8 ({exc.reason})") from None
        except csv.Error as exc:
            if "unexpected end of data" in str(exc) and not complete:
                _wrong_width(report, short)  # a download cut inside a quoted field
                short = None
                report.cut_off_line, line = start, start
                report.rows_read += 1
            else:
                raise ImportFailed(f"{path}:{start}: {_csv_problem(exc)}") from None
        if short and short[0] == line and short[1] < width and not complete:
            report.cut_off_line = line
            report.rows_read += 1
            short = None
        _wrong_width(report, short)
        if rows:
            report.rows_read += len(rows)
            yield _frame(rows, kept), np.array(lines)


def _record_end(path: Path) -> str:
    """How the file's records end: at a line feed (``\n`` or ``\r\n``) when its start holds
    one, so that a bare carriage return inside a tweet or a narrative stays in its field; at
    any line ending in an old Mac file that ends its lines with carriage returns alone."""
    with path.open("rb") as handle:
        start = handle.read(1 << 16)
    return "\n" if b"\n" in start or b"\r" not in start else ""


# Stands for a bare carriage return while the csv module splits a record (it ends a record at
# any carriage return outside quotes); a noncharacter that text never holds.
_CR_MARK = "\uffff"


class _CarriageReturns:
    """The file's lines for the csv module, a bare carriage return (one not ending the line)
    put back into its field after the record is split; ``held`` says the last record had one."""

    def __init__(self, handle) -> None:
        self.lines = iter(handle)
        self.held = False

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        first, n = line.find("\r"), len(line)
        if first == -1 or first == n - 1 or (first == n - 2 and line[-1] == "\n"):
            return line  # none, or only the one ending the line
        cut = 2 if line.endswith("\r\n") else 1 if line.endswith(("\n", "\r")) else 0
        self.held = True
        return line[: n - cut].replace("\r", _CR_MARK) + line[n - cut :]

    def restore(self, row: list[str]) -> list[str]:
        self.held = False
        return [field.replace(_CR_MARK, "\r") for field in row]


def _csv_problem(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return (
            f"CSV cannot be read: a field longer than {CSV_FIELD_LIMIT:,} characters; "
            "nothing was imported"
        )
    return (
        f"CSV cannot be read: {exc} (a quote opened in the row that starts here is not closed "
        "where its field ends: an unbalanced quote); nothing was imported"
    )


def _frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[*columns, "_extra"], dtype=object).drop(columns="_extra")


def _wrong_width(report: ImportReport, short: tuple[int, int] | None) -> None:
    if short is None:
        return
    report.rows_read += 1
    report.reject(np.array([short[0]]), "wrong number of fields for the header")
