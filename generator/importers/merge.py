"""Delivering imported rows into the corpus: merged by their key, never replaced.

Every importer's rows pass here (``deliver``), whatever they are: incident rows, merged by
(source, id), or a call-centre log's daily figures, merged by (date, queue) into the CSV the
company file names (``Table``: what each keeps and how rows are told apart). Incident rows go
to one of two places (a source lives in exactly one):

- CSV beside each company file (``companies/SLUG.incidents.csv``): small imports, reviewable
  as text. The file is read, merged and written back whole, atomically.
- The incident store (``companies/_incidents/``, see load/incidents/): big imports, merged by DuckDB
  over Parquet without loading them; chosen with ``--into store`` or for files of
  ``STORE_THRESHOLD_BYTES`` and more, and kept for a source once it is there.

Everything that can fail (a company file that cannot be linked safely, a source kept in the
other place) is checked before the first write. Every write is a temporary file renamed over
the target, so a killed import never leaves a half-written file.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import tempfile
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..load.checks import FORBIDDEN_CHARS, FORBIDDEN_MESSAGE, check_hidden
from ..load.incidents import (
    FLAG_COLUMNS,
    INCIDENT_COLUMNS,
    NUMBER_COLUMNS,
    TEXT_COLUMNS,
    sql_text,
)
from ..load.incidents.store import STORE_FOLDER, store_root
from ..load.incidents.write import Counts, IncidentStore, dedupe_stage
from ..load.models import MAX_DATE, MIN_DATE
from ..load.slugs import child
from ..load.tables import CALL_COLUMNS, CALL_OPTIONAL_COLUMNS, MAX_CSV_BYTES
from ..load.yamlfile import YamlError, parse_text
from .common import ImportFailed, ImportReport, RowChecks, read_text_csv, regular_csv
from .companies import CompanyIndex, industry_basis, readable_name

STORE_THRESHOLD_BYTES = 50 * 1024 * 1024  # about 250,000 CFPB rows
REPEATED = "the same id as an earlier row"


@dataclass(frozen=True)
class Table:
    """What a company's CSV keeps and how its rows are told apart."""

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]  # a row's identity in the file (within its source, when sourced)
    link: str  # the company file's key naming the CSV
    suffix: str  # the CSV's name when the company file names none: SLUG + suffix
    links: str  # the CompanyIndex field of the CSVs the company files name
    required: tuple[str, ...]  # columns an existing CSV must have to be merged into
    text: tuple[str, ...]  # free text, screened for characters a build refuses
    numbers: tuple[str, ...]
    flags: tuple[str, ...]
    sort: tuple[str, ...]
    loader: str  # the load.tables function a build reads the CSVs with (a list of files)
    sourced: bool  # rows carry their source: a merge touches only its own source's rows
    store: bool  # may be kept in the incident store instead


INCIDENTS = Table(
    "incidents", tuple(INCIDENT_COLUMNS), ("id",), "incidents_file", ".incidents.csv", "links",
    ("id",), tuple(TEXT_COLUMNS), tuple(NUMBER_COLUMNS), tuple(FLAG_COLUMNS),
    ("date", "source", "id"), "load_incidents_csvs", sourced=True, store=True,
)  # fmt: skip
# A call-centre log's daily figures per queue: one CSV per company (small: a row a day and
# queue), never in the store; a log covering days already imported updates those days.
CALLS = Table(
    "calls", (*CALL_COLUMNS, *CALL_OPTIONAL_COLUMNS), ("date", "queue"), "calls_file",
    ".calls.csv", "calls", ("date",), ("queue",), tuple(CALL_COLUMNS[2:] + CALL_OPTIONAL_COLUMNS),
    (), ("date", "queue"), "load_calls_csvs", sourced=False, store=False,
)  # fmt: skip
TABLES = {t.name: t for t in (INCIDENTS, CALLS)}
SCHEMA_LINE = "# yaml-language-server: $schema=../../schemas/company.schema.json\n"


@dataclass
class Stub:
    """A company first met in this import (``--unknown create``): written only if rows are."""

    spellings: Counter[str] = field(default_factory=Counter)
    products: Counter[str] = field(default_factory=Counter)
    country: str = "US"


