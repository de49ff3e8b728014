"""CFPB import benchmark: a synthetic 1,000,000-row file in the full CFPB layout.

    python bench/bench_import.py [ROWS] [--into csv|store|auto]

Writes the file (CRLF line ends, blank cells, US dates, some multi-line narratives), imports it
into a copy of the bundled corpus, and prints seconds, rows per second and peak memory. With
the default ``auto`` a file of 50 MB or more goes to the incident store (see bench_store.py
for the store at 1 M and 5 M rows); ``--into csv`` measures the CSV path.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.importers import import_cfpb  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HEADER = [
    "Date received",
    "Product",
    "Sub-product",
    "Issue",
    "Sub-issue",
    "Consumer complaint narrative",
    "Company public response",
    "Company",
    "State",
    "ZIP code",
    "Tags",
    "Consumer consent provided?",
    "Submitted via",
    "Date sent to company",
    "Company response to consumer",
    "Timely response?",
    "Consumer disputed?",
    "Complaint ID",
]
COMPANIES = [
    "BANK OF AMERICA, NATIONAL ASSOCIATION",
    "JPMORGAN CHASE & CO.",
    "WELLS FARGO & COMPANY",
    "CITIBANK, N.A.",
    "CAPITAL ONE FINANCIAL CORPORATION",
]
RESPONSES = [
    "Closed with explanation",
    "Closed with monetary relief",
    "Closed with non-monetary relief",
    "Closed without relief",
    "In progress",
]


def write_file(path: Path, rows: int, seed: int = 3) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(HEADER)
        for n in range(rows):
            month, day = rng.randint(1, 12), rng.randint(1, 28)
            narrative = "I called three times.\r\nNobody called back." if n % 10 == 0 else ""
            writer.writerow(
                [
                    f"{month}/{day}/2019",
                    "Checking or savings account",
                    "",
                    "Managing an account",
                    "",
                    narrative,
                    "",
                    rng.choice(COMPANIES),
                    "CA",
                    "90001",
                    "",
                    "",
                    rng.choice(["Web", "Phone", "Referral", "Postal mail", "Email", "Fax"]),
                    f"{month}/{min(day + 1, 28)}/2019",
                    rng.choice(RESPONSES),
                    rng.choice(["Yes", "Yes", "No"]),
                    rng.choice(["Yes", "No", ""]),
                    str(3000000 + n),
                ]
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--into", choices=["auto", "csv", "store"], default="auto")
    options = parser.parse_args()
    rows, into = options.rows, options.into
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "complaints.csv"
        write_file(src, rows)
        corpus = Path(tmp) / "cases"
        shutil.copytree(ROOT / "cases", corpus)
        start = time.perf_counter()
        report = import_cfpb(src, corpus, into=into)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{rows:,} rows ({src.stat().st_size / 1e6:.0f} MB) imported in {seconds:.1f} s "
            f"({rows / seconds:,.0f} rows/s) into {report.target}; {report.accepted:,} rows of "
            f"{sorted(report.per_company)}, {sum(report.unknown_companies.values()):,} rows of "
            f"unknown companies; peak RSS {peak:,.0f} MiB"
        )


if __name__ == "__main__":
    main()
