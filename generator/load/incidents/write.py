"""The incident store, write side: big imports as Parquet files merged by DuckDB, never loaded
whole.

Layout, under ``companies/_incidents/``: ``manifest.json`` names the live part files, and each
source has a folder of parts (``cfpb/part-00000003.parquet``). An import stages its normalised
rows in a temporary Parquet file, then writes one new part holding only the rows that are new
or changed: re-importing the same export writes nothing. The current version of an id is its
row in the newest part (see :func:`.store.store_sql`).

Every step is a DuckDB ``COPY`` between Parquet files under a memory limit (spilling to disk),
so memory does not grow with the export. The manifest is replaced atomically (temp file, fsync,
rename) under a lock file: a killed import leaves the store as it was.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..slugs import child
from . import STORE_COLUMNS, arrow_schema, sql_text
from .store import SEQ, STORE_MANIFEST, STORE_VERSION, read_manifest, store_lock, store_sql


@dataclass
class Counts:
    """Rows of one company an import added, updated or found unchanged."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0


STAGE_SCHEMA = arrow_schema({"_line": "BIGINT"})  # the rows, and each one's line in the file
# An update is a change of these; ``as_of`` only where the stored row has one (a row stored
# before rows carried their extract's day is unchanged when the rest is).
COMPARED = [c for c in STORE_COLUMNS if c not in ("id", "source", "company", "as_of")]


