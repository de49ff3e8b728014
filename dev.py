#!/usr/bin/env python3
"""Set-up and everyday tasks for cxreport, with nothing but Python 3.11+ installed.

    python3 dev.py site    create .venv, install cxreport, build the site into site/
    python3 dev.py test    create .venv, install cxreport with its test tools, run every test
    python3 dev.py lock    re-resolve the dependencies into requirements.lock (deliberately)
    python3 dev.py messages  extract the translatable strings, update generator/locale/*.po

Both create the virtual environment in .venv the first time and reuse it afterwards. They
install the exact versions in requirements.lock, so a new release of a dependency cannot
change what a fresh clone runs; pyproject.toml keeps the ranges cxreport supports.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import venv
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
# Not a dependency of cxreport: installed for the test that builds the site with Zensical
ZENSICAL = "zensical>=0.0.70,<1"


def run(*cmd: str | Path, **kw) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    result = subprocess.run([str(c) for c in cmd], cwd=ROOT, **kw)
    if result.returncode:
        sys.exit(result.returncode)


def ensure_venv(extras: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may run on an older python3
        sys.exit(f"cxreport needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not (BIN / "python").exists():
        print(f"Creating a virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed{extras}"
    inputs = [ROOT / "pyproject.toml", LOCK]
    if not stamp.exists() or any(stamp.stat().st_mtime < f.stat().st_mtime for f in inputs):
        run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        run(BIN / "python", "-m", "pip", "install", "--quiet", "-c", LOCK, "-e", f".{extras}")
        stamp.touch()


def site(args: list[str]) -> None:
    ensure_venv("")
    run(BIN / "cxreport", "build", *args)


NODE_TOOLS = ("axe-core", "vnu-jar", "plotly.js-basic-dist-min")


def ensure_node_tools() -> None:
    """The test tools from the npm registry (package.json): axe-core for the accessibility
    tests, vnu-jar (the Nu HTML Checker; runs on Java) for the validity test, and the plotly.js
    bundle the site ships, to check the vendored copy. Skipped without npm; install scripts
    are not run (vnu-jar's would download a Java runtime; Debian's default-jre-headless does)."""
    if all((ROOT / "node_modules" / name).exists() for name in NODE_TOOLS):
        return
    npm = shutil.which("npm")
    if npm is None:
        print("npm not found: the accessibility and validity tests will be skipped", flush=True)
        return
    run(npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund")
    if shutil.which("java") is None:
        print(
            "java not found: the HTML validity test will be skipped "
            "(apt-get install default-jre-headless)",
            flush=True,
        )


def ensure_zensical() -> None:
    """Zensical (Material's successor) for the future-proofing build test: best effort, since
    its newest releases need a UI package some registries lack; the test says why it skipped."""
    if (BIN / "zensical").exists():
        return
    print("+ pip install zensical (optional)", flush=True)
    result = subprocess.run([str(BIN / "python"), "-m", "pip", "install", "--quiet", "-c", LOCK,
                             ZENSICAL], cwd=ROOT)
    if result.returncode:
        print("zensical could not be installed: its build test will be skipped", flush=True)


def test(args: list[str]) -> None:
    ensure_venv("[test]")
    ensure_zensical()
    ensure_node_tools()
    run(BIN / "ruff", "check", ".")
    with cpu_report("the test suite"):
        run(BIN / "python", "-m", "pytest", *parallel(args))


def parallel(args: list[str]) -> list[str]:
    """pytest workers (pytest-xdist), one per core and one more, since many tests spend their
    time waiting on a browser, a server or Spark; each test module is kept whole in one worker
    so its module fixtures are made once, and modules are handed out in collection order
    (tests/conftest.py puts the slowest first). `-n 0` runs everything in one process."""
    if any(a.startswith(("-n", "--numprocesses", "--dist")) or a == "no:xdist" for a in args):
        return args
    workers = str((os.cpu_count() or 1) + 1)
    return ["-n", workers, "--dist", "loadfile", "--no-loadscope-reorder", *args]


@contextmanager
def cpu_report(what: str):
    """Print the wall time and the CPU time (user + system, of every process the block ran and
    waited for: pytest, mkdocs, Chromium, Java) the block took, also when it fails."""
    try:
        import resource
    except ImportError:  # Windows
        yield
        return
    start, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        yield
    finally:
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        user, system = after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime
        print(f"{what}: {time.perf_counter() - start:.1f} s wall, {user + system:.1f} s CPU "
              f"(user {user:.1f}, system {system:.1f}); peak RSS of one process "
              f"{after.ru_maxrss / 1024:.0f} MiB", flush=True)


def lock(args: list[str]) -> None:
    """Resolve pyproject.toml's ranges afresh in a scratch venv (every extra) and write the
    versions it got to requirements.lock; commit the result after the tests pass on it."""
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        venv.EnvBuilder(with_pip=True).create(scratch)
        py = Path(scratch) / ("Scripts" if os.name == "nt" else "bin") / "python"
        run(py, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        run(py, "-m", "pip", "install", "--quiet", ".[test,spark]", *args)
        # Zensical (its build test), pinned like the rest; best effort as in ensure_zensical
        subprocess.run([str(py), "-m", "pip", "install", "--quiet", ZENSICAL, *args])
        frozen = subprocess.run([str(py), "-m", "pip", "freeze", "--exclude", "cxreport"],
                                capture_output=True, text=True, check=True).stdout
    pins = sorted((line for line in frozen.splitlines() if "==" in line), key=str.lower)
    LOCK.write_text("# Exact versions installed by dev.py (pip -c); update: python3 dev.py lock\n"
                    + "\n".join(pins) + "\n")
    print(f"wrote {LOCK.name}: {len(pins)} packages")


def messages(args: list[str]) -> None:
    """Extract every translatable string (templates, Python, the bundled rubric) into
    generator/locale/messages.pot and merge it into each language's .po (Babel)."""
    ensure_venv("")
    run(BIN / "python", "-m", "generator.render.catalogues", *args)


def main() -> None:
    tasks = {"site": site, "test": test, "lock": lock, "messages": messages}
    if len(sys.argv) < 2 or sys.argv[1] not in tasks:
        print(__doc__)
        sys.exit(2)
    tasks[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
