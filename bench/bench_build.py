"""Build benchmark: synthetic corpora of N cases, seconds per stage and bytes per page, beside
Hugo building the same number of plain pages in the same run.

    python bench/bench_build.py [N ...]        (default: 100 1000 5000)

For each N: the full build (every language edition, worker processes on every core, the build
cache beside the site empty), the same build again (the cache warm: compiled templates and
every page's render and Markdown conversion), then a rebuild after one case's title is edited,
once with the render and page caches off (every page rendered and converted) and once with
them (the incremental build: only the pages whose template values changed are rendered, only
those whose Markdown changed converted), then Hugo
(Debian's `hugo`) over as many plain Markdown pages as the site has HTML pages, and the ratio
of the two wall times. CPU times (this process and its workers) are printed beside the wall
times: on a shared machine they are the figures to compare. Run by hand; the figures go into
bench/README.md, never into a timed test.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import write_corpus  # noqa: E402

from generator import pipeline  # noqa: E402
from generator.pipeline import build_site  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

HUGO_LAYOUT = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{{ .Title }}</title></head><body><nav>{{ range .Site.Menus.main }}<a href="{{ .URL }}">
{{ .Name }}</a>{{ end }}</nav><main>{{ .Content }}</main></body></html>
"""


def cpu() -> float:
    """CPU seconds of this process and its finished children (the build's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed_build(
    corpus: Path, out: Path, docs: Path, page_cache: bool = True
) -> tuple[float, float, object]:
    start, used = time.perf_counter(), cpu()
    pipeline.PAGE_CACHE = pipeline.RENDER_CACHE = page_cache  # the forked workers inherit them
    try:
        report = build_site(corpus, config=ROOT / "mkdocs.yml", out=out, docs_dir=docs)
    finally:
        pipeline.PAGE_CACHE = pipeline.RENDER_CACHE = True
    return time.perf_counter() - start, cpu() - used, report


def hugo(pages: int, workdir: Path) -> tuple[float, float]:
    """Hugo over ``pages`` plain pages (a paragraph and a list each, a one-file layout):
    wall and CPU seconds of `hugo --quiet`."""
    site = workdir / "hugo"
    shutil.rmtree(site, ignore_errors=True)
    (site / "content" / "cases").mkdir(parents=True)
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "config.toml").write_text('baseURL = "https://example.org/"\ntitle = "bench"\n')
    for kind in ("single", "list"):
        (site / "layouts" / "_default" / f"{kind}.html").write_text(HUGO_LAYOUT)
    for n in range(pages):
        (site / "content" / "cases" / f"case-{n:05d}.md").write_text(
            f'---\ntitle: "Case {n}"\n---\n\nA case study, number {n}, in **plain** Markdown.\n\n'
            "- one\n- two\n- three\n\n## Timeline\n\nWhat happened, and when.\n"
        )
    start = time.perf_counter()
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(["hugo", "--quiet", "-s", str(site), "-d", str(site / "public")], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = (after.ru_utime + after.ru_stime) - (kids.ru_utime + kids.ru_stime)
    return time.perf_counter() - start, used


def edit_one_case(corpus: Path) -> None:
    """A new title for the first case (its page, its company's, the lists and feeds change)."""
    case = sorted((corpus / "studies").glob("*.yaml"))[0]
    lines = case.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("title:"))
    lines[at] = "title: An edited title for the benchmark\n"
    case.write_text("".join(lines), encoding="utf-8")


def measure(n_cases: int, workdir: Path) -> dict:
    corpus = write_corpus(workdir / f"corpus-{n_cases}", n_cases, max(5, n_cases // 20))
    out, docs = workdir / f"site-{n_cases}", workdir / f"docs-{n_cases}"
    wall, used, report = timed_build(corpus, out, docs)
    again, again_used, _ = timed_build(corpus, out, docs)
    edit_one_case(corpus)
    # the edit built without the render and page caches (every page rendered and converted,
    # as before them), then with them (they hold every page but the edited ones: the first
    # build wrote nothing)
    off, off_used, uncached = timed_build(corpus, out, docs, page_cache=False)
    edited, edited_used, edited_report = timed_build(corpus, out, docs)
    html = list(report.site.rglob("*.html"))
    hugo_wall, hugo_cpu = hugo(len(html), workdir) if shutil.which("hugo") else (0.0, 0.0)
    return {
        "cases": n_cases,
        "pages": len(html),
        "seconds": wall,
        "cpu": used,
        "again": again,
        "again_cpu": again_used,
        "edited": edited,
        "edited_cpu": edited_used,
        "edited_stages": edited_report.seconds,
        "edited_work": edited_report.work,
        "uncached_work": uncached.work,
        "uncached": off,
        "uncached_cpu": off_used,
        "stages": report.seconds,
        "work": report.work,
        "html_bytes_per_page": sum(p.stat().st_size for p in html) / len(html),
        "hugo": hugo_wall,
        "hugo_cpu": hugo_cpu,
    }


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [100, 1000, 5000]
    print(f"load average at start: {os.getloadavg()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            r = measure(n, Path(tmp))
            stages = ", ".join(f"{k} {v:.1f}" for k, v in r["stages"].items())
            work = ", ".join(f"{k} {v:.1f}" for k, v in r["work"].items())
            edited = ", ".join(f"{k} {v:.1f}" for k, v in r["edited_stages"].items())
            edited_work = ", ".join(f"{k} {v:.1f}" for k, v in r["edited_work"].items())
            off_work = ", ".join(f"{k} {v:.1f}" for k, v in r["uncached_work"].items())
            ratio = r["seconds"] / r["hugo"] if r["hugo"] else float("nan")
            print(
                f"N={r['cases']}: {r['pages']} pages in {r['seconds']:.1f} s wall, "
                f"{r['cpu']:.1f} s CPU ({stages}; workers: {work}); again (cache warm) "
                f"{r['again']:.1f} s wall, {r['again_cpu']:.1f} s CPU; one case edited "
                f"{r['edited']:.1f} s wall, {r['edited_cpu']:.1f} s CPU ({edited}; workers: "
                f"{edited_work}); the same edit with the caches off {r['uncached']:.1f} s "
                f"wall, {r['uncached_cpu']:.1f} s CPU (workers: {off_work}); "
                f"{r['html_bytes_per_page'] / 1024:.1f} KiB/page; Hugo, {r['pages']} plain "
                f"pages: {r['hugo']:.2f} s wall, {r['hugo_cpu']:.2f} s CPU; "
                f"ratio {ratio:.1f}x wall, {r['cpu'] / max(r['hugo_cpu'], 1e-9):.1f}x CPU; "
                f"load average {os.getloadavg()}",
                flush=True,
            )


if __name__ == "__main__":
    main()
