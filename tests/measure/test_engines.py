"""Every registered company metric gives the same numbers on DuckDB and on a real local Spark:
over the bundled corpus, over the shared CFPB extract imported into the incident store (so
Spark reads the Parquet files itself), and over random rows that exercise every metric.
Quantiles and the bounds of their intervals (values of the rows) are equal to the last bit;
sums of fractional doubles, whose order each engine chooses, and the Wilson intervals of
shares, to 12 significant digits."""

from __future__ import annotations

import math
import random
import shutil
import subprocess
import sys
from datetime import date, timedelta

import pandas as pd
import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.errors import EngineError
from generator.load.models import Company
from generator.measure import REGISTRY, corpus_measures, metrics
from generator.measure.company import Custom
from generator.measure.engines import EngineSpec, SparkEngine, start_spark
from generator.measure.registry import Metric
from generator.pipeline import load

from ..conftest import CASES, SHARED_DATA

pytestmark = pytest.mark.slow
pytest.importorskip("pyspark")

QUANTILES = {"first_reply_median", "first_reply_p90", "response_days_median", "channel_fairness"}
KEYS = ["company", "metric", "channel", "period"]
COVERED: set[str] = set()


@pytest.fixture(scope="module")
def spark():
    session, _ = start_spark(EngineSpec("spark"), cores=2)
    session.conf.set("spark.sql.shuffle.partitions", "2")
    yield session
    session.stop()


def both(spark, incidents, calls, companies, root=None, recent_days=60):
    args = (incidents, calls, companies, recent_days, 30, root)
    duck = corpus_measures(*args).figures
    on_spark = corpus_measures(*args, engine=SparkEngine(session=spark)).figures
    return duck, on_spark


def same(d: float, s: float, exact: bool) -> bool:
    if pd.isna(d) or pd.isna(s):
        return bool(pd.isna(d) and pd.isna(s))
    return d == s if exact else math.isclose(d, s, rel_tol=1e-12)


def assert_same(duck: pd.DataFrame, on_spark: pd.DataFrame) -> None:
    assert len(duck) > 0
    joined = duck.merge(on_spark, on=KEYS, how="outer", suffixes=("_d", "_s"), indicator=True)
    assert (joined["_merge"] == "both").all(), joined[joined["_merge"] != "both"][KEYS]
    assert (joined["n_d"] == joined["n_s"]).all()
    assert (joined["industry_companies_d"] == joined["industry_companies_s"]).all()
    for row in joined.itertuples():
        exact = row.metric in QUANTILES  # to the last bit
        assert same(row.value_d, row.value_s, exact), row
        # an interval's bounds are values of the rows (quantiles) or a formula (shares)
        assert same(row.lo_d, row.lo_s, exact), row
        assert same(row.hi_d, row.hi_s, exact), row
        assert same(row.industry_median_d, row.industry_median_s, exact), row
    COVERED.update(duck["metric"])


def test_bundled_corpus(spark, bundled):
    """Also: the bundled corpus is small, so Spark reads it in one partition and runs each of
    ``corpus_measures``' four queries (the metrics, the mix, the clocks, the sources) as one
    job, where broadcasts and adaptive stages made the metrics alone dozens of jobs; and
    leaves the session's settings as they were."""
    tracker, group = spark.sparkContext.statusTracker(), "cx-bundled"
    before = spark.conf.get("spark.sql.shuffle.partitions")
    spark.sparkContext.setLocalProperty("spark.jobGroup.id", group)
    try:
        duck, on_spark = both(
            spark, bundled.incidents, bundled.calls, bundled.companies, bundled.root
        )
    finally:
        spark.sparkContext.setLocalProperty("spark.jobGroup.id", None)
    assert_same(duck, on_spark)
    assert {"answered_60s_share", "complaints_monthly", "call_wait_p90"} <= set(duck["metric"])
    jobs = [tracker.getJobInfo(j) for j in tracker.getJobIdsForGroup(group)]
    assert len(jobs) == 4, jobs
    assert spark.conf.get("spark.sql.shuffle.partitions") == before


