"""Shared fixtures: real corpus files on disk, copied so tests can break them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
    """The bundled corpus built once per test process by the command line, in a child process
    (as a user builds it; so the recounts never load the generator in-process): every edition,
    default options. Shared and read-only: a test that changes a site builds its own."""
    site = tmp_path_factory.mktemp("bundled-site") / "site"
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