def run(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    """Run a statement to completion and return its rows."""
    return con.execute(sql).fetchall()


def copy_sql(select: str, target: Path) -> str:
    return (
        f"COPY ({select}) TO {sql_text(str(target))} "
        "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)"
    )


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class IncidentStore:
    """Incident rows of big imports under ``root`` (``companies/_incidents``)."""

    def __init__(self, root: Path, memory_limit: str = "256MB", threads: int = 2) -> None:
        self.root = Path(root)
        self.memory_limit = memory_limit
        self.threads = threads

    @property
    def tmp(self) -> Path:
        return self.root / "_tmp"

    def connect(self) -> duckdb.DuckDBPyConnection:
        self.tmp.mkdir(parents=True, exist_ok=True)
        return duckdb.connect(
            ":memory:",
            config={
                "memory_limit": self.memory_limit,
                "threads": self.threads,
                "preserve_insertion_order": False,
                "temp_directory": str(self.tmp / "duckdb"),
            },
        )

    @contextlib.contextmanager
    def workdir(self) -> Iterator[Path]:
        work = self.tmp / f"import-{uuid.uuid4().hex}"
        work.mkdir(parents=True)
        try:
            yield work
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def manifest(self) -> dict:
        return read_manifest(self.root)

    def commit(self, manifest: dict) -> None:
        path = self.root / STORE_MANIFEST
        tmp = path.with_name(f".{STORE_MANIFEST}.{uuid.uuid4().hex}.tmp")
        tmp.write_text(json.dumps({"version": 1, **manifest}, indent=1) + "\n", encoding="utf-8")
        _fsync(tmp)
        os.replace(tmp, path)
        _fsync(self.root)

    def sources(self) -> set[str]:
        return {p["source"] for p in self.manifest()["parts"]}

    def counts(self, source: str) -> dict[str, int]:
        """Current rows of one source per company."""
        sql = store_sql(self.root, source=source)
        if sql is None:
            return {}
        with contextlib.closing(self.connect()) as con:
            rows = run(con, f"SELECT company, count(*) FROM ({sql}) GROUP BY company")
        return {str(c): int(n) for c, n in rows}

    # -------------------------------------------------------------- staging

    @contextlib.contextmanager
    def stage_writer(self, path: Path) -> Iterator[pq.ParquetWriter]:
        with pq.ParquetWriter(path, STAGE_SCHEMA, compression="zstd") as writer:
            yield writer

    @staticmethod
    def stage(writer: pq.ParquetWriter, frame: pd.DataFrame) -> None:
        """Append normalised rows (company + Incident fields + _line) to the staging file; a
        field the rows lack is empty."""
        arrays = []
        for column in STAGE_SCHEMA.names:
            field_type = STAGE_SCHEMA.field(column).type
            values = frame[column] if column in frame else pd.Series(None, index=frame.index)
            if field_type == pa.date32():  # "YYYY-MM-DD" text
                text = values.astype(object).where(values.notna() & (values != ""), None)
                arrays.append(pa.array(text, pa.string(), from_pandas=True).cast(field_type))
            elif field_type in (pa.float64(), pa.int64()):
                arrays.append(pa.array(pd.to_numeric(values), field_type, from_pandas=True))
            else:
                values = values.astype(object).where(values.notna(), None)
                arrays.append(pa.array(values, field_type, from_pandas=True))
        writer.write_table(pa.Table.from_arrays(arrays, schema=STAGE_SCHEMA))

    # -------------------------------------------------------------- merging

    def merge(
        self, stage: Path, source: str, drop: set[str] | None, work: Path, moves: bool = False
    ) -> tuple[dict[str, Counts], dict[str, int], dict[tuple[str, str], int]]:
        """Merge staged rows (one per (company, id)) into ``source``; first drop its earlier
        rows of the ``drop`` companies (all when ``drop`` is the empty set, none when None)
        and, with ``moves``, the rows of ids the stage gives to another company.

        Returns the added/updated/unchanged counts and the dropped rows, per company, and the
        rows moved per (from, to) company.
        """
        child(self.root, source, "")  # the source names a folder: the slug rule applies
        with store_lock(self.root), contextlib.closing(self.connect()) as con:
            manifest = self.manifest()
            dropped = {}
            if drop is not None:
                dropped = self._drop(con, manifest, source, _companies_where(drop), work)
            moved = self._move(con, manifest, source, stage, work) if moves else {}
            current = store_sql(self.root, manifest, source)
            joined = work / "joined.parquet"
            run(con, copy_sql(_status_sql(stage, current), joined))
            counts = _status_counts(con, joined)
            changed = sum(c.added + c.updated for c in counts.values())
            if changed:
                self._add_part(con, manifest, source, joined, counts)
            if changed or dropped or moved:
                self.commit(manifest)
        return counts, dropped, moved

    def _move(
        self, con: duckdb.DuckDBPyConnection, manifest: dict, source: str, stage: Path, work: Path
    ) -> dict[tuple[str, str], int]:
        """Drop the current rows whose id the stage gives to another company: (from, to) ->
        rows. The staged rows then arrive as added under their new company."""
        current = store_sql(self.root, manifest, source)
        if current is None:
            return {}
        staged = f"read_parquet({sql_text(str(stage))})"
        run(con, "CREATE OR REPLACE TEMP TABLE moving AS SELECT c.company AS old, s.company "
            f"AS new, c.id FROM ({current}) c JOIN {staged} s ON s.id = c.id "
            "AND s.company <> c.company")  # fmt: skip
        moved = {
            (str(a), str(b)): int(n)
            for a, b, n in run(con, "SELECT old, new, count(*) FROM moving GROUP BY ALL")
        }
        if moved:
            where = "(company || chr(31) || id) IN (SELECT old || chr(31) || id FROM moving)"
            self._drop(con, manifest, source, where, work)
        return moved

    def _add_part(
        self, con: duckdb.DuckDBPyConnection, manifest: dict, source: str, joined: Path, counts
    ) -> None:
        seq = manifest["next_seq"]
        relative = f"{source}/part-{seq:08d}.parquet"
        final = self.root / relative
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.with_name(f".{final.name}.tmp")
        select = (
            f"SELECT {', '.join(STORE_COLUMNS)}, {seq}::BIGINT AS {SEQ} "
            f"FROM read_parquet({sql_text(str(joined))}) WHERE status <> 'unchanged'"
        )
        run(con, copy_sql(select, tmp))
        _fsync(tmp)
        os.replace(tmp, final)
        added = sum(c.added for c in counts.values())
        updated = sum(c.updated for c in counts.values())
        manifest["parts"].append(
            {"source": source, "file": relative, "seq": seq, "rows": added + updated,
             "added": added, "updated": updated, "store": STORE_VERSION}
        )  # fmt: skip
        manifest["next_seq"] = seq + 1

    def _drop(
        self,
        con: duckdb.DuckDBPyConnection,
        manifest: dict,
        source: str,
        where: str,
        work: Path,
    ) -> dict[str, int]:
        """Remove a source's rows matching ``where`` from ``manifest``: its parts are
        replaced by one part of the rows kept. Old files are deleted only after the commit."""
        current = store_sql(self.root, manifest, source, seq=True)
        if current is None:
            return {}
        dropped = {
            str(c): int(n)
            for c, n in run(
                con, f"SELECT company, count(*) FROM ({current}) WHERE {where} GROUP BY company"
            )
        }
        old = [p for p in manifest["parts"] if p["source"] == source]
        manifest["parts"] = [p for p in manifest["parts"] if p["source"] != source]
        kept = int(run(con, f"SELECT count(*) FROM ({current}) WHERE NOT ({where})")[0][0])
        if kept:
            seq = manifest["next_seq"]
            relative = f"{source}/part-{seq:08d}.parquet"
            select = f"SELECT * EXCLUDE ({SEQ}), {seq}::BIGINT AS {SEQ} FROM ({current})"
            run(con, copy_sql(f"{select} WHERE NOT ({where})", self.root / relative))
            manifest["parts"].append(
                {"source": source, "file": relative, "seq": seq, "rows": kept,
                 "added": kept, "updated": 0, "store": STORE_VERSION}
            )  # fmt: skip
            manifest["next_seq"] = seq + 1
        manifest.setdefault("obsolete", []).extend(p["file"] for p in old)
        return dropped

    def drop(self, source: str, companies: set[str]) -> dict[str, int]:
        """Drop a source's rows (of ``companies``, or all when empty) and commit."""
        with (
            store_lock(self.root),
            contextlib.closing(self.connect()) as con,
            self.workdir() as work,
        ):
            manifest = self.manifest()
            dropped = self._drop(con, manifest, source, _companies_where(companies), work)
            if dropped:
                self.commit(manifest)
                self.remove_obsolete()
        return dropped

    def remove_obsolete(self) -> None:
        """Delete part files a committed manifest no longer names."""
        manifest = self.manifest()
        obsolete = manifest.pop("obsolete", [])
        if obsolete:
            for name in obsolete:
                (self.root / name).unlink(missing_ok=True)
            self.commit(manifest)


def _companies_where(companies: set[str]) -> str:
    """SQL: rows of ``companies``, or every row when the set is empty."""
    chosen = ", ".join(sql_text(c) for c in sorted(companies))
    return f"company IN ({chosen})" if companies else "true"


def _status_sql(stage: Path, current: str | None) -> str:
    """Each staged row with its status against the current rows (same company and id):
    added, updated, unchanged.

    The current side carries only (id, hash of the values), so the join's memory is per id,
    not per row; a hash collision (about 1 in 10^19 per changed row) would hide a change.
    """
    rows = f"read_parquet({sql_text(str(stage))})"
    if current is None:
        return f"SELECT {', '.join(STORE_COLUMNS)}, 'added' AS status FROM {rows}"
    values = ", ".join(COMPARED)
    columns = ", ".join(f"s.{c}" for c in STORE_COLUMNS)
    return (
        f"SELECT {columns}, CASE WHEN c.id IS NULL THEN 'added' "
        f"WHEN hash({', '.join(f's.{c}' for c in COMPARED)}) <> c.h THEN 'updated' "
        "WHEN c.as_of IS NOT NULL AND s.as_of IS DISTINCT FROM c.as_of THEN 'updated' "
        f"ELSE 'unchanged' END AS status FROM {rows} s "
        f"LEFT JOIN (SELECT company, id, hash({values}) AS h, as_of FROM ({current})) c "
        "ON s.id = c.id AND s.company = c.company"
    )


def _status_counts(con: duckdb.DuckDBPyConnection, joined: Path) -> dict[str, Counts]:
    counts: dict[str, Counts] = {}
    sql = (
        f"SELECT company, status, count(*) FROM read_parquet({sql_text(str(joined))}) GROUP BY ALL"
    )
    for company, status, n in run(con, sql):
        entry = counts.setdefault(str(company), Counts())
        setattr(entry, str(status), getattr(entry, str(status)) + int(n))
    return counts


def dedupe_stage(
    con: duckdb.DuckDBPyConnection,
    staged: Path,
    target: Path,
    key: list[str] | None = None,
    as_of: str | None = None,
) -> tuple[int, int, list[int]]:
    """One row per ``key`` (default (company, id); the first in the file): rows kept,
    repeats, first repeated lines. Rows without an ``as_of`` day get ``as_of``.

    Only keys that occur more than once are ranked: sorting every row would hold the whole
    import in memory.
    """
    by = ", ".join(key or ["company", "id"])
    src = f"read_parquet({sql_text(str(staged))})"
    run(con, f"CREATE TEMP TABLE repeated AS SELECT {by} FROM {src} GROUP BY {by} "
        "HAVING count(*) > 1")  # fmt: skip
    run(
        con,
        f"CREATE TEMP TABLE later AS SELECT _line FROM {src} SEMI JOIN repeated USING ({by}) "
        f"QUALIFY row_number() OVER (PARTITION BY {by} ORDER BY _line) > 1",
    )
    day = f"DATE {sql_text(as_of)}" if as_of else "NULL::DATE"
    select = f"SELECT * EXCLUDE (_line) REPLACE (coalesce(as_of, {day}) AS as_of) FROM {src}"
    run(con, copy_sql(f"{select} ANTI JOIN later USING (_line)", target))
    kept = int(run(con, f"SELECT count(*) FROM read_parquet({sql_text(str(target))})")[0][0])
    repeats = int(run(con, "SELECT count(*) FROM later")[0][0])
    first = [int(r[0]) for r in run(con, "SELECT _line FROM later ORDER BY _line LIMIT 5")]
    run(con, "DROP TABLE repeated; DROP TABLE later")
    return kept, repeats, first