@dataclass
class Delivery:
    corpus: Path
    index: CompanyIndex
    source: str
    into: str = "auto"  # "csv", "store" or "auto"
    replace: bool = False
    selection: set[str] | None = None  # --company slugs: the scope of --replace
    stubs: dict[str, Stub] = field(default_factory=dict)
    file_size: int = 0
    # Identity is (company, source, id). In an export that names each row's company (CFPB,
    # Twitter) an id is one complaint whatever company it names: when it names another
    # company than before, the row is moved (and listed), in CSV and store alike. A
    # single-company export (tickets) keeps its ids per company: T1 of two companies is two rows.
    moves: bool = False
    # The extract's "as of" day, kept on each of its rows: stated (--as-of), else its rows'
    # latest date (``latest``, noted as the rows pass).
    as_of: str | None = None
    latest: str | None = None
    table: Table = INCIDENTS

    @property
    def folder(self) -> Path:
        return self.corpus / "companies"

    @property
    def linked(self) -> dict[str, str]:
        """Company slug -> the CSV of this table its company file names."""
        return getattr(self.index, self.table.links)


def empty_frame(table: Table = INCIDENTS) -> pd.DataFrame:
    columns = ["company", *table.columns, "_line"]
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def deliver(batches: Iterable[pd.DataFrame], d: Delivery, report: ImportReport) -> None:
    """Merge the rows into the corpus; nothing is written when no row was accepted. Every row
    first passes the checks a build makes (``screen``), so an import never writes a row that
    would stop the corpus from building."""
    report.target = choose_target(d)
    batches = (screen(batch, report, d.table) for batch in batches)
    if "as_of" in d.table.columns:
        batches = _dated(d, batches)
    if report.target == "store":
        _deliver_store(batches, d, report)
    else:
        _deliver_csv(batches, d, report)


def _dated(d: Delivery, batches: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """The batches, with an empty ``as_of`` column where an importer gives none, noting the
    latest row date in ``d.latest`` (the extract's day once every batch is read)."""
    for batch in batches:
        if "as_of" not in batch:
            batch = batch.assign(as_of=None)
        if len(batch):
            latest = str(batch["date"].max())
            d.latest = max(d.latest or latest, latest)
        yield batch


def extract_day(d: Delivery, report: ImportReport) -> str | None:
    """The day every row of this import is counted back from: ``--as-of``, else its rows'
    latest date. A stated day before a row's date is refused (nothing is written)."""
    if d.as_of and d.latest and d.latest > d.as_of:
        raise ImportFailed(
            f"--as-of {d.as_of}: the file holds rows dated up to {d.latest}; an extract is "
            "taken on or after its latest date (give that day or a later one); nothing was written"
        )
    report.as_of = d.as_of or d.latest
    return report.as_of


DATE_RANGE = f"dated outside {MIN_DATE} to {MAX_DATE} (the range a build accepts)"


def screen(frame: pd.DataFrame, report: ImportReport, table: Table = INCIDENTS) -> pd.DataFrame:
    """The rows a build would accept; the others are rejected with their reason and lines:
    a date outside the range a build reads, a NUL byte, control or bidi character in any
    text, an id that is empty or longer than 80 characters."""
    if frame.empty:
        return frame
    checks = RowChecks(frame["_line"].to_numpy(), report)
    date = frame["date"].astype(object).where(frame["date"].notna(), "").astype(str)
    well_formed = date.str.fullmatch(r"\d{4}-\d{2}-\d{2}")
    checks.fail(~well_formed, "no date")
    checks.fail((date < MIN_DATE.isoformat()) | (date > MAX_DATE.isoformat()), DATE_RANGE)
    if "id" in table.key:
        ids = frame["id"].astype(object).where(frame["id"].notna(), "").astype(str)
        checks.fail(ids.str.strip() == "", "the id is blank")
        checks.fail(ids.str.len() > 80, "the id is longer than 80 characters")
    for column in table.text:
        if column in frame:
            text = frame[column].astype(object).where(frame[column].notna(), "").astype(str)
            checks.fail(text.str.contains(FORBIDDEN_CHARS), f"{column} {FORBIDDEN_MESSAGE}")
    return frame[~checks.bad]


def choose_target(d: Delivery) -> str:
    """Where this source's rows go: its current place, else --into, else by file size."""
    if not d.table.store:
        if d.into == "store":
            raise ImportFailed(
                f"--into store: {d.source} figures are kept in the CSV the company file "
                f"names ({d.table.link}); the incident store holds incident rows only; "
                "nothing was written"
            )
        return "csv"
    in_store = d.source in IncidentStore(store_root(d.corpus)).sources()
    in_csv = sorted(csv_holders(d))
    target = d.into
    if target == "auto":
        big = d.file_size >= STORE_THRESHOLD_BYTES
        target = "store" if in_store or (big and not in_csv) else "csv"
    elsewhere = in_csv if target == "store" else (["the incident store"] if in_store else [])
    if elsewhere and d.replace and d.selection is not None:
        there = (
            set(in_csv)
            if target == "store"
            else set(IncidentStore(store_root(d.corpus)).counts(d.source))
        )
        others = sorted(there - d.selection)
        if others:
            raise ImportFailed(
                f"{d.source!r} rows of {', '.join(others[:5])} are kept in "
                f"{'CSV files' if target == 'store' else 'the incident store'}: --replace "
                f"for some companies would split the source between two places; move all of "
                f"it (rerun without --company, or with every company), or rerun with --into "
                f"{'csv' if target == 'store' else 'store'}; nothing was written"
            )
    if elsewhere and not d.replace:
        place = f"companies/{STORE_FOLDER}/" if target == "store" else "CSV files"
        raise ImportFailed(
            f"{d.source!r} rows are already kept in {', '.join(elsewhere[:5])}, not in {place}; "
            f"a source lives in one place: rerun with --into "
            f"{'store' if in_store else 'csv'}, or with --replace to move it (dropping those rows)"
        )
    return target


def csv_holders(d: Delivery) -> dict[str, Path]:
    """Companies whose linked CSV holds rows of this source (any rows, for a table without
    sources)."""
    found = {}
    for slug, name in d.linked.items():
        path = d.folder / name
        if not path.is_file():
            continue
        if not d.table.sourced:
            found[slug] = path
            continue
        columns = regular_csv(path)
        if columns is not None:
            if d.source in columns.get("source", ()):
                found[slug] = path
            continue
        try:
            sources = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=["source"])
        except (ValueError, pd.errors.ParserError, UnicodeDecodeError):
            continue  # no source column (older files) or unreadable: validate reports it
        if (sources["source"] == d.source).any():
            found[slug] = path
    return found


