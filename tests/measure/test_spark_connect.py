"""Spark Connect and a Spark standalone cluster for real (pyspark's own jars, on free loopback
ports, all started at once for this module, stopped at the end): a Spark Connect server in
local mode, and a master with one two-core worker.

``cxreport score --engine spark --spark-remote sc://127.0.0.1:PORT`` and ``... --spark-master
spark://127.0.0.1:PORT`` each print what DuckDB prints. A server that goes away in the middle
of a build (a relay in front of it closes every connection and stops listening) and a metric
Spark cannot compute are one line naming the engine, exit 1, nothing written."""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from generator.errors import EngineError
from generator.measure import REGISTRY, corpus_measures
from generator.measure.company import Custom
from generator.measure.engines import EngineSpec, SparkEngine, _java_problem
from generator.measure.registry import Metric

from ..conftest import CASES
from .test_engines import random_rows

pytestmark = pytest.mark.slow
pytest.importorskip("grpc", reason="Spark Connect's client needs the `spark` extra (grpcio)")
pyspark = pytest.importorskip("pyspark")

STARTED = "Spark Connect server started"
START_TIMEOUT = 300  # seconds; about 30 s on an idle two-core machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def die_with_us() -> None:
    """In the server's process: end when the test process ends, however it ends (Linux)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def spark_home() -> Path:
    return Path(pyspark.__file__).parent


def launch(command: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    """A Spark process (``command``, under ``nice``) writing to ``log``."""
    with log.open("wb") as out:
        return subprocess.Popen(
            ["nice", "-n", "10", *command], stdout=out, stderr=subprocess.STDOUT, env=env,
            start_new_session=True, preexec_fn=die_with_us,
        )  # fmt: skip


def wait_for(process: subprocess.Popen, log: Path, ready: str) -> None:
    """Until ``log`` says ``ready``; fails if the process ends or takes too long."""
    deadline = time.monotonic() + START_TIMEOUT
    while ready not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"{log.stem} did not start:\n{log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.5)


def stop(daemon: subprocess.Popen) -> None:
    os.killpg(daemon.pid, signal.SIGTERM)
    try:
        daemon.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(daemon.pid, signal.SIGKILL)
        daemon.wait()


def commands(master: int, connect: int) -> dict[str, tuple[list[str], str]]:
    """Each process's command and the line its log says once it is ready: a standalone master,
    one two-core worker, and a Spark Connect server in local mode on two cores."""
    spark_class = str(spark_home() / "bin" / "spark-class")
    return {
        "master": (
            [spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
             "--port", str(master), "--webui-port", str(free_port())],
            "I have been elected leader",
        ),
        "worker": (
            [spark_class, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
             "--cores", "2", "--memory", "2g", "--webui-port", str(free_port()),
             f"spark://127.0.0.1:{master}"],
            "Successfully registered with master",
        ),
        "connect": (
            [str(spark_home() / "bin" / "spark-submit"),
             "--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
             "--master", "local[2]", "--driver-memory", "1g",
             "--conf", f"spark.connect.grpc.binding.port={connect}",
             "--conf", "spark.connect.grpc.binding.address=127.0.0.1",
             "--conf", "spark.driver.host=127.0.0.1",
             "--conf", "spark.driver.bindAddress=127.0.0.1",
             "--conf", "spark.ui.enabled=false",
             "--conf", "spark.sql.shuffle.partitions=2"],
            STARTED,
        ),
    }  # fmt: skip


@pytest.fixture(scope="module")
def spark_servers(tmp_path_factory):
    """``(spark://127.0.0.1:PORT, sc://127.0.0.1:PORT)``: the cluster's master and the Spark
    Connect server, all started at once (their JVMs start side by side), stopped at the end."""
    problem = _java_problem()
    if problem:
        pytest.skip(f"a Spark cluster and a Spark Connect server need Java: {problem}")
    tmp = tmp_path_factory.mktemp("spark")
    env = {**os.environ, "SPARK_HOME": str(spark_home()), "SPARK_LOCAL_IP": "127.0.0.1",
           "SPARK_WORKER_DIR": str(tmp / "work")}  # fmt: skip
    master, connect = free_port(), free_port()
    started = []
    try:
        for name, (command, ready) in commands(master, connect).items():
            started.append((launch(command, tmp / f"{name}.log", env), tmp / f"{name}.log", ready))
        for process, log, ready in started:
            wait_for(process, log, ready)
        yield f"spark://127.0.0.1:{master}", f"sc://127.0.0.1:{connect}"
    finally:
        for process, _, _ in reversed(started):
            stop(process)


@pytest.fixture(scope="module")
def master(spark_servers) -> str:
    return spark_servers[0]


@pytest.fixture(scope="module")
def connect_server(spark_servers) -> str:
    return spark_servers[1]


def cxreport(*args: str) -> subprocess.CompletedProcess:
    """The command as a user runs it, in its own process (its stderr whole, JVM or not)."""
    return subprocess.run(
        [sys.executable, "-m", "generator.cli", *args], capture_output=True, text=True
    )


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.fixture(scope="module")
def on_duckdb() -> str:
    """What ``cxreport score -f json`` of the bundled corpus prints on DuckDB."""
    duck = cxreport("score", "--cases", str(CASES), "-f", "json")
    assert duck.returncode == 0, duck.stderr
    assert '"companies"' in duck.stdout and "complaints" in duck.stdout
    return duck.stdout


def assert_score_as_on_duckdb(on_duckdb: str, *spark_options: str) -> subprocess.CompletedProcess:
    """``cxreport score`` of the bundled corpus on Spark (``--engine spark`` and
    ``spark_options``) prints what it prints on DuckDB; the Spark run, for more checks."""
    on_spark = cxreport("score", "--cases", str(CASES), "-f", "json", "--engine", "spark",
                        *spark_options)  # fmt: skip
    assert on_spark.returncode == 0, on_spark.stderr
    assert on_spark.stdout == on_duckdb
    return on_spark


def test_score_on_spark_connect_prints_what_duckdb_prints(connect_server, on_duckdb):
    remote = assert_score_as_on_duckdb(on_duckdb, "--spark-remote", connect_server)
    assert remote.stderr == ""  # no warnings from PySpark's client either


def test_score_on_a_cluster_prints_what_duckdb_prints(master, on_duckdb, monkeypatch):
    monkeypatch.setenv("SPARK_LOCAL_IP", "127.0.0.1")  # the driver, on this machine only
    on_cluster = assert_score_as_on_duckdb(on_duckdb, "--spark-master", master)
    assert on_cluster.stderr == ""  # the JVM's start-up lines are kept off the terminal


class Relay:
    """A TCP relay to ``target`` that, once the client has sent ``cut_after`` bytes, closes
    every connection and stops listening: to the client, the server has gone away."""

    def __init__(self, target: tuple[str, int], cut_after: int):
        self.target, self.cut_after, self.sent = target, cut_after, 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.cut = threading.Event()
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.cut.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        ends = {client: upstream, upstream: client}
        while not self.cut.is_set():
            ready, _, _ = select.select(list(ends), [], [], 0.2)
            for end in ready:
                data = end.recv(65536) if not self.cut.is_set() else b""
                if not data:  # this connection ended (the client's probe of the port)
                    client.close()
                    upstream.close()
                    return None
                if end is client:
                    self.sent += len(data)
                ends[end].sendall(data)
                if self.sent > self.cut_after:
                    return self.close()

    def close(self) -> None:
        self.cut.set()
        self.listener.close()
        for pair in self.pairs:
            for end in pair:
                end.close()


def test_a_server_that_goes_away_mid_build(connect_server, tmp_path):
    """The build has sent the corpus's incidents (tens of kilobytes) when the server goes."""
    port = int(connect_server.rsplit(":", 1)[1])
    relay = Relay(("127.0.0.1", port), cut_after=20_000)
    site = tmp_path / "site"
    done = cxreport(
        "build", "--cases", str(CASES), "--out", str(site), "--engine", "spark",
        "--spark-remote", f"sc://127.0.0.1:{relay.port}",
    )  # fmt: skip
    relay.close()
    assert relay.sent > 20_000  # it did go away in the middle, after work was sent
    assert done.returncode == 1, done.stderr
    line = one_line(done.stderr)
    assert line.startswith("error: spark: cannot compute ")
    assert not site.exists()


def test_a_metric_spark_connect_cannot_compute(connect_server, monkeypatch):
    bogus = (
        "SELECT company, 'all' AS channel, NULL AS period, "
        "jaro_winkler_similarity(company, 'x') AS value, 1 AS n FROM incidents GROUP BY company"
    )
    metric = Metric("zz_bogus", "company", "share", "test", Custom(lambda rel: bogus))
    monkeypatch.setitem(REGISTRY, "zz_bogus", metric)
    incidents, calls, companies = random_rows()
    engine = SparkEngine(EngineSpec("spark", remote=connect_server))
    try:
        with pytest.raises(EngineError) as caught:
            corpus_measures(incidents, calls, companies, engine=engine)
    finally:
        engine.close()
    message = str(caught.value)
    assert message.startswith("spark: cannot compute the metric zz_bogus: ")
    assert "\n" not in message
