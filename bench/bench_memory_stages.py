"""Where an edition's memory goes: one edition built in this process (no worker), its RSS
and, with ``--trace``, the Python heap traced by tracemalloc (slow) at the build's stage
boundaries and at mkdocs' (its start, every page converted, every page written), with the
lines that allocated what is alive once every page is converted.

    python bench/bench_memory_stages.py CORPUS WORKDIR [--lang en] [--trace] [--held]
                                        [--prepare] [--top N]

CORPUS: a corpus (bench/synth.py writes one); WORKDIR: where the site, docs and cache go.
``--held``: pipeline.SPILL off (mkdocs holds every page's Markdown and HTML, the caches their
new entries), to compare. ``--prepare``: stop when the editions would begin (the corpus
loaded, measured and scored: what every edition worker is forked from), printing, with
``--trace``, the lines that allocated what is alive then (``--top``, 25 by default), and the
objects of the largest types alive. Run by hand; the figures go into bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import pipeline  # noqa: E402


def mark(name: str, top: int = 0) -> None:
    gc.collect()
    with open("/proc/self/status") as fh:
        fields = dict(line.split(":", 1) for line in fh)
    traced = tracemalloc.get_traced_memory()[0] / 2**20 if tracemalloc.is_tracing() else 0
    print(
        f"{name}: RSS {int(fields['VmRSS'].split()[0]) / 1024:.0f} MiB, Python heap traced "
        f"{traced:.0f} MiB, CPU {time.process_time():.1f} s",
        flush=True,
    )
    if top and tracemalloc.is_tracing():
        for stat in tracemalloc.take_snapshot().statistics("lineno")[:top]:
            print("   ", stat, flush=True)


class _Prepared(Exception):
    """Raised at the editions' start with ``--prepare``: the build goes no further."""


def census(top: int) -> None:
    """The types with the most live objects the garbage collector tracks (with their count)."""
    from collections import Counter

    counts = Counter(type(o).__qualname__ for o in gc.get_objects())
    print("    live objects by type:", ", ".join(f"{n} {c:,}" for n, c in counts.most_common(top)))


def probe():
    from mkdocs.plugins import BasePlugin, event_priority

    class Probe(BasePlugin):
        def on_files(self, files, /, *, config):
            mark("mkdocs starts (cxreport's render done)")

        @event_priority(-1000)
        def on_env(self, env, /, *, config, files):
            mark("mkdocs: every page converted", top=15)

        def on_post_build(self, *, config):
            mark("mkdocs: every page written")

    return Probe()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path)
    parser.add_argument("work", type=Path)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--trace", action="store_true")
    parser.add_argument("--held", action="store_true")
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    os.environ["CXREPORT_JOBS"] = "1"
    pipeline.SPILL = not args.held
    import mkdocs.commands.build as mkdocs_build

    build = mkdocs_build.build

    def probed(config, **kw):
        config.plugins["cxreport-memory-probe"] = probe()
        return build(config, **kw)

    mkdocs_build.build = probed
    if args.trace:
        tracemalloc.start(1)

    def on_stage(name: str) -> None:
        if args.prepare and name == "editions":
            mark("stage editions (prepared)", top=args.top)
            census(12)
            raise _Prepared
        mark(f"stage {name}")

    with contextlib.suppress(_Prepared):
        pipeline.build_site(
            args.corpus,
            config=ROOT / "mkdocs.yml",
            out=args.work / "site",
            docs_dir=args.work / "docs",
            lang=args.lang,
            on_stage=on_stage,
        )
    mark("done")
    with open("/proc/self/status") as fh:
        print("peak RSS (VmHWM):", dict(line.split(":", 1) for line in fh)["VmHWM"].strip())


if __name__ == "__main__":
    main()