# ------------------------------------------------------------------ text form of a row


def _number_text(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values.replace("", None), errors="coerce").round(3)
    text = [
        "" if np.isnan(v) else np.format_float_positional(v, trim="-")
        for v in numbers.to_numpy(dtype="float64")
    ]
    return pd.Series(text, index=values.index, dtype=object)


_BOOL_TEXT = {"true": "True", "yes": "True", "1": "True", "false": "False", "no": "False"}
_BOOL_TEXT |= {"0": "False"}


def canonical(frame: pd.DataFrame, table: Table = INCIDENTS) -> pd.DataFrame:
    """Every column of the table as the text written to CSV, whatever types the rows came
    in: two rows are the same data exactly when their canonical texts are equal."""
    out = pd.DataFrame(index=frame.index)
    for column in table.columns:
        values = frame[column] if column in frame else pd.Series("", index=frame.index)
        values = values.astype(object).where(values.notna(), "")
        if column in table.flags:
            out[column] = values.astype(str).str.strip().str.lower().map(_BOOL_TEXT).fillna("")
        elif column in table.numbers:
            out[column] = _number_text(values)
        elif column == "date":
            dates = pd.to_datetime(values.replace("", None), errors="coerce")
            out[column] = dates.dt.strftime("%Y-%m-%d").fillna("")
        else:
            out[column] = values.astype(str).str.strip()
    if "queue" in table.key:  # a build reads a blank queue as "all"
        out["queue"] = out["queue"].replace("", "all")
    return out.astype(object)


# ------------------------------------------------------------------ CSV beside each company


