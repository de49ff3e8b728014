"""Company-metric benchmark: every registered company metric over synthetic complaint rows,
in-process over a DataFrame and over a Parquet file from a DuckDB database file.

    python bench/bench_company_metrics.py [ROWS] [COMPANIES]

Defaults: 2,000,000 rows over 500 companies and six years. Run by hand; the figures go into
the closing notes. The same SQL text runs in both modes, which is the point of the check.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.measure import company_metrics, register_frame  # noqa: E402
from generator.measure.company_table import INCIDENT_TYPES  # noqa: E402

RESPONSES = [
    "Closed with explanation",
    "Closed with monetary relief",
    "Closed with non-monetary relief",
    "Closed without relief",
    "In progress",
    "Untimely response",
]
CHANNELS = ["web", "phone", "email", "social", "letter", "other"]


def synth(rows: int, companies: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = np.datetime64("2018-01-01")
    days = rng.integers(0, 6 * 365, rows)
    company = rng.zipf(1.3, rows) % companies
    return pd.DataFrame(
        {
            "company": pd.Series(company).map(lambda k: f"company-{k}"),
            "id": np.char.add("cfpb-", np.arange(rows).astype(str)),
            "source": "cfpb",
            "date": (start + days.astype("timedelta64[D]")).astype("datetime64[ns]"),
            "channel": rng.choice(CHANNELS, rows),
            "product": rng.choice(["Mortgage", "Credit card", "Debt collection"], rows),
            "issue": rng.choice(["Billing", "Fees", "Service"], rows),
            "reply_minutes": rng.exponential(600, rows),
            "response": rng.choice(RESPONSES, rows, p=[0.6, 0.08, 0.15, 0.1, 0.04, 0.03]),
            "timely": rng.random(rows) < 0.97,
            "disputed": np.where(rng.random(rows) < 0.5, rng.random(rows) < 0.2, None),
        }
    )


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000
    companies = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    t = time.perf_counter()
    frame = synth(rows, companies)
    print(f"synthesised {rows:,} rows in {time.perf_counter() - t:.1f} s")

    con = duckdb.connect()
    t = time.perf_counter()
    register_frame(con, "incidents", frame, INCIDENT_TYPES)
    long = company_metrics("incidents", con)
    in_process = time.perf_counter() - t
    print(f"in-process: {len(long):,} figures in {in_process:.1f} s")

    with tempfile.TemporaryDirectory() as tmp:
        parquet = Path(tmp) / "incidents.parquet"
        con.execute(f"COPY incidents TO '{parquet}' (FORMAT parquet)")
        con.close()
        del frame
        store = duckdb.connect(str(Path(tmp) / "store.duckdb"))
        t = time.perf_counter()
        again = company_metrics(f"read_parquet('{parquet}')", store)
        from_parquet = time.perf_counter() - t
        store.close()
        size = parquet.stat().st_size
    same = len(again) == len(long)
    print(f"over Parquet ({size / 1e6:.0f} MB): {len(again):,} figures in {from_parquet:.1f} s")
    print(f"same figures: {same}; peak RSS {peak_mb():.0f} MB")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
