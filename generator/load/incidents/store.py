"""The incident store, read side: big imports as Parquet part files under
``companies/_incidents/``, named by ``manifest.json``; never loaded into memory, read by SQL.

Here: the store's layout and manifest, the SQL of its current rows (:func:`store_sql`, which
every engine reads: DuckDB and Spark), the checks a build makes of it (:func:`load_store`),
the migration of parts written before a column was added (read as NULL, :data:`ADDED_COLUMNS`),
and the corpus's import lock (one import at a time, leftovers of killed imports removed under
it). The write side (staging, dedupe, merge, manifest replace) is :mod:`.write`.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ...errors import CxError, Problems
from ..checks import FORBIDDEN_MESSAGE
from ..models import MAX_DATE, MIN_DATE
from . import STORE_COLUMNS, STORE_TYPES, TEXT_COLUMNS, sql_text, typed_frame

try:  # POSIX; elsewhere one import at a time is the user's job
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None

STORE_FOLDER = "_incidents"  # under companies/; never a company file (slugs have no "_")
STORE_MANIFEST = "manifest.json"
SEQ = "_seq"  # which import wrote a row version: the newest version of an id is current
# The store's format: a part records the version it was written in (none: 1). A column added
# since is read as NULL from older parts, which then keep meaning what they meant (an empty
# ``as_of``: the source's last day); the next import that rewrites a source rewrites them.
STORE_VERSION = 2
ADDED_COLUMNS = {"as_of": 2}  # column -> the store version that added it


def store_root(corpus_root: Path) -> Path:
    return corpus_root / "companies" / STORE_FOLDER


def read_manifest(root: Path) -> dict:
    """The store's committed state: ``{"next_seq": n, "parts": [{source, file, seq, rows,
    added, updated}, ...]}``; the file is replaced atomically, so readers need no lock."""
    path = root / STORE_MANIFEST
    if not path.exists():
        return {"next_seq": 1, "parts": []}
    return json.loads(path.read_text(encoding="utf-8"))


def store_sql(
    root: Path, manifest: dict | None = None, source: str | None = None, seq: bool = False
) -> str | None:
    """A SELECT of the store's current rows (columns ``company`` + the Incident fields), or
    None when the store holds nothing. A row is identified by (company, source, id); a source
    that an import updated holds several versions of some; the newest (highest ``_seq``) is
    current."""
    manifest = manifest if manifest is not None else read_manifest(root)
    sources = sorted({p["source"] for p in manifest["parts"]} if source is None else {source})
    selects = []
    for name in sources:
        parts = [p for p in manifest["parts"] if p["source"] == name]
        if not parts:
            continue
        versions = sorted({p.get("store", 1) for p in parts})
        scans = []
        for version in versions:
            files = ", ".join(
                sql_text(str(root / p["file"])) for p in parts if p.get("store", 1) == version
            )
            columns = ", ".join(_stored_column(c, version) for c in STORE_COLUMNS)
            columns += f", {SEQ}" if seq or len(versions) > 1 else ""
            scans.append(f"SELECT {columns} FROM read_parquet([{files}])")
        scan = scans[0]
        if len(scans) > 1:  # parts of several store versions: one relation of their columns
            columns = ", ".join(STORE_COLUMNS) + (f", {SEQ}" if seq else "")
            scan = f"SELECT {columns} FROM ({' UNION ALL '.join(scans)})"
        if any(p["updated"] for p in parts):
            scan += f" QUALIFY row_number() OVER (PARTITION BY company, id ORDER BY {SEQ} DESC) = 1"
        selects.append(f"({scan})")
    return " UNION ALL ".join(selects) or None


def _stored_column(column: str, version: int) -> str:
    """A column as read from a part of store ``version``: NULL when it was added since."""
    if ADDED_COLUMNS.get(column, 1) > version:
        return f"NULL::{STORE_TYPES[column]} AS {column}"
    return column


# FORBIDDEN_CHARS written for DuckDB's regular expressions (RE2)
FORBIDDEN_SQL = (
    r"[\x{0}-\x{8}\x{b}\x{c}\x{e}-\x{1f}\x{7f}-\x{9f}\x{202a}-\x{202e}\x{2066}-\x{2069}"
    r"\x{61c}]"
)


def _check_store_rows(con: Any, sql: str, manifest_path: Path, problems: Problems) -> None:
    """What a build refuses in a CSV, refused in the store too: dates outside the range every
    date must lie in (one complaint dated 9999-12-31 made a 48 MB metrics file) and text
    with a NUL byte, a control or a bidi character."""
    lo, hi = sql_text(MIN_DATE.isoformat()), sql_text(MAX_DATE.isoformat())
    dated = con.execute(
        f"SELECT count(*), min(company || ' ' || id || ' ' || date::VARCHAR) FROM ({sql}) "
        f"WHERE date < {lo}::DATE OR date > {hi}::DATE OR date IS NULL"
    ).fetchone()
    if dated[0]:
        problems.add(
            manifest_path, 1, 1,
            f"{dated[0]:,} stored incident rows dated outside {MIN_DATE} to {MAX_DATE} "
            f"(first: {dated[1]}); re-import the source with --replace",
        )  # fmt: skip
    pattern = sql_text(FORBIDDEN_SQL)
    texts = " OR ".join(f"regexp_matches(coalesce({c}, ''), {pattern})" for c in TEXT_COLUMNS)
    hidden = con.execute(f"SELECT count(*), min(company || ' ' || id) FROM ({sql}) WHERE {texts}")
    count, first = hidden.fetchone()
    if count:
        problems.add(
            manifest_path, 1, 1,
            f"{count:,} stored incident rows {FORBIDDEN_MESSAGE} (first: {first}); re-import "
            "the source with --replace",
        )  # fmt: skip


@dataclass
class StoreInfo:
    root: Path
    rows: int
    per_company: dict[str, int]  # as counted: rows of a gathered file under their company
    into: dict[str, str] = field(default_factory=dict)  # gathered file's slug -> company

    def gathered(self, into: dict[str, str]) -> StoreInfo:
        """The store with the rows of gathered company files counted for their company."""
        per: dict[str, int] = {}
        for company, n in self.per_company.items():
            per[into.get(company, company)] = per.get(into.get(company, company), 0) + n
        return StoreInfo(self.root, self.rows, per, {**self.into, **into})

    def sql(self) -> str | None:
        """A SELECT of the store's current rows as counted (see :func:`attributed_sql`)."""
        return attributed_sql(store_sql(self.root), self.into)

    def per_source(self) -> dict[str, int]:
        """Current rows per source (rows without one left out)."""
        if not self.rows:
            return {}
        with _reader() as con:
            rows = con.sql(
                f"SELECT source, count(*) FROM ({self.sql()}) WHERE source IS NOT NULL "
                "GROUP BY source"
            ).fetchall()
        return {str(source): int(n) for source, n in rows}

    def frame(self, columns: list[str], exclude: frozenset[str] = frozenset()) -> pd.DataFrame:
        """The current rows as counted (``columns`` of them; not those of the ``exclude``
        sources): dates as days, missing values as None."""
        if not self.rows:
            return pd.DataFrame(columns=columns)
        where = ""
        if exclude:
            chosen = ", ".join(sql_text(x) for x in sorted(exclude))
            where = f" WHERE source IS NULL OR source NOT IN ({chosen})"
        with _reader() as con:
            rows = con.sql(f"SELECT {', '.join(columns)} FROM ({self.sql()}){where}").df()
        if "date" in rows:
            rows["date"] = pd.to_datetime(rows["date"]).dt.date
        return rows.astype(object).where(rows.notna(), None)

    def repeated_ids(self, loaded: pd.DataFrame) -> tuple[int, str, str] | None:
        """Ids (of one source) held twice under one company once the gathered files' rows
        count for it, at least once in the store (stored under the gathered file and under
        its company, or stored under one and in the other's CSV): (rows, company, first id).
        The same rule the loader applies to CSV rows alone (``corpus._check_gathered_ids``)."""
        targets = sorted(set(self.into.values()))
        if not self.rows or not targets:
            return None
        chosen = ", ".join(sql_text(c) for c in targets)
        keys = ["company", "source", "id"]
        mine = loaded.loc[loaded["company"].isin(targets), keys]
        with _reader() as con:
            con.register("_loaded", typed_frame(mine, dict.fromkeys(keys, "VARCHAR")))
            found = con.execute(
                "SELECT sum(n)::BIGINT, min(company || chr(31) || id) FROM (SELECT company, "
                "source, id, count(*) AS n FROM (SELECT company, source, id, true AS stored "
                f"FROM ({self.sql()}) WHERE company IN ({chosen}) UNION ALL SELECT company, "
                "source, id, false FROM _loaded) GROUP BY ALL HAVING count(*) > 1 AND "
                "bool_or(stored))"
            ).fetchone()
        if not found or not found[0]:
            return None
        company, first = found[1].split(chr(31), 1)
        return int(found[0]), company, first


