"""Shared fixtures: real corpus files on disk, copied so tests can break them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

try:
    import fcntl
except ImportError:  # Windows: each test process builds its own copy
    fcntl = None

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "cases"
# ../shared/data beside the checkout; CXREPORT_SHARED_DATA points elsewhere (a worktree).
SHARED_DATA = Path(os.environ.get("CXREPORT_SHARED_DATA") or ROOT.parent / "shared" / "data")


@pytest.fixture(scope="session")
def bundled():
    """The bundled corpus, loaded once for the whole run (never at import time, so collecting
    the tests stays fast). Shared: tests must not change it (copy it first)."""
    from generator.pipeline import load

    return load(CASES)


@pytest.fixture(scope="session")
def bundled_board(bundled):
    """The bundled corpus's scores, computed once for the whole run (shared: do not change)."""
    from generator.score import score_corpus

    return score_corpus(bundled)


@pytest.fixture(scope="session")
def bundled_site(tmp_path_factory) -> Path:
    """The bundled corpus built once per test run by the command line, in a child process
    (as a user builds it; so the recounts never load the generator in-process): every edition,
    default options. Shared and read-only: a test that changes a site builds its own.
    Under pytest-xdist the first worker that needs it builds it and the others wait for it."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None or fcntl is None:
        return _build_bundled_site(tmp_path_factory.mktemp("bundled-site") / "site")
    # the run's own folder, shared by its workers (xdist gives each worker a folder inside it)
    shared = tmp_path_factory.getbasetemp().parent / "bundled-site"
    shared.mkdir(exist_ok=True)
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / "built").exists():
            _build_bundled_site(shared / "site")
            (shared / "built").touch()
    return shared / "site"


def _build_bundled_site(site: Path) -> Path:
    code = "import sys; from generator.cli import app; sys.argv[0] = 'cxreport'; app()"
    args = ["build", "--cases", str(CASES), "--config", str(ROOT / "mkdocs.yml"),
            "--out", str(site), "--quiet"]  # fmt: skip
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                            timeout=900, cwd=ROOT)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return site


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A writable copy of the bundled corpus."""
    target = tmp_path / "cases"
    shutil.copytree(CASES, target)
    return target


# The slowest test modules, the longest first (from CI's --durations). pytest-xdist hands whole
# modules to its workers in collection order (dev.py turns off its own reordering by number of
# tests), so the long ones start first and no worker ends the run alone inside a long module.
SLOWEST_FIRST = (
    "tests/publish/test_hostile.py",
    "tests/test_wheel.py",
    "tests/measure/test_spark_connect.py",
    "tests/measure/test_engines.py",
    "tests/publish/test_incremental.py",
    "tests/test_fuzz.py",
    "tests/publish/test_site.py",
    "tests/publish/test_output_safety.py",
    "tests/test_recount.py",
    "tests/publish/test_fast_build.py",
    "tests/test_prepare_reuse.py",
    "tests/publish/test_spill.py",
    "tests/publish/test_search.py",
    "tests/score/test_company_scoring.py",
    "tests/importers/test_importers.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {path: i for i, path in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite the golden files from this run's output (review the diff, then commit).",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--update-golden"):
        os.environ["UPDATE_GOLDEN"] = "1"


def update_golden() -> bool:
    """`pytest --update-golden` (or UPDATE_GOLDEN=1) regenerates golden files deliberately."""
    return os.environ.get("UPDATE_GOLDEN") == "1"


def check_golden(path: Path, text: str) -> None:
    if update_golden() or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if not update_golden():
            pytest.fail(f"golden file {path} was missing and has been written; review and commit")
    assert text == path.read_text(encoding="utf-8"), (
        f"{path.name} differs from the golden copy; if the change is intended, "
        "rerun with `pytest --update-golden` and review the diff"
    )
