"""Build benchmark: synthetic corpora of N cases, seconds per stage and bytes per page, beside
Hugo building the same number of plain pages in the same run.

    python bench/bench_build.py [N ...]        (default: 100 1000 5000)
    python bench/bench_build.py --baseline [N ...]

For each N: the full build (every language edition, worker processes on every core, the build
cache beside the site empty), the same build again (the cache warm: compiled templates and
every page's render and Markdown conversion), then a rebuild after one case's title is edited,
once with the render and page caches off (every page rendered and converted) and once with
them (the incremental build: only the pages whose template values changed are rendered, only
those whose Markdown changed converted), then Hugo
(Debian's `hugo`) over as many plain Markdown pages as the site has HTML pages, and the ratio
of the two wall times. ``--baseline``: the full build alone, then mkdocs-material without
cxreport over the plain pages Hugo gets (a navigation of eight entries, as one edition of
ours), then Hugo, each in a process of its own, and the ratios mkdocs-material/Hugo and
cxreport/mkdocs-material of wall time, CPU and peak RSS (the largest process). CPU times
(this process and its workers) are printed beside the wall times: on a shared machine they
are the figures to compare. Run by hand; the figures go into bench/README.md, never into a
timed test.
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


def hugo(pages: int, workdir: Path) -> tuple[float, float, float]:
    """Hugo over ``pages`` plain pages (a paragraph and a list each, a one-file layout):
    wall and CPU seconds and peak RSS (MiB) of `hugo --quiet`."""
    site = workdir / "hugo"
    shutil.rmtree(site, ignore_errors=True)
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "config.toml").write_text('baseURL = "https://example.org/"\ntitle = "bench"\n')
    for kind in ("single", "list"):
        (site / "layouts" / "_default" / f"{kind}.html").write_text(HUGO_LAYOUT)
    plain_pages(site / "content" / "cases", pages)
    return waited(["hugo", "--quiet", "-s", str(site), "-d", str(site / "public")])


def plain_pages(folder: Path, pages: int) -> None:
    """The plain pages Hugo and mkdocs-material build: a paragraph and a list each."""
    folder.mkdir(parents=True)
    for n in range(pages):
        (folder / f"case-{n:05d}.md").write_text(
            f'---\ntitle: "Case {n}"\n---\n\nA case study, number {n}, in **plain** Markdown.\n\n'
            "- one\n- two\n- three\n\n## Timeline\n\nWhat happened, and when.\n"
        )


def waited(command: list[str]) -> tuple[float, float, float]:
    """Wall and CPU seconds of ``command`` and its processes, and the peak RSS (MiB) of the
    largest of them. The peak comes from /usr/bin/time, a small process: a child forked from
    this one would carry this one's peak over its exec (Linux keeps the larger of the two)."""
    start = time.perf_counter()
    with tempfile.NamedTemporaryFile("r") as peak:
        proc = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", peak.name, *command])
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            raise SystemExit(f"{command[:3]} failed ({proc.returncode})")
        kib = int(peak.read().split()[-1])
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime, kib / 1024


def plain_mkdocs(pages: int, workdir: Path) -> tuple[float, float, float]:
    """mkdocs-material alone (no cxreport) over the plain pages Hugo gets, with a navigation
    of eight entries as one edition of ours: wall, CPU and peak RSS of `mkdocs build`."""
    site = workdir / "mkdocs-plain"
    shutil.rmtree(site, ignore_errors=True)
    plain_pages(site / "docs" / "cases", pages)
    (site / "docs" / "index.md").write_text("# Plain\n\nThe same pages as Hugo's.\n")
    nav = "".join(f"  - cases/case-{n:05d}.md\n" for n in range(min(7, pages)))
    (site / "mkdocs.yml").write_text(
        f"site_name: bench\ntheme:\n  name: material\nnav:\n  - index.md\n{nav}"
    )
    return waited([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(site / "mkdocs.yml")])


def cxreport_build(corpus: Path, out: Path, docs: Path) -> tuple[float, float, float]:
    """A full build (every edition, cache empty) in a process of its own: wall, CPU and the
    peak RSS of the largest of its processes."""
    code = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
        "from generator.pipeline import build_site;"
        "build_site(Path(sys.argv[2]), config=Path(sys.argv[1]) / 'mkdocs.yml',"
        " out=Path(sys.argv[3]), docs_dir=Path(sys.argv[4]))"
    )
    return waited([sys.executable, "-c", code, str(ROOT), str(corpus), str(out), str(docs)])


def baseline(n_cases: int, workdir: Path) -> None:
    """cxreport, mkdocs-material over as many plain pages and Hugo over them, in one run."""
    corpus = write_corpus(workdir / f"corpus-{n_cases}", n_cases, max(5, n_cases // 20))
    out, docs = workdir / f"site-{n_cases}", workdir / f"docs-{n_cases}"
    cx = cxreport_build(corpus, out, docs)
    pages = len(list(out.rglob("*.html")))
    mk = plain_mkdocs(pages, workdir)
    hg = hugo(pages, workdir) if shutil.which("hugo") else (float("nan"),) * 3
    rows = (("cxreport", cx), ("mkdocs-material", mk), ("Hugo", hg))
    figures = "; ".join(
        f"{k} {w:.2f} s wall, {c:.2f} s CPU, {r:.0f} MiB peak RSS" for k, (w, c, r) in rows
    )
    kinds = ("wall", "CPU", "peak RSS")
    print(
        f"N={n_cases}, {pages} pages: {figures}; mkdocs-material/Hugo: "
        + ", ".join(f"{k} {mk[i] / hg[i]:.1f}x" for i, k in enumerate(kinds))
        + "; cxreport/mkdocs-material: "
        + ", ".join(f"{k} {cx[i] / mk[i]:.1f}x" for i, k in enumerate(kinds))
        + f"; load average {os.getloadavg()}",
        flush=True,
    )


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
    hugo_wall, hugo_cpu, _ = hugo(len(html), workdir) if shutil.which("hugo") else (0.0,) * 3
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
    only_baseline = "--baseline" in sys.argv
    sizes = [int(a) for a in sys.argv[1:] if a != "--baseline"] or [100, 1000, 5000]
    print(f"load average at start: {os.getloadavg()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            if only_baseline:
                baseline(n, Path(tmp))
                continue
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
