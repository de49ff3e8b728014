"""Engine benchmark: every registered company metric over a synthetic CFPB-sized Parquet file,
on DuckDB in-process and on Spark in local mode, and whether both give the same figures.

    python bench/bench_engines.py [ROWS] [COMPANIES] [--engines duckdb,spark] [--cores N]

Defaults: 14,000,000 rows over 6,000 companies (the full CFPB database) and both engines on
every core. Rows are made by DuckDB straight into Parquet (never through pandas): dates over
twelve years, a Zipf-like spread of complaints over companies, fractional reply times on six
channels, CFPB responses and flags. Run by hand; the figures go into bench/README.md.
"""

from __future__ import annotations

import math
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.measure import company_metrics  # noqa: E402
from generator.measure.engines import (  # noqa: E402
    DuckDBEngine,
    EngineSpec,
    SparkEngine,
    start_spark,
)

QUANTILES = {"first_reply_median", "first_reply_p90", "response_days_median", "channel_fairness"}

SYNTH = """
COPY (
  SELECT 'company-' || CAST(floor(pow(random(), 4) * {companies}) AS INT) AS company,
         'cfpb-' || i AS id, 'cfpb' AS source,
         DATE '2011-12-01' + CAST(floor(random() * 4400) AS INT) AS date,
         ['web', 'phone', 'email', 'social', 'letter', 'other']
           [1 + CAST(floor(random() * 6) AS INT)] AS channel,
         ['Mortgage', 'Credit card', 'Debt collection'][1 + CAST(floor(random() * 3) AS INT)]
           AS product,
         ['Billing', 'Fees', 'Service'][1 + CAST(floor(random() * 3) AS INT)] AS issue,
         CASE WHEN random() < 0.7 THEN -600 * ln(1 - random()) END AS reply_minutes,
         CASE WHEN random() < 0.9 THEN floor(random() * 30) END AS response_days,
         CAST(NULL AS DOUBLE) AS forwarded_days,
         ['Closed with explanation', 'Closed with monetary relief',
          'Closed with non-monetary relief', 'In progress', 'Untimely response']
           [1 + CAST(floor(random() * 5) AS INT)] AS response,
         CAST(NULL AS BOOLEAN) AS resolved, random() < 0.97 AS timely,
         CAST(NULL AS BOOLEAN) AS escalated,
         CASE WHEN random() < 0.5 THEN random() < 0.2 END AS disputed,
         CAST(NULL AS VARCHAR) AS text
  FROM range({rows}) t(i)
) TO '{path}' (FORMAT parquet)
"""


def synth(path: Path, rows: int, companies: int) -> None:
    with duckdb.connect() as con:
        con.execute("SELECT setseed(0.2)")
        con.execute(SYNTH.format(rows=rows, companies=companies, path=path))


def run(engine, parquet: Path):
    start = time.perf_counter()
    long = company_metrics(f"read_parquet(['{parquet}'])", engine, recent_days=60)
    return long, time.perf_counter() - start


def compare(a, b) -> str:
    keys = ["company", "metric", "channel", "period"]
    joined = a.merge(b, on=keys, how="outer", suffixes=("_d", "_s"), indicator=True)
    if not (joined["_merge"] == "both").all() or not (joined["n_d"] == joined["n_s"]).all():
        return "rows or counts differ"
    exact = joined["metric"].isin(QUANTILES)
    bad = 0
    for d, s, q in zip(joined["value_d"], joined["value_s"], exact, strict=True):
        if d != d or s != s:
            bad += (d != d) != (s != s)
        elif not (d == s if q else math.isclose(d, s, rel_tol=1e-12)):
            bad += 1
    return f"{len(joined):,} figures, {bad} differ (quantiles compared to the last bit)"


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    flags = dict(a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("--") and "=" in a)
    rows = int(args[0]) if args else 14_000_000
    companies = int(args[1]) if len(args) > 1 else 6_000
    engines = flags.get("engines", "duckdb,spark").split(",")
    cores = int(flags.get("cores", os.cpu_count() or 2))
    with tempfile.TemporaryDirectory() as tmp:
        parquet = Path(tmp) / "incidents.parquet"
        t = time.perf_counter()
        synth(parquet, rows, companies)
        size = parquet.stat().st_size / 1e6
        print(f"synthesised {rows:,} rows, {companies:,} companies into Parquet ({size:.0f} MB) "
              f"in {time.perf_counter() - t:.1f} s")
        results = {}
        if "duckdb" in engines:
            con = duckdb.connect(config={"threads": cores})
            long, seconds = run(DuckDBEngine(con), parquet)
            results["duckdb"] = long
            print(f"duckdb ({cores} threads): {len(long):,} figures in {seconds:.1f} s; "
                  f"peak RSS of this process {peak_mib():.0f} MiB")
        if "spark" in engines:
            t = time.perf_counter()
            memory = {"spark.driver.memory": flags.get("spark-memory", "8g")}
            session, _ = start_spark(EngineSpec("spark"), cores=cores, conf=memory)
            started = time.perf_counter() - t
            long, seconds = run(SparkEngine(session=session), parquet)
            results["spark"] = long
            print(f"spark local[{cores}]: started in {started:.1f} s; {len(long):,} figures in "
                  f"{seconds:.1f} s")
            session.stop()
        if len(results) == 2:
            print("same figures:", compare(results["duckdb"], results["spark"]))


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