def test_cfpb_extract_in_the_store(spark, tmp_path):
    raw = SHARED_DATA / "cfpb_complaints_2013_lowercase.csv"
    if not raw.exists():
        pytest.skip("shared CFPB extract not available")
    root = tmp_path / "cases"
    shutil.copytree(CASES, root)
    done = subprocess.run(
        [sys.executable, "-m", "generator.cli", "import", "cfpb", str(raw), "--cases", str(root),
         "--unknown", "create", "--into", "store"],
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr
    assert (root / "companies" / "_incidents" / "manifest.json").is_file()
    corpus = load(root)
    assert len(corpus.companies) > 150
    # The extract spans 46 days: with the usual 60-day window nothing is settled, so the
    # response figures are compared with no window as well.
    for days in (60, 0):
        duck, on_spark = both(
            spark, corpus.incidents, corpus.calls, corpus.companies, corpus.root, days
        )
        assert_same(duck, on_spark)
    assert {"timely_share", "relief_share", "disputed_share"} <= set(duck["metric"])


def random_rows(seed: int = 20) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Company]]:
    """Two years of complaints for three companies, with fractional reply times on every
    channel, CFPB-style responses, flags with gaps, and a daily call table."""
    rng = random.Random(seed)
    channels = ["phone", "social", "email", "web"]
    responses = [
        "Closed with monetary relief", "Closed with non-monetary relief",
        "Closed with explanation", "In progress", "Untimely response", None,
    ]
    rows = []
    for company in ("alpha", "beta", "gamma"):
        for i in range(rng.randint(300, 500)):
            day = date(2015, 1, 1) + timedelta(days=rng.randint(0, 760))
            flag = lambda: rng.choice([True, False, None])  # noqa: E731
            rows.append({
                "company": company, "id": f"{company}-{i}",
                "source": rng.choice(["cfpb", "tickets", None]),
                "date": day, "channel": rng.choice(channels),
                "product": rng.choice(["Mortgage", "Card", None]), "issue": "Billing",
                "reply_minutes": rng.choice([None, rng.random() * 3000, rng.randint(0, 90)]),
                "response_days": rng.choice([None, rng.random() * 30]),
                "forwarded_days": None, "response": rng.choice(responses),
                "resolved": flag(), "timely": flag(), "escalated": None, "disputed": flag(),
                "text": None,
            })
    calls = pd.DataFrame([
        {"company": "gamma", "date": date(2016, 3, 1) + timedelta(days=d), "queue": q,
         "offered": float(rng.randint(50, 900)), "answered": None,
         "abandoned": float(rng.randint(0, 40)), "wait_median_s": rng.random() * 100,
         "wait_p90_s": rng.random() * 600, "handle_median_s": None,
         "answered_60s": float(rng.randint(0, 40))}
        for d in range(40) for q in ("retail", "business")
    ])
    sizes = {"alpha": 120_000, "beta": None, "gamma": 3_000_000}
    companies = {
        slug: Company.model_validate({
            "slug": slug, "name": slug.title(), "industry": "banking", "country": "US",
            **({"size": {"customers": n}} if n else {}),
        })
        for slug, n in sizes.items()
    }
    return pd.DataFrame(rows), calls, companies


def test_random_rows_exercise_every_metric(spark):
    incidents, calls, companies = random_rows()
    duck, on_spark = both(spark, incidents, calls, companies)
    assert_same(duck, on_spark)
    fractional = duck[duck["metric"].isin(QUANTILES)]["value"]
    assert (fractional % 1 != 0).any()  # real interpolation, not whole numbers


def test_every_registered_company_metric_was_compared():
    """Runs after the comparisons above (pytest keeps file order)."""
    if not COVERED:
        pytest.skip("no comparison ran")
    assert {m.id for m in metrics("company")} - COVERED == set()


def test_a_metric_spark_cannot_compute_is_one_line(spark, monkeypatch):
    bogus = "SELECT company, 'all' AS channel, NULL AS period, " \
        "jaro_winkler_similarity(company, 'x') AS value, 1 AS n FROM incidents GROUP BY company"
    metric = Metric("zz_bogus", "company", "share", "test", Custom(lambda rel: bogus))
    monkeypatch.setitem(REGISTRY, "zz_bogus", metric)
    incidents, calls, companies = random_rows()
    corpus_measures(incidents, calls, companies)  # DuckDB has the function
    with pytest.raises(EngineError) as caught:
        corpus_measures(incidents, calls, companies, engine=SparkEngine(session=spark))
    message = str(caught.value)
    assert message.startswith("spark: cannot compute the metric zz_bogus: ")
    assert "\n" not in message


def test_score_on_spark_prints_what_duckdb_prints(spark):
    runner = CliRunner()
    duck = runner.invoke(app, ["score", "--cases", str(CASES), "-f", "json"])
    on_spark = runner.invoke(app, ["score", "--cases", str(CASES), "-f", "json",
                                   "--engine", "spark"])
    assert duck.exit_code == 0 and on_spark.exit_code == 0, on_spark.output
    assert on_spark.stdout == duck.stdout