def _deliver_csv(batches: Iterable[pd.DataFrame], d: Delivery, report: ImportReport) -> None:
    """Plan every file (merged CSVs, moved rows, stub and linked company files), check what
    would be written as a build would, then write; nothing is written when no row was
    accepted, or when any planned file fails its check."""
    frame = pd.concat([empty_frame(d.table), *batches], ignore_index=True)
    if "as_of" in d.table.columns:
        frame["as_of"] = frame["as_of"].fillna(extract_day(d, report) or "")
    frame = _drop_repeats(frame, report, d)
    leaving = _moves_csv(d, frame, report) if d.moves else {}
    companies = set(frame["company"]) | set(leaving)
    if d.replace:
        holders = csv_holders(d)
        companies |= {c for c in holders if d.selection is None or c in d.selection}
    plans = _plan_csvs(d, sorted(companies), frame, report, leaving)
    if report.accepted == 0:
        report.dropped.clear()  # nothing is written: nothing was dropped
        report.moved.clear()
        return
    links = _plan_links(d, [s for s, p in plans.items() if p[1] is not None])
    stubs = _plan_stubs(d, companies, link=True)
    _check_planned(plans.values(), stubs, d)
    if d.replace and d.table.store and d.source in IncidentStore(store_root(d.corpus)).sources():
        scope = d.selection or set()
        for slug, n in IncidentStore(store_root(d.corpus)).drop(d.source, scope).items():
            report.dropped[slug] = report.dropped.get(slug, 0) + n
    _write_all([*plans.values(), *stubs.items(), *links.items()], stubs, report)


def _write_all(items: list[tuple[Path, str | None]], stubs, report: ImportReport) -> None:
    """Write each planned file atomically; when one fails, say which were written before it
    and which were not (each is either as it was or complete)."""
    todo = [(path, text) for path, text in items if text is not None]
    for n, (path, text) in enumerate(todo):
        try:
            write_atomic(path, text)
        except OSError as exc:
            done = [str(p) for p, _ in todo[:n]] or ["none"]
            left = [str(p) for p, _ in todo[n:]]
            raise ImportFailed(
                f"{path}: {exc.strerror or exc}; the import stopped: written "
                f"{', '.join(done)}; not written: {', '.join(left)} (rerun the import once "
                "the problem is fixed: it merges, so nothing is counted twice)"
            ) from None
        (report.created if path in stubs else report.written).append(path)


def _drop_repeats(frame: pd.DataFrame, report: ImportReport, d: Delivery) -> pd.DataFrame:
    key = [*d.table.key] if d.moves else ["company", *d.table.key]
    repeated = frame.duplicated(key, keep="first")
    report.reject(frame.loc[repeated, "_line"].to_numpy(), REPEATED)
    return frame[~repeated]


def _moves_csv(d: Delivery, frame: pd.DataFrame, report: ImportReport) -> dict[str, set[str]]:
    """Ids of this source that another company's CSV holds and this import gives to a new
    company: company -> ids leaving it (counted in ``report.moved``)."""
    now = dict(zip(frame["id"], frame["company"], strict=True))
    leaving: dict[str, set[str]] = {}
    for slug, path in csv_holders(d).items():
        old = _read_text_table(path)
        ids = [i for s, i in zip(old["source"], old["id"], strict=True) if s == d.source]
        moved = {i for i in ids if i in now and now[i] != slug}
        if moved:
            leaving[slug] = moved
            for i in moved:
                key = (slug, now[i])
                report.moved[key] = report.moved.get(key, 0) + 1
    return leaving


def _check_planned(plans, stubs: dict[Path, str], d: Delivery) -> None:
    """Every CSV and company file the import would write, read back as a build reads it
    (in a scratch folder): any problem stops the import before the first write."""
    from ..errors import Problems
    from ..load import tables
    from ..load.corpus import validate_model
    from ..load.models import Company

    load_csvs = getattr(tables, d.table.loader)
    problems = Problems()
    with tempfile.TemporaryDirectory(prefix="cxreport-check-") as scratch:
        probes = []
        for path, text in plans:
            if text is None:
                continue
            probe = Path(scratch) / path.name
            probe.write_text(text, encoding="utf-8", newline="")
            probes.append((probe, path.stem.split(".")[0], (probe, 1, 1)))
        load_csvs(probes, problems)  # all files in one pass, as a build reads them
        for path, text in stubs.items():
            try:
                located = parse_text(text)
            except YamlError as exc:
                problems.add(path, exc.line, exc.col, exc.message)
                continue
            check_hidden(located, path, problems)
            validate_model(Company, located, path, problems)
    if problems:
        shown = "\n".join(str(p).replace(scratch, str(d.folder)) for p in problems.errors[:10])
        raise ImportFailed(
            f"{shown}\nthe files this import would write would not build (above): "
            "nothing was written"
        )


