"""Build benchmark: synthetic corpora of N cases, seconds per stage and bytes per page.

    python bench/bench_build.py [N ...]        (default: 100 1000 5000)

Run by hand; the figures go into the closing notes, never into a timed test.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import write_corpus  # noqa: E402

from generator.pipeline import build_site  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def measure(n_cases: int, workdir: Path) -> dict:
    corpus = write_corpus(workdir / f"corpus-{n_cases}", n_cases, max(5, n_cases // 20))
    start = time.perf_counter()
    report = build_site(
        corpus,
        config=ROOT / "mkdocs.yml",
        out=workdir / f"site-{n_cases}",
        docs_dir=workdir / f"docs-{n_cases}",
    )
    wall = time.perf_counter() - start
    html = [p for p in report.site.rglob("*.html")]
    case_pages = list((report.site / "cases").glob("case-*.html"))
    search = report.site / "search" / "search_index.json"
    total = sum(p.stat().st_size for p in report.site.rglob("*") if p.is_file())
    return {
        "cases": n_cases,
        "pages": len(html),
        "seconds": wall,
        "stages": report.seconds,
        "html_bytes_per_page": sum(p.stat().st_size for p in html) / len(html),
        "case_page_bytes": sum(p.stat().st_size for p in case_pages) / len(case_pages),
        "search_index_bytes": search.stat().st_size,
        "site_bytes": total,
    }


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [100, 1000, 5000]
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            r = measure(n, Path(tmp))
            stages = ", ".join(f"{k} {v:.2f}" for k, v in r["stages"].items())
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"N={r['cases']:>5}: {r['pages']:>5} pages in {r['seconds']:6.1f} s "
                f"({stages}); {r['html_bytes_per_page'] / 1024:.1f} KiB/page "
                f"(case page {r['case_page_bytes'] / 1024:.1f} KiB), search index "
                f"{r['search_index_bytes'] / 1e6:.1f} MB, site {r['site_bytes'] / 1e6:.0f} MB, "
                f"peak RSS so far {peak:.0f} MiB",
                flush=True,
            )


if __name__ == "__main__":
    main()
