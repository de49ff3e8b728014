"""An engine that cannot start or whose address does not answer: one line naming the engine,
exit 1, nothing written; contradictory options exit 2. No Spark session is started here."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading

import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.errors import EngineError
from generator.measure.dialect import translate
from generator.measure.engines import EngineSpec, start_spark

runner = CliRunner()


def one_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_master_that_does_not_answer(corpus):
    result = runner.invoke(
        app,
        [
            "score",
            "--cases",
            str(corpus),
            "--engine",
            "spark",
            "--spark-master",
            "spark://127.0.0.1:9",
        ],
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    assert one_line(result).startswith("error: spark: spark://127.0.0.1:9 does not answer")


def test_a_spark_connect_address_that_does_not_answer(corpus, tmp_path):
    site = tmp_path / "site"
    result = runner.invoke(
        app,
        [
            "build",
            "--cases",
            str(corpus),
            "--out",
            str(site),
            "--engine",
            "spark",
            "--spark-remote",
            "sc://127.0.0.1:9",
        ],
    )
    assert result.exit_code == 1
    assert "spark: sc://127.0.0.1:9 does not answer" in one_line(result)
    assert not site.exists()


class QuietHTTP(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the test reads stderr: the error line only
        pass


def test_a_spark_connect_address_that_is_not_spark_connect(corpus, tmp_path):
    """A port that answers, but in HTTP/1.1: refused within seconds (Spark Connect's client
    would retry for ten minutes), one line naming the engine and what answered there."""
    pytest.importorskip("grpc", reason="Spark Connect's client needs the `spark` extra (grpcio)")
    pytest.importorskip("pyspark")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), QuietHTTP)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    address = f"sc://127.0.0.1:{server.server_address[1]}"
    site = tmp_path / "site"
    try:
        result = runner.invoke(
            app,
            [
                "build",
                "--cases",
                str(corpus),
                "--out",
                str(site),
                "--engine",
                "spark",
                "--spark-remote",
                address,
            ],
        )
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 1
    line = one_line(result)
    assert line.startswith(f"error: spark: {address} is not a Spark Connect server that answers")
    assert "HTTP/2" in line  # gRPC's own reason: what answered does not speak HTTP/2
    assert not site.exists()


def test_a_spark_that_cannot_start(corpus, monkeypatch, tmp_path):
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    if SparkSession.getActiveSession() is not None:
        pytest.skip("a Spark session is running in this process")
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-java"))
    with pytest.raises(EngineError, match=r"^spark: could not start: JAVA_HOME=.* no bin/java"):
        start_spark(EngineSpec("spark"))
    result = runner.invoke(app, ["score", "--cases", str(corpus), "--engine", "spark"])
    assert result.exit_code == 1
    assert one_line(result).startswith("error: spark: could not start")



def test_what_a_failing_jvm_prints_is_in_the_error_line_only(corpus, tmp_path):
    """The JVM's own output (here a Java that cannot start) is kept off the terminal and
    quoted in the one error line."""
    pytest.importorskip("pyspark")
    java = tmp_path / "java-home" / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text(
        "#!/bin/sh\necho 'Error: Could not create the Java Virtual Machine.' >&2\nexit 1\n"
    )
    java.chmod(0o755)
    env = {**os.environ, "JAVA_HOME": str(java.parent.parent)}
    env.pop("SPARK_HOME", None)
    done = subprocess.run(
        [sys.executable, "-m", "generator.cli", "score", "--cases", str(corpus), "--engine",
         "spark"], capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: spark: could not start: ")
    assert "Java said: Error: Could not create the Java Virtual Machine." in lines[0]

def test_spark_options_need_the_spark_engine(corpus):
    result = runner.invoke(
        app, ["score", "--cases", str(corpus), "--spark-master", "spark://127.0.0.1:9"]
    )
    assert result.exit_code == 2
    expected = "error: duckdb: --spark-master and --spark-remote need --engine spark"
    assert one_line(result) == expected


def test_quantiles_are_spelt_out_the_same_way_for_both_engines():
    duck = translate("SELECT quantile_cont(x, 0.9) FROM t", "duckdb")
    spark = translate("SELECT quantile_cont(x, 0.9) FROM t", "spark")
    assert "QUANTILE" not in duck.upper() and "PERCENTILE" not in spark.upper()
    assert "LIST_SORT" in duck.upper() and "ARRAY_SORT" in spark.upper()


def test_a_date_minus_a_date_is_days_on_spark_too():
    """DuckDB subtracts dates to a number of days, Spark to an interval: the translation
    spells it ``datediff`` (a date minus an interval stays as it is)."""
    sql = (
        "SELECT least(last_day(m), s1) - greatest(m, s0) + 1 AS days, "
        "CAST(d AS DATE) - INTERVAL 1 MONTH AS before FROM t"
    )
    spark = translate(sql, "spark").upper()
    assert "DATEDIFF(LEAST(LAST_DAY(M), S1), GREATEST(M, S0)) + 1" in spark
    assert "- INTERVAL '1' MONTH" in spark
    assert "DATEDIFF" not in translate(sql, "duckdb").upper()
