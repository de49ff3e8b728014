"""The cost of a company: `cxreport validate` of the bundled corpus plus N synthetic companies,
each with a company file and a small incidents CSV beside it (7 complaints on average, as in a
CFPB extract of a few thousand rows over hundreds of companies).

    python bench/bench_companies.py [N ...] [--score]

Defaults: 500 and 6,000 companies. Each run is a fresh process (`python -m generator.cli`), so
the figure includes start-up, as a user sees it; the bundled corpus alone is measured first.
Each figure is the least CPU time (user + system) of three runs.
With --score, `cxreport score` is timed too. Run by hand; the figures go into bench/README.md.
"""

from __future__ import annotations

import random
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHANNELS = ["web", "phone", "email", "letter", "other"]
RESPONSES = ["Closed with explanation", "Closed with monetary relief", "In progress"]
HEADER = "id,source,date,channel,product,issue,response,timely,disputed\n"


def add_companies(corpus: Path, n: int, seed: int = 3) -> int:
    rng = random.Random(seed)
    rows = 0
    for k in range(n):
        slug = f"synthetic-{k:05d}"
        (corpus / "companies" / f"{slug}.yaml").write_text(
            f"slug: {slug}\nname: Synthetic {k:05d}\nindustry: banking\ncountry: US\n"
            f"incidents_file: {slug}.incidents.csv\n",
            encoding="utf-8",
        )
        lines = []
        for i in range(rng.randint(1, 13)):
            day = f"2016-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            timely, disputed = rng.choice(["yes", "no"]), rng.choice(["yes", "no", ""])
            lines.append(
                f"cfpb-{k}-{i},cfpb,{day},{rng.choice(CHANNELS)},Mortgage,Billing,"
                f"{rng.choice(RESPONSES)},{timely},{disputed}\n"
            )
        rows += len(lines)
        (corpus / "companies" / f"{slug}.incidents.csv").write_text(
            HEADER + "".join(lines), encoding="utf-8"
        )
    return rows


def timed(*args: str, repeat: int = 3) -> float:
    """The least CPU time (user + system) of ``repeat`` runs of the command: on a shared
    machine wall-clock time measures the neighbours, CPU time the command."""
    best = float("inf")
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(
            [sys.executable, "-m", "generator.cli", *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best = min(best, cpu)
    return best


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:] if a.isdigit()] or [500, 6_000]
    score = "--score" in sys.argv
    with tempfile.TemporaryDirectory() as tmp:
        bundled = Path(tmp) / "bundled"
        shutil.copytree(ROOT / "cases", bundled)
        base = timed("validate", str(bundled))
        print(f"bundled corpus: validate {base:.1f} s of CPU")
        for n in sizes:
            corpus = Path(tmp) / f"c{n}"
            shutil.copytree(ROOT / "cases", corpus)
            rows = add_companies(corpus, n)
            seconds = timed("validate", str(corpus))
            line = (
                f"{n:,} companies ({rows:,} incident rows in {n:,} CSV files): validate "
                f"{seconds:.1f} s of CPU ({seconds / base:.1f} x the bundled corpus)"
            )
            if score:
                cpu = timed("score", "--cases", str(corpus), "-f", "csv", repeat=1)
                line += f"; score {cpu:.1f} s of CPU"
            print(line, flush=True)


if __name__ == "__main__":
    main()
