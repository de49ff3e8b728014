"""Where a full cold build's CPU goes: one cProfile (on the CPU clock) of `build_site` over
every edition in this process (CXREPORT_JOBS=1, the build cache beside the site empty), split
into cxreport's render, mkdocs (Python-Markdown, Material's theme, our plugins), the harden
pass, Pagefind, copying and the rest (the cumulative CPU of each part's entry point).

    python bench/profile_build.py CORPUS OUT_DIR [--top 40] [--stats FILE]
    python bench/profile_build.py --synth 100 OUT_DIR

CORPUS is a corpus folder (``cases`` for the bundled one); ``--synth N`` writes bench/synth.py's
N cases (N // 20 companies) into OUT_DIR first. The site goes to OUT_DIR/site (removed first
only when a build made it). Run by hand; the figures go into bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

ROOT = Path(__file__).resolve().parent.parent

# (label, (file suffix, function name)): the cumulative CPU of these entry points
PARTS = (
    ("load, metrics, score", ("generator/pipeline.py", "_score")),
    ("load (files, models, checks)", ("generator/pipeline.py", "load")),
    ("cxreport render (all pages)", ("generator/render/site.py", "render_all")),
    ("  case pages", ("generator/render/pages/cases.py", "render")),
    ("  markup.markdown_text", ("generator/render/markup.py", "markdown_text")),
    ("  render cache keys", ("generator/render/rendercache.py", "key")),
    ("images copied", ("generator/pipeline.py", "_copy_images")),
    ("mkdocs build (all of it)", ("generator/publish/mkdocs.py", "mkdocs_build")),
    ("  Markdown conversion (page cache)", ("generator/publish/pagecache.py", "render")),
    ("    Python-Markdown convert", ("markdown/core.py", "convert")),
    ("    rawhtml preprocessor", ("generator/publish/rawhtml.py", "run")),
    ("  theme (Material's Jinja)", ("mkdocs/commands/build.py", "_build_page")),
    ("  static files copied", ("mkdocs/structure/files.py", "copy_static_files")),
    ("  load_config", ("mkdocs/config/base.py", "load_config")),
    ("harden (CSP hashes)", ("generator/publish/harden.py", "pin_inline_scripts")),
    ("share downloads", ("generator/pipeline.py", "_share_downloads")),
    ("pagefind (Python side)", ("generator/pipeline.py", "_index_editions")),
    ("docs kept", ("generator/pipeline.py", "_keep_docs")),
)


def cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def kids_cpu() -> float:
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return kids.ru_utime + kids.ru_stime


def parts(stats: pstats.Stats) -> list[tuple[str, float]]:
    """The cumulative profiled CPU of each entry point of PARTS (recursion counted once)."""
    out = []
    for label, (suffix, name) in PARTS:
        seconds = sum(
            ct
            for (filename, _line, func), (_cc, _nc, _tt, ct, _c) in stats.stats.items()
            if func == name and filename.endswith(suffix)
        )
        out.append((label, seconds))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?")
    parser.add_argument("out", type=Path)
    parser.add_argument("--synth", type=int)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--stats", type=Path)
    args = parser.parse_args()
    os.environ["CXREPORT_JOBS"] = "1"
    from generator.pipeline import build_site

    args.out.mkdir(parents=True, exist_ok=True)
    if args.synth:
        from synth import write_corpus

        corpus = write_corpus(args.out / "corpus", args.synth, max(5, args.synth // 20))
    else:
        corpus = Path(args.corpus)
    profile = cProfile.Profile(time.process_time)  # CPU, not wall: the machine is shared
    start, used, kids = time.perf_counter(), cpu(), kids_cpu()
    profile.enable()
    report = build_site(
        corpus, config=ROOT / "mkdocs.yml", out=args.out / "site", docs_dir=args.out / "docs"
    )
    profile.disable()
    wall, used, kids = time.perf_counter() - start, cpu() - used, kids_cpu() - kids
    stats = pstats.Stats(profile)
    if args.stats:
        stats.dump_stats(args.stats)
    total = sum(tt for (_cc, _nc, tt, _ct, _c) in stats.stats.values())
    print(
        f"{report.pages} pages; {wall:.1f} s wall, {used:.1f} s CPU, of which child processes"
        f" (Pagefind) {kids:.1f} s; profiled {total:.1f} s; load average {os.getloadavg()}"
    )
    print("stages (wall, profiled):", {k: round(v, 1) for k, v in report.seconds.items()})
    for label, seconds in parts(stats):
        print(f"  {label:36} {seconds:7.2f} s  {100 * seconds / total:5.1f}%")
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