def csv_path(d: Delivery, slug: str) -> Path:
    """The company's CSV of this table: the one its file names, else SLUG + the table's
    suffix (SLUG.incidents.csv, SLUG.calls.csv)."""
    linked = d.linked.get(slug)
    if linked:
        path = d.folder / linked
        if path.parent.resolve() == d.folder.resolve():
            return path
    return child(d.folder, slug, d.table.suffix)


def _plan_csvs(
    d: Delivery,
    slugs: list[str],
    frame: pd.DataFrame,
    report: ImportReport,
    leaving: dict[str, set[str]],
) -> dict[str, tuple[Path, str | None]]:
    """Each company's merged CSV text (None when nothing changes), counted in ``report``;
    ``frame``: the new rows of every company, ``leaving``: company -> ids of this source that
    move to another company. Every company is planned in a few passes over one table of all
    their rows, old and new (a pass per company cost more than its rows)."""
    t = d.table
    paths = {slug: csv_path(d, slug) for slug in slugs}
    old = _read_old(paths, t)
    canon = canonical(old, t)
    where = old["company"].to_numpy(dtype=object)
    mine = (canon["source"] == d.source).to_numpy() if t.sourced else np.ones(len(old), bool)
    gone = np.zeros(len(old), dtype=bool)
    if leaving:
        pairs = [(slug, i) for slug, ids in leaving.items() for i in ids]
        gone = mine & pd.MultiIndex.from_arrays([where, canon["id"]]).isin(pairs)
    dropping = [s for s in slugs if d.replace and (d.selection is None or s in d.selection)]
    dropped = mine & ~gone & pd.Series(where).isin(dropping).to_numpy()
    for slug, n in sorted(Counter(where[dropped]).items()):
        report.dropped[slug] = n
    keep = ~gone & ~dropped
    new = canonical(frame, t)
    company = frame["company"].to_numpy(dtype=object)
    known, same = _compare(canon[mine & keep], where[mine & keep], new, company, t)
    changed = _keys(new, t, company)[known & ~same]
    replaced = _keys(canon, t, where).isin(changed) & mine & keep
    counts = _counts(company, known, same, report)
    touched = {s for s, c in counts.items() if c.added + c.updated}
    touched |= set(where[dropped]) | set(where[gone])
    merged = pd.concat(
        [old[keep & ~replaced], new[~same].assign(company=company[~same])], ignore_index=True
    ).sort_values(["company", *t.sort], kind="stable")
    texts = _csv_texts(merged, t, touched)
    plans = {}
    for slug in slugs:
        text = texts.get(slug) if slug in touched else None
        if text is not None and len(text) > MAX_CSV_BYTES:
            hint = ": import with --into store" if t.store else ""
            raise ImportFailed(
                f"{paths[slug].name} would be larger than {MAX_CSV_BYTES:,} bytes{hint}"
            )
        plans[slug] = (paths[slug], text)
    return plans


def _counts(
    company: np.ndarray, known: np.ndarray, same: np.ndarray, report: ImportReport
) -> dict[str, Counts]:
    """Rows added, updated and unchanged per company of the new rows (in ``report`` too)."""
    flags = pd.DataFrame({"company": company, "added": ~known, "updated": known & ~same})
    flags["unchanged"] = same
    sums = flags.groupby("company", sort=True).sum()
    counts = {
        slug: Counts(int(row.added), int(row.updated), int(row.unchanged))
        for slug, row in zip(sums.index, sums.itertuples(), strict=True)
    }
    report.per_company.update(counts)
    return counts