def _reader():
    """A DuckDB connection for reading the store (bounded memory)."""
    import duckdb

    return duckdb.connect(config={"memory_limit": "256MB", "threads": 2})


def attributed_sql(sql: str | None, into: dict[str, str]) -> str | None:
    """``sql`` (rows with a ``company`` column) with the rows of gathered company files under
    the company that gathers them: plain SQL every engine reads (DuckDB, Spark)."""
    if sql is None or not into:
        return sql
    cases = " ".join(f"WHEN {sql_text(a)} THEN {sql_text(b)}" for a, b in sorted(into.items()))
    rest = ", ".join(c for c in STORE_COLUMNS if c != "company")
    return f"SELECT CASE company {cases} ELSE company END AS company, {rest} FROM ({sql}) _g"


def load_store(corpus_root: Path, companies: set[str], problems: Problems) -> StoreInfo | None:
    """Check the store (manifest, part files, companies) and count its current rows."""
    root = store_root(corpus_root)
    try:
        if not (root / STORE_MANIFEST).exists():
            return None
    except OSError:  # companies/ unreadable: reported where the folder is walked
        return None
    import duckdb

    manifest_path = root / STORE_MANIFEST
    try:
        manifest = read_manifest(root)
        missing = [p["file"] for p in manifest["parts"] if not (root / p["file"]).is_file()]
    except (ValueError, KeyError, TypeError, OSError) as exc:
        problems.add(manifest_path, 1, 1, f"the incident store's manifest is unreadable: {exc}")
        return None
    if missing:
        problems.add(manifest_path, 1, 1, f"part file(s) missing: {', '.join(missing[:5])}")
        return None
    sql = store_sql(root, manifest)
    if sql is None:
        return StoreInfo(root, 0, {})
    with _reader() as con:
        try:
            rows = con.sql(f"SELECT company, count(*) FROM ({sql}) GROUP BY company").fetchall()
            _check_store_rows(con, sql, manifest_path, problems)
        except duckdb.Error as exc:
            problems.add(manifest_path, 1, 1, f"the incident store cannot be read: {exc}")
            return None
    per_company = {str(c): int(n) for c, n in rows}
    for company in sorted(set(per_company) - companies):
        problems.add(
            manifest_path,
            1,
            1,
            f"{per_company[company]:,} stored incident rows of company {company!r}, which has "
            f"no file companies/{company}.yaml (create it, or re-import with --replace)",
        )
    return StoreInfo(root, sum(per_company.values()), per_company)


