"""Memory of a build: peak resident memory of the build and of its edition workers, and the
edition's own memory per page, on bench/synth.py's corpora.

    python bench/bench_memory.py N [N ...] [--lang en] [--jobs 2] [--corpora DIR]

For each N (cases; N/10 companies): a corpus is synthesised, then `build_site` runs in a child
process (the build cache beside the site empty, as a first build), which this script samples
every 0.1 s through /proc: each process's peak RSS (the kernel's VmHWM), the peak of the
tree's summed PSS (shared pages divided among the processes that share them: what the build
really holds), and each worker's private memory (USS: what it allocated or copied after the
fork), and apart from them Pagefind's peak RSS (the search index, made after the editions).
``--lang en``: one edition (built in the build's own process, no worker); without it,
every edition in ``--jobs`` workers. Where in an edition the memory goes:
bench_memory_stages.py. Run by hand; the figures go into bench/README.md, never into a timed test.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import write_corpus  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import sys, os
sys.path.insert(0, {root!r})
from pathlib import Path
from generator.pipeline import build_site
def rss(name):
    fields = dict(line.split(':', 1) for line in open('/proc/self/status'))
    print(f"stage {{name}}: {{int(fields['VmRSS'].split()[0]) / 1024:.0f}} MiB", flush=True)
report = build_site(Path({corpus!r}), config=Path({root!r}) / 'mkdocs.yml', out=Path({out!r}),
                    docs_dir=Path({docs!r}), lang={lang!r}, on_stage=rss)
rss('done')
from generator.publish.editions import languages
print('editions', 1 if {lang!r} else len(languages(Path({root!r}) / 'mkdocs.yml')))
print('pages', len(list(report.site.rglob('*.html'))), flush=True)
"""


def _rollup(pid: int) -> dict[str, int]:
    """kB figures of /proc/PID/status and smaps_rollup ({} once the process is gone)."""
    found: dict[str, int] = {}
    try:
        for name in ("status", "smaps_rollup"):
            with open(f"/proc/{pid}/{name}") as fh:
                for line in fh:
                    key, _, value = line.partition(":")
                    parts = value.split()
                    if len(parts) == 2 and parts[1] == "kB":
                        found[key] = int(parts[0])
    except OSError:
        return {}
    return found


def _tree(root: int) -> list[int]:
    """``root`` and its descendants."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    parents[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    found, todo = [root], [root]
    while todo:
        pid = todo.pop()
        kids = [p for p, parent in parents.items() if parent == pid]
        found += kids
        todo += kids
    return found


def sampled_build(corpus: Path, work: Path, lang: str | None, jobs: int) -> dict:
    code = CHILD.format(
        root=str(ROOT),
        corpus=str(corpus),
        out=str(work / "site"),
        docs=str(work / "docs"),
        lang=lang,
    )
    env = {**os.environ, "CXREPORT_JOBS": str(jobs)}
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(
        [sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    hwm: dict[int, int] = {}
    uss: dict[int, int] = {}
    others: dict[int, int] = {}  # the search indexer's processes (Pagefind, a Rust binary)
    pss_peak = in_editions = 0
    while proc.poll() is None:
        pss = 0
        for pid in _tree(proc.pid):
            got = _rollup(pid)
            if got and pid != proc.pid and not _comm(pid).startswith("python"):  # Pagefind
                others[pid] = max(others.get(pid, 0), got.get("VmHWM", 0))
            if got and (pid == proc.pid or _comm(pid).startswith("python")):  # not Pagefind
                hwm[pid] = max(hwm.get(pid, 0), got.get("VmHWM", 0))
                private = got.get("Private_Clean", 0) + got.get("Private_Dirty", 0)
                uss[pid] = max(uss.get(pid, 0), private)
                pss += got.get("Pss", 0)
            started = any(x.startswith("stage editions") for x in lines)
            if pid == proc.pid and got and started and not any("stage search" in x for x in lines):
                in_editions = max(in_editions, got.get("VmRSS", 0))
        pss_peak = max(pss_peak, pss)
        time.sleep(0.1)
    reader.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the build and its workers, waited
    cpu = sum(getattr(after, f) - getattr(before, f) for f in ("ru_utime", "ru_stime"))
    out = "".join(lines)
    if proc.returncode:
        raise SystemExit(f"the build failed ({proc.returncode})\n{out}")
    workers = {p: h for p, h in hwm.items() if p != proc.pid}
    return {
        "wall": time.perf_counter() - start,
        "cpu": cpu,
        "output": out,
        "pages": int(out.rsplit("pages", 1)[1]),
        "parent_hwm": hwm.get(proc.pid, 0),
        "worker_hwm": max(workers.values(), default=0),
        "workers": sorted(workers.values(), reverse=True),
        "pagefind_hwm": max(others.values(), default=0),
        "worker_uss": max((uss[p] for p in workers), default=0),
        "pss_peak": pss_peak,
        "editions": int(out.split("editions ")[1].split()[0]),
        "at_editions": int(out.split("stage editions: ")[1].split()[0]) * 1024,
        "in_editions": in_editions,
    }


def _comm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as fh:
            return fh.read().strip()
    except OSError:
        return ""


def summary(r: dict) -> str:
    """The figures of a sampled build; per page: an edition's own memory (a worker's private
    memory, an upper bound: it counts the corpus's pages the worker copied on write too; or,
    with one edition in the build's process, its peak RSS while the editions were built over
    its RSS when they began) over the pages of one edition."""
    mib = 1024
    per_edition = r["pages"] / max(1, r["editions"])
    own = r["worker_uss"] if r["worker_hwm"] else r["in_editions"] - r["at_editions"]
    return (
        f"{r['pages']} pages in {r['wall']:.1f} s ({r['cpu']:.1f} s CPU); peak RSS: build "
        f"{r['parent_hwm'] / mib:.0f} "
        f"MiB (at the editions' start {r['at_editions'] / mib:.0f} MiB), workers "
        f"{', '.join(f'{h / mib:.0f}' for h in r['workers']) or 'none'} MiB (the largest private "
        f"{r['worker_uss'] / mib:.0f} MiB); peak of "
        f"the summed PSS {r['pss_peak'] / mib:.0f} MiB (cxreport's processes; Pagefind's "
        f"largest peak RSS {r['pagefind_hwm'] / mib:.0f} MiB, apart); an edition's own memory "
        f"{own / per_edition:.1f} KiB per page"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="+", type=int)
    parser.add_argument("--lang", default=None)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--corpora", type=Path, default=None, help="keep corpora here")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            corpus = (args.corpora or Path(tmp)) / f"c{n}"
            if not (corpus / "studies").is_dir():
                write_corpus(corpus, n, max(5, n // 10))
            work = Path(tmp) / f"build-{n}"
            r = sampled_build(corpus, work, args.lang, args.jobs)
            print(r["output"].strip(), flush=True)
            print(
                f"N={n} ({args.lang or 'every edition'}, {args.jobs} jobs): {summary(r)}; "
                f"load average {os.getloadavg()}",
                flush=True,
            )


if __name__ == "__main__":
    main()
