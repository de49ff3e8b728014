"""`cxreport serve` on the bundled corpus, timed in headless Chromium (started first, as a
reader's browser is already open): from starting the command to its first answer and to the
first built page, then from saving an edit to the open page showing it (live reload), and to
the same page of a nested edition (built after the root one) showing it too; then three more
edits of the case, each timed to the open page showing it, with serve's CPU from saving to the
page showing it and until every edition was rebuilt.

    python bench/bench_serve.py [OUT]
    python bench/bench_serve.py --prepare   # CPU of pipeline.prepare, one process, per edit
    python bench/bench_serve.py --edit [N]  # CPU per edit: prepare, then the forked build

``--prepare`` times ``pipeline.prepare`` in one process (``resource.getrusage``, warm: after
a first prepare) as ``serve`` runs it after each kind of edit, with one ``Reuse`` kept between
them when this version of the code has it; with PYTHONPATH at an older checkout it times
that checkout's prepare (each one from scratch).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OLD = "title: 112 hours without a dial tone after a fiber upgrade"
NEW = "title: One hundred and twelve hours without a dial tone"
OLD_SV = "title: 112 timmar utan kopplingston"  # the case's Swedish title
NEW_SV = "title: Etthundratolv timmar utan kopplingston"


def h1_has(text: str) -> str:
    return (
        "() => { const h = document.querySelector('h1');"
        f" return !!h && h.textContent.includes({text!r}); }}"
    )


def start_serve(work: Path, corpus: Path, port: int) -> subprocess.Popen:
    cxreport = str(Path(sys.executable).with_name("cxreport"))
    command = [cxreport, "serve", "--cases", str(corpus), "--out", str(work / "site")]
    command += ["--port", str(port)]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def serve_cpu(proc: subprocess.Popen) -> float:
    """CPU seconds of the serve process and of its children it has waited for (its forked
    builds, and theirs: Pagefind), from /proc (Linux)."""
    fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def stamps(port: int) -> list[str]:
    """Each edition's build stamp, as the open pages ask for it (it changes when the edition
    is rebuilt). Asking counts as looking at the edition (serve builds the edition looked at
    last first): the root edition, the one the open page shows, is asked last."""
    from urllib.request import urlopen

    from generator.authoring.livereload import VERSION_PATH

    out = []
    for code in ("sv", "it", "he", "ro", "ru", ""):
        with urlopen(f"http://127.0.0.1:{port}{VERSION_PATH}?path=/{code}") as answer:
            out.append(answer.read().decode().split()[-1])
    return out


def all_built(port: int, before: list[str]) -> None:
    """Wait until every edition was rebuilt since ``before`` (no build runs in serve then)."""
    while any(a == b for a, b in zip(stamps(port), before, strict=True)):
        time.sleep(0.5)


def first_answer(page, url: str) -> None:
    while True:
        try:
            page.goto(url, wait_until="load")
            return
        except Exception:  # noqa: BLE001 - not listening yet
            time.sleep(0.05)


def main() -> None:
    from playwright.sync_api import sync_playwright

    work = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
    corpus = work / "cases"
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.copytree(ROOT / "cases", corpus)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/cases/fiber-upgrade.html"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"]
        )
        page = browser.new_page()
        start = time.perf_counter()
        proc = start_serve(work, corpus, port)
        try:
            first_answer(page, url)
            answered = time.perf_counter() - start
            page.wait_for_function(h1_has("112 hours"), timeout=300_000)
            built = time.perf_counter() - start
            page.wait_for_timeout(500)  # the live-reload script has asked once
            case = corpus / "studies" / "fiber-upgrade.yaml"
            built_from = stamps(port)
            case.write_text(case.read_text().replace(OLD, NEW).replace(OLD_SV, NEW_SV))
            saved = time.perf_counter()
            page.wait_for_function(h1_has("One hundred and twelve"), timeout=300_000)
            reloaded = time.perf_counter() - saved
            other = browser.new_page()
            other.goto(url.replace("/cases/", "/sv/cases/"), wait_until="load")
            other.wait_for_function(h1_has("Etthundratolv"), timeout=300_000)
            nested = time.perf_counter() - saved
            other.close()  # the English page alone is open from here on
            more, spent, whole, before = [], [], [], 0.0
            for n in range(4):
                all_built(port, built_from)  # no build under way: the edit's own work is timed
                time.sleep(0.5)  # the last build's process waited for (it answers first)
                if n:  # the last edit's work, every edition rebuilt
                    whole.append(serve_cpu(proc) - before)
                if n == 3:
                    break
                built_from = stamps(port)
                before = serve_cpu(proc)
                text = case.read_text()
                case.write_text(
                    text.replace(
                        f"title: One hundred and twelve{' !' * n}",
                        f"title: One hundred and twelve{' !' * (n + 1)}",
                    )
                )
                saved = time.perf_counter()
                page.wait_for_function(h1_has(f"twelve{' !' * (n + 1)}"), timeout=300_000)
                more.append(time.perf_counter() - saved)
                spent.append(serve_cpu(proc) - before)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
            browser.close()
    print(
        f"serve (load average {os.getloadavg()[0]:.1f}): first answer {answered:.1f} s after "
        f"starting; the built page {built:.1f} s; an edit shown by live reload "
        f"{reloaded:.1f} s after saving; the Swedish edition's page showing it {nested:.1f} s "
        f"after saving; three more edits shown {', '.join(f'{t:.1f}' for t in more)} s after "
        f"saving, serve's CPU from saving to the page showing it (its builds and Pagefind "
        f"included; a build that answered and still ends is counted in the next figure) "
        f"{', '.join(f'{t:.2f}' for t in spent)} s, and until all six editions were rebuilt "
        f"{', '.join(f'{t:.2f}' for t in whole)} s"
    )


def cpu() -> float:
    import resource

    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def prepare_cpu() -> None:
    """CPU seconds of prepare after each kind of edit (``serve``'s loop without the build)."""
    import inspect

    from generator.pipeline import prepare

    kept = {}
    if "reuse" in inspect.signature(prepare).parameters:
        from generator.load.reuse import Reuse

        kept["reuse"] = Reuse()
    work = Path(tempfile.mkdtemp())
    corpus = work / "cases"
    shutil.copytree(ROOT / "cases", corpus)
    edits = [
        ("first (cold)", None, "", ""),
        ("again, nothing changed", None, "", ""),
        ("a case's title", "studies/fiber-upgrade.yaml", OLD, NEW),
        ("a case's event", "studies/lost-wallet-bank.yaml", "[division 1 agent]",
         "[division 1 agent, a supervisor]"),
        ("a company's incidents CSV", "companies/comcast.incidents.csv", "2015-04-01,phone",
         "2015-04-02,web"),
        ("the rubric", "rubric.yaml", "recent_days_excluded: 60", "recent_days_excluded: 5"),
    ]  # fmt: skip
    for label, name, old, new in edits:
        if name:
            path = corpus / name
            path.write_text(path.read_text().replace(old, new, 1))
        start = cpu()
        prepare(corpus, **kept)
        print(f"prepare, {label}: {cpu() - start:.2f} s CPU")
    shutil.rmtree(work)


def children_cpu() -> float:
    import resource

    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


def edit_cpu(runs: int) -> None:
    """``serve``'s work after each of ``runs`` edits of a case's title, as serve does it (one
    process keeping a ``Reuse``, the modules warmed, each build of the English edition forked):
    CPU of ``prepare`` in this process, then of the forked build and its Pagefind."""
    import multiprocessing

    from generator.authoring.serve import _warm
    from generator.load.reuse import Reuse
    from generator.pipeline import build_site, prepare

    work = Path(tempfile.mkdtemp())
    corpus = work / "cases"
    shutil.copytree(ROOT / "cases", corpus)
    config = ROOT / "mkdocs.yml"
    codes = ["en", "sv", "it", "he", "ro", "ru"]
    reuse = Reuse()

    def build(prepared) -> None:
        out, docs, url = work / "site", work / "docs", "http://127.0.0.1:8000/"
        build_site(corpus, config, out=out, docs_dir=docs, lang="en", site_url=url,
                   prepared=prepared, list_every_edition=True)  # fmt: skip

    context = multiprocessing.get_context("fork")
    case = corpus / "studies" / "fiber-upgrade.yaml"
    for n in range(runs + 1):
        if n:
            text = case.read_text()
            case.write_text(text.replace(f"title: 112{' !' * (n - 1)}", f"title: 112{' !' * n}"))
        start = cpu()
        _warm(codes, config)
        prepared = prepare(corpus, reuse=reuse)
        middle, children = cpu(), children_cpu()
        child = context.Process(target=build, args=(prepared,))
        child.start()
        child.join()
        assert child.exitcode == 0
        label = "first (cold)" if not n else f"edit {n}"
        print(f"{label}: prepare {middle - start:.2f} s CPU, forked build "
              f"{children_cpu() - children:.2f} s CPU (load {os.getloadavg()[0]:.1f})")  # fmt: skip
    shutil.rmtree(work)


if __name__ == "__main__":
    if sys.argv[1:] == ["--prepare"]:
        prepare_cpu()
    elif sys.argv[1:2] == ["--edit"]:
        edit_cpu(int(sys.argv[2]) if len(sys.argv) > 2 else 5)
    else:
        main()
