"""A Spark standalone cluster for real: a master and one worker (PySpark's own jars, on free
loopback ports, started once for this module, stopped at the end) run ``cxreport score
--engine spark --spark-master spark://127.0.0.1:PORT``, which prints what DuckDB prints."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from generator.measure.engines import _java_problem

from .test_spark_connect import (
    START_TIMEOUT,
    assert_score_as_on_duckdb,
    die_with_us,
    free_port,
    spark_home,
)

pytestmark = pytest.mark.slow


def start(args: list[str], log: Path, ready: str, env: dict[str, str]) -> subprocess.Popen:
    """A Spark daemon (``spark-class`` ARGS) once its log says ``ready``."""
    with log.open("wb") as out:
        daemon = subprocess.Popen(
            ["nice", "-n", "10", str(spark_home() / "bin" / "spark-class"), *args],
            stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True,
            preexec_fn=die_with_us,
        )  # fmt: skip
    deadline = time.monotonic() + START_TIMEOUT
    while ready not in log.read_text(errors="replace"):
        if daemon.poll() is not None or time.monotonic() > deadline:
            stop(daemon)
            pytest.fail(f"{args[0]} did not start:\n{log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.5)
    return daemon


def stop(daemon: subprocess.Popen) -> None:
    os.killpg(daemon.pid, signal.SIGTERM)
    try:
        daemon.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(daemon.pid, signal.SIGKILL)
        daemon.wait()


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    """``spark://127.0.0.1:PORT`` of a standalone master with one two-core worker."""
    problem = _java_problem()
    if problem:
        pytest.skip(f"a Spark cluster needs Java: {problem}")
    tmp = tmp_path_factory.mktemp("cluster")
    env = {**os.environ, "SPARK_HOME": str(spark_home()), "SPARK_LOCAL_IP": "127.0.0.1",
           "SPARK_WORKER_DIR": str(tmp / "work")}  # fmt: skip
    port = free_port()
    url = f"spark://127.0.0.1:{port}"
    daemons = [
        start(
            ["org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
             str(port), "--webui-port", str(free_port())],
            tmp / "master.log", "I have been elected leader", env,
        )
    ]  # fmt: skip
    try:
        daemons.append(
            start(
                ["org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "2",
                 "--memory", "2g", "--webui-port", str(free_port()), url],
                tmp / "worker.log", "Successfully registered with master", env,
            )
        )  # fmt: skip
        yield url
    finally:
        for daemon in reversed(daemons):
            stop(daemon)


def test_score_on_a_cluster_prints_what_duckdb_prints(master, monkeypatch):
    monkeypatch.setenv("SPARK_LOCAL_IP", "127.0.0.1")  # the driver, on this machine only
    assert_score_as_on_duckdb("--spark-master", master)