def _csv_texts(merged: pd.DataFrame, t: Table, slugs: set[str]) -> dict[str, str]:
    """The CSV text of each company in ``slugs`` from the merged rows of every company (sorted
    by company), written as ``DataFrame.to_csv`` writes text columns; a company left without
    rows gets the header alone."""
    values = merged[list(t.columns)].fillna("").to_numpy(dtype=object)  # to_csv's na_rep
    company = merged["company"].to_numpy(dtype=object)
    edges = [0, *(np.flatnonzero(company[1:] != company[:-1]) + 1), len(company)]
    bounds = {company[a]: (a, b) for a, b in itertools.pairwise(edges) if a < b}
    texts = {}
    for slug in slugs:
        start, stop = bounds.get(slug, (0, 0))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(t.columns)
        writer.writerows(values[start:stop].tolist())
        texts[slug] = out.getvalue()
    return texts


def _read_old(paths: dict[str, Path], t: Table) -> pd.DataFrame:
    """The rows the companies' CSVs hold now, as text, with their company, file by file."""
    columns: dict[str, list] = {c: [] for c in [*t.columns, "company"]}
    for slug, path in paths.items():
        table = _read_text_table(path, t)
        for name, values in table.items():
            columns[name].extend(values)
        columns["company"].extend([slug] * len(table[t.columns[0]]))
    return pd.DataFrame(columns, dtype=object)


def _keys(frame: pd.DataFrame, t: Table, company: np.ndarray) -> pd.MultiIndex:
    """Each row's key within its company: (company, id), or (company, date, queue)."""
    return pd.MultiIndex.from_arrays([company, *(frame[k].to_numpy() for k in t.key)])


def _compare(
    earlier: pd.DataFrame,
    earlier_company: np.ndarray,
    new: pd.DataFrame,
    company: np.ndarray,
    t: Table,
) -> tuple[np.ndarray, np.ndarray]:
    """Which new rows the company's CSV already has (by key: ``earlier``, this source's
    canonical rows) and which of those are the same in every column."""
    index = _keys(earlier, t, earlier_company)
    last = ~index.duplicated(keep="last")
    index, earlier = index[last], earlier[last]
    keys = _keys(new, t, company)
    at = index.get_indexer(keys)
    known = at >= 0
    same = np.zeros(len(new), dtype=bool)
    if known.any():
        values = [c for c in t.columns if c not in t.key]
        before = earlier[values].to_numpy()[at[known]]
        equal = before == new.loc[known, values].to_numpy()
        if "as_of" in values:  # a row written before rows carried their extract's day:
            day = values.index("as_of")  # its empty day is no change
            equal[:, day] |= before[:, day] == ""
        same[known] = equal.all(axis=1)
    return known, same


def _read_text_table(path: Path, t: Table = INCIDENTS) -> dict[str, list]:
    """The company's CSV as the table's columns of text (a column it lacks is empty text;
    none for a file that does not exist yet)."""
    if not path.exists():
        return {c: [] for c in t.columns}
    columns = regular_csv(path)
    if columns is None:  # pandas reads it, or says why it cannot
        old = read_text_csv(path)
        columns = {c: old[c].astype(object).tolist() for c in old.columns}
    unknown = [c for c in columns if c not in t.columns]
    missing = [c for c in t.required if c not in columns]
    if unknown or missing:
        raise ImportFailed(
            f"{path}: cannot merge into it: column(s) {unknown or missing} "
            "(run `cxreport validate` for details)"
        )
    rows = len(next(iter(columns.values())))
    return {c: columns[c] if c in columns else [""] * rows for c in t.columns}


# ------------------------------------------------------------------ the incident store


def _deliver_store(batches: Iterable[pd.DataFrame], d: Delivery, report: ImportReport) -> None:
    store = IncidentStore(store_root(d.corpus))
    with store.workdir() as work:
        staged, deduped = work / "staged.parquet", work / "deduped.parquet"
        with store.stage_writer(staged) as writer:
            for batch in batches:
                if len(batch):
                    store.stage(writer, batch)
        with store.connect() as con:
            key = ["id"] if d.moves else ["company", "id"]
            day = extract_day(d, report)
            kept, repeats, lines = dedupe_stage(con, staged, deduped, key, day)
            report.reject(np.array(lines), REPEATED, repeats)
            if kept == 0:
                return
            with_rows = {r[0] for r in con.execute(
                f"SELECT DISTINCT company FROM read_parquet({sql_text(str(deduped))})"
            ).fetchall()}  # fmt: skip
        csv_drops = {}
        if d.replace:
            slugs = [s for s in csv_holders(d) if d.selection is None or s in d.selection]
            csv_drops = _plan_csvs(d, sorted(slugs), empty_frame(), report, {})
        stubs = _plan_stubs(d, with_rows, link=False)
        _check_planned(csv_drops.values(), stubs, d)
        for path, text in stubs.items():
            write_atomic(path, text)
            report.created.append(path)
        drop = (d.selection or set()) if d.replace else None
        counts, dropped, moved = store.merge(deduped, d.source, drop, work, d.moves)
        store.remove_obsolete()
    report.per_company.update(counts)
    report.moved.update(moved)
    for slug, n in dropped.items():
        report.dropped[slug] = report.dropped.get(slug, 0) + n
    for path, text in csv_drops.values():
        if text is not None:
            write_atomic(path, text)
            report.written.append(path)
    if any(c.added + c.updated for c in counts.values()) or dropped or moved:
        report.written.append(store.root)