# ------------------------------------------------------------------ one import at a time

IMPORT_LOCK = ".{}-import.cxreport-lock"  # beside the corpus folder: one import at a time


class StoreError(CxError):
    """The corpus cannot be locked for an import; nothing was written. The message names the
    folder or the lock file."""

    def report(self, consequence: str) -> list[str]:
        return [str(self)]


@contextlib.contextmanager
def import_lock(corpus: Path) -> Iterator[None]:
    """Hold the corpus's import lock for a whole import (reading the corpus, merging,
    writing): a second import into the same corpus waits for the first, whichever place
    (CSV or store) either writes to. Leftovers of killed imports are removed under it."""
    if not corpus.is_dir():
        raise StoreError(f"{corpus}: corpus folder not found")
    path = corpus.resolve().parent / IMPORT_LOCK.format(corpus.resolve().name)
    try:
        handle = path.open("a")
    except OSError as exc:
        raise StoreError(f"{path}: cannot take the import lock ({exc.strerror})") from None
    with handle:
        if fcntl:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                print(f"another import into {corpus} is running; waiting for it…", file=sys.stderr)
                fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            remove_import_leftovers(corpus)
            yield
        finally:
            if fcntl:
                fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def store_lock(root: Path) -> Iterator[None]:
    """The store's own lock (``companies/_incidents/.lock``), held while a write merges into
    it, for writers that do not hold the import lock (the store's own API, the benchmarks)."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("a") as handle:
        if fcntl:
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


_LEFTOVER = re.compile(r"^\..+\.[0-9a-f]{8}\.tmp$|^\.manifest\.json\.[0-9a-f]{32}\.tmp$")


def remove_import_leftovers(corpus: Path) -> list[Path]:
    """Temporary files of imports that were killed (only ever written by an import, which
    holds the lock, so none of them belongs to a running one): ``.NAME.XXXXXXXX.tmp`` beside
    the company files, the store's staging folders and half-written parts. Only names an
    import itself gives are matched."""
    companies = corpus / "companies"
    found = [p for p in companies.glob(".*.tmp") if _LEFTOVER.match(p.name)]
    found += [p for p in companies.glob(f"{STORE_FOLDER}/.*.tmp") if _LEFTOVER.match(p.name)]
    found += [*companies.glob(f"{STORE_FOLDER}/*/.part-*.parquet.tmp")]
    found += [p for p in companies.glob(f"{STORE_FOLDER}/_tmp/import-*") if p.is_dir()]
    for leftover in found:
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
    return found
