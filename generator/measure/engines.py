"""Where the company metrics run: DuckDB in-process (the default), or Spark (local mode, a
cluster's master URL, or a Spark Connect address). Both run the same definitions
(``company.py``), translated by ``dialect.translate``; an engine only holds relations and runs
queries.

Every failure of an engine (it cannot start, its address does not answer, a query it cannot
run) is one ``EngineError`` naming the engine, raised before anything is written.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pandas as pd

from ..errors import EngineError
from ..load.incidents import STORE_TYPES, typed_frame
from ..load.incidents.store import store_root

if TYPE_CHECKING:  # DuckDB and SQLGlot are imported when company figures are computed
    import duckdb

ENGINES = ("duckdb", "spark")
SPARK_MASTER_ENV = "CXREPORT_SPARK_MASTER"
SPARK_REMOTE_ENV = "CXREPORT_SPARK_REMOTE"


@dataclass(frozen=True)
class EngineSpec:
    """Which engine, and for Spark where: ``master`` (``local[2]``, ``spark://host:7077``) or
    ``remote`` (a Spark Connect address, ``sc://host:15002``). Unset, Spark reads
    ``CXREPORT_SPARK_MASTER`` / ``CXREPORT_SPARK_REMOTE``, else runs locally on every core."""

    name: str = "duckdb"
    master: str | None = None
    remote: str | None = None

    def __post_init__(self) -> None:
        if self.name not in ENGINES:
            raise EngineError(self.name, f"unknown engine; choose one of {', '.join(ENGINES)}")
        if self.name != "spark" and (self.master or self.remote):
            raise EngineError(self.name, "--spark-master and --spark-remote need --engine spark")
        if self.master and self.remote:
            raise EngineError("spark", "give a master URL or a Spark Connect address, not both")


class DuckDBEngine:
    """The embedded engine: one in-memory DuckDB connection."""

    name = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection | None = None):
        import duckdb

        self.owned = con is None
        self.con = con if con is not None else duckdb.connect()

    def frame(self, name: str, frame: pd.DataFrame, types: dict[str, str]) -> None:
        """Expose a DataFrame as the view ``name`` with the columns' SQL types."""
        self.con.register(f"{name}_frame", typed_frame(frame, types))
        casts = ", ".join(f"CAST({c} AS {t}) AS {c}" for c, t in types.items())
        self.con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT {casts} FROM {name}_frame")

    def view(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")

    def keep(self, name: str, sql: str) -> None:
        """The result of ``sql`` computed once, as the table ``name``."""
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {translate(sql, 'duckdb')}")

    def drop(self, name: str) -> None:
        self.con.execute(f"DROP TABLE IF EXISTS {name}")

    def query(self, sql: str, what: str = "a query") -> pd.DataFrame:
        import duckdb

        try:
            return self.con.execute(translate(sql, "duckdb")).df()
        except duckdb.Error as exc:
            raise EngineError(self.name, f"cannot compute {what}: {_first_line(exc)}") from None

    def metrics(self, queries: list[tuple[str, str]]) -> list[pd.DataFrame]:
        """Each metric's rows (company, channel, period, value, n, lo, hi), one query each."""
        return [self.query(sql, f"the metric {id}") for id, sql in queries]

    def close(self) -> None:
        if self.owned:
            self.con.close()


# Inputs of up to this many rows in all are read in one partition (see ``SparkEngine._sized``):
# the bundled corpus, a CFPB year. Bigger ones keep Spark's partitions and shuffles.
SMALL_ROWS = 1_000_000
# ... and queried as one job: without broadcasts (each is a job of its own), with one shuffle
# partition (Spark shuffles joined relations of fewer partitions into that many), and without
# adaptive execution (which runs each shuffle as a job and plans the query again after it).
SMALL_SETTINGS = {
    "spark.sql.autoBroadcastJoinThreshold": "-1",
    "spark.sql.shuffle.partitions": "1",
    "spark.sql.adaptive.enabled": "false",
}

SPARK_TYPES = {
    "VARCHAR": "string",
    "DATE": "date",
    "DOUBLE": "double",
    "BOOLEAN": "boolean",
    "BIGINT": "bigint",
}


class SparkEngine:
    """Spark through PySpark: a local session, a cluster, or Spark Connect."""

    name = "spark"

    def __init__(self, spec: EngineSpec | None = None, session: Any = None):
        if session is None:
            session, self.owned = start_spark(spec or EngineSpec("spark"))
        else:
            self.owned = False
        self.spark = session
        self.scans = 0
        self.rows: int | None = 0  # the rows of every input so far; None: some count unknown

    @property
    def small(self) -> bool:
        """Whether every input so far is small enough for one partition (``SMALL_ROWS``)."""
        return self.rows is not None and self.rows <= SMALL_ROWS

    def _counted(self, rows: int | None, df: Any) -> Any:
        """``df``, an input of ``rows`` rows, in one partition while the inputs are small."""
        self.rows = None if rows is None or self.rows is None else self.rows + rows
        return self._sized(df)

    def _sized(self, df: Any) -> Any:
        """A relation over small inputs in one partition: Spark then plans every aggregate,
        window and join over it without a shuffle (one partition is already grouped), so a
        query is one stage instead of one per exchange."""
        return df.coalesce(1) if self.small else df

    def frame(self, name: str, frame: pd.DataFrame, types: dict[str, str]) -> None:
        import pyarrow as pa

        typed = typed_frame(frame, types)
        arrays = []
        for column, sql_type in types.items():
            values = typed[column]
            if sql_type == "DATE":
                arrays.append(pa.array(values, type=pa.timestamp("ns")).cast(pa.date32()))
            elif sql_type == "VARCHAR":
                arrays.append(pa.array(values.astype(object), type=pa.string(), from_pandas=True))
            else:
                arrays.append(pa.array(values, from_pandas=True))
        table = pa.Table.from_arrays(arrays, names=list(types))
        schema = ", ".join(f"`{c}` {SPARK_TYPES[t]}" for c, t in types.items())
        self._run(
            lambda: self._counted(
                len(frame), self.spark.createDataFrame(table, schema=schema)
            ).createOrReplaceTempView(name),
            f"the {name} table",
        )

    def view(self, name: str, sql: str) -> None:
        sql = self._scans(sql)
        self._run(
            lambda: self._sized(self.spark.sql(translate(sql, "spark"))).createOrReplaceTempView(
                name
            ),
            f"the {name} view",
        )

    def keep(self, name: str, sql: str) -> None:
        """Over big inputs, the result of ``sql`` cached once computed; over small ones a view,
        computed again where it is read (cheaper than a cache, whose scan Spark plans
        shuffles over)."""

        def run():
            df = self._sized(self.spark.sql(translate(self._scans(sql), "spark")))
            if not self.small:
                df.cache()
            df.createOrReplaceTempView(name)

        self._run(run, f"the {name} table")

    def drop(self, name: str) -> None:
        self._run(lambda: self.spark.catalog.dropTempView(name), f"the {name} table")

    def query(self, sql: str, what: str = "a query") -> pd.DataFrame:
        def run():
            df = self.spark.sql(translate(self._scans(sql), "spark"))
            if not self.small:
                return df.toArrow().to_pandas()
            with self._settings(SMALL_SETTINGS):
                return df.toArrow().to_pandas()

        return self._run(run, what)

    @contextmanager
    def _settings(self, settings: dict[str, str]):
        """The session's settings changed for a while, and restored (the session may not be
        ours)."""
        before = {key: self.spark.conf.get(key, None) for key in settings}
        for key, value in settings.items():
            self.spark.conf.set(key, value)
        try:
            yield
        finally:
            for key, value in before.items():
                if value is None:
                    self.spark.conf.unset(key)
                else:
                    self.spark.conf.set(key, value)

    def metrics(self, queries: list[tuple[str, str]]) -> list[pd.DataFrame]:
        """Each metric's rows (company, channel, period, value, n, lo, hi), all metrics in one
        Spark job (a job per metric costs seconds of
        scheduling each); when it fails, one by one, to name the metric that cannot run."""
        if not queries:
            return []
        union = " UNION ALL ".join(
            f"SELECT '{id}' AS cx_metric, company, channel, period, "
            f"CAST(value AS DOUBLE) AS value, CAST(n AS BIGINT) AS n, "
            f"CAST(lo AS DOUBLE) AS lo, CAST(hi AS DOUBLE) AS hi FROM ({sql})"
            for id, sql in queries
        )
        try:
            every = self.query(union, "the company metrics")
        except EngineError:
            self._name_the_failure(queries)
            return [self.query(sql, f"the metric {id}") for id, sql in queries]
        columns = ["company", "channel", "period", "value", "n", "lo", "hi"]
        return [
            every.loc[every["cx_metric"] == id, columns].reset_index(drop=True) for id, _ in queries
        ]

    def _name_the_failure(self, queries: list[tuple[str, str]]) -> None:
        """The metric Spark cannot even plan (an unknown function, a type it refuses), found by
        planning each query without running it; a failure while running is found by running
        them one by one."""
        for id, sql in queries:
            statement = translate(self._scans(sql), "spark")
            self._run(lambda s=statement: self.spark.sql(s).schema, f"the metric {id}")

    def close(self) -> None:
        if self.owned:
            self.spark.stop()

    def _scans(self, sql: str) -> str:
        """Parquet scans (``read_parquet([...])``) become views Spark reads itself."""
        import sqlglot
        from sqlglot import exp

        if "read_parquet" not in sql:
            return sql
        tree = sqlglot.parse_one(sql, read="duckdb")

        def replace(node):
            if not isinstance(node, exp.ReadParquet):
                return node
            files = [e.name for e in node.find_all(exp.Literal) if e.is_string]
            self.scans += 1
            name = f"cx_parquet_{self.scans}"
            self._run(
                lambda: self._counted(
                    _parquet_rows(files), self.spark.read.parquet(*files)
                ).createOrReplaceTempView(name),
                "the incident store",
            )
            return exp.to_table(name)

        return tree.transform(replace).sql("duckdb")

    def _run(self, action, what: str):
        try:
            return action()
        except Exception as exc:  # noqa: BLE001 - py4j, Connect and analysis errors alike
            raise EngineError(self.name, f"cannot compute {what}: {_first_line(exc)}") from None


def _parquet_rows(files: list[str]) -> int | None:
    """The rows of Parquet files as their footers state them (None when one cannot be read
    here: a path only the cluster sees)."""
    import pyarrow.parquet as pq

    try:
        return sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    except (OSError, ValueError):
        return None


def translate(sql: str, dialect: str) -> str:
    """``dialect.translate``, imported on first use (SQLGlot is not needed to load a corpus)."""
    from .dialect import translate as to_dialect

    return to_dialect(sql, dialect)


def _first_line(exc: BaseException) -> str:
    text = _grpc_details(exc) or str(exc).strip() or exc.__class__.__name__
    return text.splitlines()[0][:300]


def _grpc_details(exc: BaseException | None) -> str | None:
    """The message of a gRPC error behind a Spark Connect one (whose own text is the gRPC
    error's multi-line repr)."""
    while exc is not None:
        details = getattr(exc, "details", None)
        if callable(details) and hasattr(exc, "code"):
            return f"{details()}".strip() or None
        exc = exc.__cause__ or exc.__context__
    return None


def _reachable(url: str, default_port: int) -> None:
    """Refuse, within seconds, an address nothing answers at (Spark itself would retry for a
    minute or more before giving up)."""
    parts = urlsplit(url)
    host, port = parts.hostname, parts.port or default_port
    if not host:
        raise EngineError("spark", f"{url!r} is not an address (spark://HOST:PORT, sc://HOST)")
    try:
        socket.create_connection((host, port), timeout=5).close()
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise EngineError("spark", f"{url} does not answer ({reason})") from None


def _java_problem() -> str | None:
    """Why no Java runtime can start (Spark's own launcher would print shell errors)."""
    home = os.environ.get("JAVA_HOME")
    if home:
        java = Path(home) / "bin" / "java"
        return None if java.is_file() else f"JAVA_HOME={home} has no bin/java"
    return None if shutil.which("java") else "no Java runtime found (install Java 17 or 21)"


# A Spark Connect server that stops answering (it died, or the address is not one) is given up
# on after about five seconds of retries; the client's own policy waits ten minutes.
CONNECT_RETRIES = {
    "max_retries": 4,
    "initial_backoff": 250,
    "backoff_multiplier": 2.0,
    "max_backoff": 2000,
    "jitter": 100,
}


def _quiet_pyspark() -> None:
    """PySpark warns about pandas 3 whenever a part of it loads (it works): not the user's news."""
    warnings.filterwarnings(
        "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
    )
    # Spark Connect's client warns as it gives up; the EngineError that follows says why
    warnings.filterwarnings("ignore", message=r"\[RETRIES_EXCEEDED\]", category=UserWarning)


def start_spark(
    spec: EngineSpec, cores: int | None = None, conf: dict[str, str] | None = None
) -> tuple[Any, bool]:
    """A SparkSession for ``spec`` (Spark Connect, a cluster master, or local mode) and
    whether it is ours to stop: but for Spark Connect, a session already running in this
    process is used as it is.
    ``conf`` adds Spark settings (``spark.driver.memory``, ...)."""
    remote = spec.remote or os.environ.get(SPARK_REMOTE_ENV) or None
    master = spec.master or os.environ.get(SPARK_MASTER_ENV) or f"local[{cores or '*'}]"
    _quiet_pyspark()
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError("spark", "PySpark is not installed (pip install pyspark)") from None
    if remote:  # its own session, whatever runs in this process
        return _connect(remote, conf or {}), True
    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    if master.startswith("spark://"):
        _reachable(master, 7077)
    problem = _java_problem()
    if problem:
        raise EngineError("spark", f"could not start: {problem}")
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # this machine only
    builder = (
        SparkSession.builder.master(master)
        .config("spark.sql.shuffle.partitions", str(2 * (cores or os.cpu_count() or 2)))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.log.level", "OFF")
    )
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    with _jvm_output_kept() as jvm_output:
        try:
            return builder.appName("cxreport").getOrCreate(), True
        except Exception as exc:  # noqa: BLE001 - whatever stops the JVM or the connection
            said = jvm_output()
            reason = _first_line(exc) + (f" (Java said: {said})" if said else "")
            raise EngineError("spark", f"could not start: {reason}") from None


@contextmanager
def _jvm_output_kept() -> Iterator[Callable[[], str]]:
    """Keep what the Spark JVM prints as it starts (log4j's profile, the default log level,
    Hadoop's native-library warning, the JDK's incubator notice) off the user's terminal: the
    JVM is started as a child of this process and inherits standard error, so standard error
    points at an unlinked scratch file while it starts (the JVM keeps it; it goes with the
    JVM). Yields a function giving the last lines printed there, for an error message."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real standard error (embedded): nothing to keep off
        yield lambda: ""
        return
    with tempfile.TemporaryFile() as scratch:
        os.dup2(scratch.fileno(), 2)
        try:
            yield lambda: _last_lines(scratch)
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _last_lines(scratch: IO[bytes], count: int = 3) -> str:
    scratch.flush()
    scratch.seek(0)
    lines = [line.strip() for line in scratch.read().decode("utf-8", "replace").splitlines()]
    return " / ".join([line for line in lines if line][-count:])


def _connect(remote: str, conf: dict[str, str]) -> Any:
    """A Spark Connect session at ``remote``, with retries that give up within seconds, and
    proof that a Spark Connect server answers there (its version), not some other service."""
    _reachable(remote, 15002)
    try:
        from pyspark.sql.connect.client.retries import DefaultPolicy
        from pyspark.sql.connect.session import SparkSession as ConnectSession
    except ImportError as exc:  # grpcio and friends: the `spark` extra
        missing = getattr(exc, "name", None) or "a module"
        raise EngineError(
            "spark", f"Spark Connect needs {missing} (pip install 'cxreport[spark]')"
        ) from None
    session = ConnectSession.builder.remote(remote).create()
    try:
        session._client.set_retry_policies([DefaultPolicy(**CONNECT_RETRIES)])
        session.version  # noqa: B018 - the first call to the server
        for key, value in conf.items():
            session.conf.set(key, value)
    except Exception as exc:  # noqa: BLE001 - gRPC, protocol and server errors alike
        session.release_session_on_close = False  # nothing to release there
        session.stop()
        raise EngineError(
            "spark", f"{remote} is not a Spark Connect server that answers: {_first_line(exc)}"
        ) from None
    return session


Engine = DuckDBEngine | SparkEngine


def open_engine(spec: EngineSpec | None) -> Engine:
    spec = spec or EngineSpec()
    return SparkEngine(spec) if spec.name == "spark" else DuckDBEngine()


def register_incidents(
    engine: Engine,
    incidents: pd.DataFrame,
    corpus_root: Path | None,
    into: dict[str, str] | None = None,
) -> None:
    """The ``incidents`` relation on any engine: the loaded CSV and YAML rows, typed, plus the
    store's current rows, one relation for the company metrics. ``into`` counts the rows of
    company files that other companies' aliases gather for those companies (the loaded rows
    are already relabelled; the store's are relabelled as they are read)."""
    from ..load.incidents.store import attributed_sql, store_sql

    engine.frame("_loaded_incidents", incidents, STORE_TYPES)
    root = store_root(corpus_root) if corpus_root is not None else None
    stored = store_sql(root) if root is not None else None
    stored = attributed_sql(stored, into or {})
    union = f" UNION ALL SELECT * FROM ({stored})" if stored else ""
    engine.view("incidents", f"SELECT * FROM _loaded_incidents{union}")
