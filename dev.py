#!/usr/bin/env python3
"""Set-up and everyday tasks for cxreport, with nothing but Python 3.11+ installed.

    python3 dev.py site    create .venv, install cxreport, build the site into site/
    python3 dev.py test    create .venv, install cxreport with its test tools, run every test

Both create the virtual environment in .venv the first time and reuse it afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


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
    pyproject = ROOT / "pyproject.toml"
    if not stamp.exists() or stamp.stat().st_mtime < pyproject.stat().st_mtime:
        run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", f".{extras}")
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
    result = subprocess.run([str(BIN / "python"), "-m", "pip", "install", "--quiet",
                             "zensical>=0.0.70,<1"], cwd=ROOT)
    if result.returncode:
        print("zensical could not be installed: its build test will be skipped", flush=True)


def test(args: list[str]) -> None:
    ensure_venv("[test]")
    ensure_zensical()
    ensure_node_tools()
    run(BIN / "ruff", "check", ".")
    run(BIN / "python", "-m", "pytest", *args)


def main() -> None:
    tasks = {"site": site, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in tasks:
        print(__doc__)
        sys.exit(2)
    tasks[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