# ------------------------------------------------------------------ company files


def write_atomic(path: Path, text: str) -> None:
    """Write a temporary file beside ``path``, flush it to disk, then rename it over ``path``."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _plan_links(d: Delivery, slugs: list[str]) -> dict[Path, str]:
    """New text of each existing company file that must name its CSV (incidents_file,
    calls_file)."""
    links = {}
    for slug in slugs:
        if slug in d.stubs or slug in d.linked:
            continue
        path = child(d.folder, slug, ".yaml")
        text = linked_text(path, d.table.link, csv_path(d, slug).name)
        if text is not None:
            links[path] = text
    return links


def linked_text(path: Path, key: str, value: str) -> str | None:
    """The company file with ``key: value`` appended, or None if it already has ``key``.

    Only appended when the file is a block-style mapping that reads back as the same data plus
    the new key (a flow mapping ``{...}`` or a file ending inside a block would change
    meaning); otherwise the user is told which line to add.
    """
    text = path.read_text(encoding="utf-8")
    refusal = ImportFailed(
        f"{path}: cannot add `{key}: {value}` to this file safely (it is not a plain block "
        f"of `key: value` lines); add this line to it yourself and run the import again:\n"
        f"{key}: {value}"
    )
    try:
        data = parse_text(text).data
        flow = yaml.compose(io.StringIO(text)).flow_style
    except (YamlError, yaml.YAMLError):
        raise refusal from None
    if not isinstance(data, dict) or flow:
        raise refusal
    if key in data:
        return None
    candidate = text + ("" if text.endswith("\n") or not text else "\n") + f"{key}: {value}\n"
    try:
        same = parse_text(candidate).data == {**data, key: value}
    except YamlError:
        same = False
    if not same:
        raise refusal
    return candidate


def _industry(stub: Stub, source: str) -> dict:
    """A new company's industry and the record of how it was inferred (stated on its page)."""
    industry, product, n = industry_basis(stub.products)
    rule = {"industry": industry, "source": source, "product": product, "complaints": n}
    if product is not None and (FORBIDDEN_CHARS.search(product) or len(product) > 200):
        rule["product"] = None  # not shown; the count still says how many rows
    return {"industry": industry, "industry_inferred": rule | {"of": stub.products.total()}}


def _plan_stubs(d: Delivery, with_rows: set[str], link: bool) -> dict[Path, str]:
    """Company files for the new companies that got rows, marked for the author to check.
    Spellings with a hidden character are not kept as the name or an alias."""
    stubs = {}
    for slug in sorted(d.stubs):
        if slug not in with_rows:
            continue
        stub = d.stubs[slug]
        clean = Counter({s: n for s, n in stub.spellings.items() if not FORBIDDEN_CHARS.search(s)})
        name = readable_name(clean)[:300] if clean else slug.replace("-", " ").title()
        data = {"slug": slug, "name": name}
        aliases = sorted(s[:300] for s in clean if s != name)
        if aliases:
            data["aliases"] = aliases
        data |= {**_industry(stub, d.source), "country": stub.country}
        if link:
            data["incidents_file"] = csv_path(d, slug).name
        path = child(d.folder, slug, ".yaml")
        body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
        note = f"# Created by `cxreport import` from {d.source} data: check and complete it.\n"
        stubs[path] = SCHEMA_LINE + note + body
    return stubs
