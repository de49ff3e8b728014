"""Incident store benchmark: synthetic CFPB exports into the DuckDB/Parquet store, then the
per-company summary in SQL; time and peak memory of each step, for several file sizes.

    python bench/bench_store.py [ROWS ...]        (default: 1000000 5000000)

Each size runs in a fresh process (peak RSS is per process): write the CSV (full CFPB layout,
CRLF, blank cells, US dates, multi-line narratives, 60 companies under two name eras), import it
into a copy of the bundled corpus with ``--into store --unknown create``, import it again (every
row unchanged: nothing written), then compute the company metrics over the store. Memory should
not grow with the file: DuckDB works under a 1 GB limit and the reader holds one chunk.
"""

from __future__ import annotations

import csv
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_import import HEADER, RESPONSES  # noqa: E402

FIRMS = [f"FIRST LENDER NUMBER {n:02d}" for n in range(56)] + [
    "BANK OF AMERICA, NATIONAL ASSOCIATION",
    "JPMORGAN CHASE & CO.",
    "EQUIFAX, INC.",
    "WELLS FARGO & COMPANY",
]
PRODUCTS = ["Credit reporting", "Debt collection", "Mortgage", "Checking or savings account"]


def write_file(path: Path, rows: int, seed: int = 5) -> None:
    """A CFPB-layout CSV; older rows spell the companies in mixed case, as CFPB once did."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(HEADER)
        for n in range(rows):
            year, month, day = rng.randint(2012, 2024), rng.randint(1, 12), rng.randint(1, 28)
            firm = rng.choice(FIRMS)
            narrative = "I called three times.\r\nNobody called back." if n % 10 == 0 else ""
            writer.writerow(
                [
                    f"{month}/{day}/{year}",
                    rng.choice(PRODUCTS),
                    "",
                    "Managing an account",
                    "",
                    narrative,
                    "",
                    firm.title() if year < 2017 else firm,
                    "CA",
                    "90001",
                    "",
                    "Consent provided" if narrative else "",
                    rng.choice(["Web", "Phone", "Referral", "Postal mail", "Email", "Fax"]),
                    f"{month}/{min(day + 1, 28)}/{year}",
                    rng.choice(RESPONSES),
                    rng.choice(["Yes", "Yes", "No"]),
                    rng.choice(["Yes", "No", ""]),
                    str(3_000_000 + n),
                ]
            )


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(src: Path, corpus: Path) -> dict:
    """In the child process: import twice, summarise; seconds and peak RSS after each step."""
    from generator.importers import import_cfpb
    from generator.load.incidents.store import store_root
    from generator.load.tables import empty_incidents
    from generator.measure import company_metrics
    from generator.measure.engines import DuckDBEngine, register_incidents

    figures: dict = {"rows": 0}
    start = time.perf_counter()
    report = import_cfpb(src, corpus, into="store", unknown="create")
    figures |= {"import_s": time.perf_counter() - start, "import_peak_mib": peak_mib()}
    figures["rows"] = report.total("added")
    figures["companies"] = len(report.per_company)
    start = time.perf_counter()
    again = import_cfpb(src, corpus)
    figures["reimport_s"] = time.perf_counter() - start
    figures["reimport_unchanged"] = again.total("unchanged")
    start = time.perf_counter()
    engine = DuckDBEngine()  # every registered company metric over the store's rows
    register_incidents(engine, empty_incidents(), corpus)
    metrics = company_metrics("incidents", engine)
    figures["summary_s"] = time.perf_counter() - start
    figures["summary_rows"] = len(metrics)
    figures["peak_mib"] = peak_mib()
    parquet = sum(p.stat().st_size for p in store_root(corpus).rglob("part-*.parquet"))
    figures["parquet_mb"] = parquet / 1e6
    return figures


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(measure(Path(sys.argv[2]), Path(sys.argv[3]))))
        return
    sizes = [int(a) for a in sys.argv[1:]] or [1_000_000, 5_000_000]
    for rows in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            src, corpus = Path(tmp) / "complaints.csv", Path(tmp) / "cases"
            write_file(src, rows)
            shutil.copytree(ROOT / "cases", corpus)
            child = [sys.executable, __file__, "--child", str(src), str(corpus)]
            result = subprocess.run(child, capture_output=True, text=True, check=True)
            f = json.loads(result.stdout.strip().splitlines()[-1])
            print(
                f"{rows:,} rows ({src.stat().st_size / 1e6:,.0f} MB CSV): import "
                f"{f['import_s']:.1f} s ({rows / f['import_s']:,.0f} rows/s, peak RSS "
                f"{f['import_peak_mib']:,.0f} MiB) -> {f['parquet_mb']:,.0f} MB Parquet, "
                f"{f['companies']} companies; re-import {f['reimport_s']:.1f} s "
                f"({f['reimport_unchanged']:,} unchanged); per-company summary "
                f"{f['summary_s']:.1f} s ({f['summary_rows']:,} figures); "
                f"peak RSS overall {f['peak_mib']:,.0f} MiB",
                flush=True,
            )


if __name__ == "__main__":
    main()
