"""The wheel as a user installs it: built, installed (not editable) into a fresh virtual
environment, and used to build the bundled corpus from a folder outside the checkout."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from .conftest import CASES, ROOT

pytestmark = pytest.mark.slow


def _run(*cmd: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, f"{cmd} failed:\n{result.stdout}\n{result.stderr}"
    return result


# What the wheel is built from (pyproject.toml's packages, package-dir and readme)
SOURCES = ("pyproject.toml", "README.md", "generator", "templates", "cases")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built from a copy of the sources: in the checkout, setuptools reuses the build/ and
    *.egg-info folders an earlier build or `pip install -e` left, and their files went into
    the wheel whatever pyproject.toml said (a package-data line removed went unnoticed)."""
    out = tmp_path_factory.mktemp("wheel")
    source = out / "source"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", ".*")
            shutil.copytree(ROOT / name, source / name, ignore=ignore)
        else:
            shutil.copy(ROOT / name, source / name)
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out, source, cwd=out)
    (built,) = out.glob("cxreport-*.whl")
    return built


def test_wheel_carries_every_template_and_asset(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {
        "generator/templates/" + p.relative_to(ROOT / "templates").as_posix()
        for p in (ROOT / "templates").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert shipped, "no templates found in the checkout"
    assert shipped <= names, f"missing from the wheel: {sorted(shipped - names)}"
    # the translations: the installed wheel below builds one edition in another language
    # only, so each language's file is checked here
    catalogs = {
        p.relative_to(ROOT).as_posix() for p in (ROOT / "generator" / "locale").glob("*.po")
    }
    assert len(catalogs) >= 5, "no translations found in the checkout"
    assert catalogs <= names, f"missing from the wheel: {sorted(catalogs - names)}"
    assert not any(n.startswith(("tests/", "cases/")) for n in names)


def test_wheel_carries_every_module(wheel: Path):
    """A subpackage missing from pyproject's package list is left out of the wheel silently."""
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "generator").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert modules, "no modules found in the checkout"
    assert modules <= names, f"missing from the wheel: {sorted(modules - names)}"


@pytest.fixture(scope="module")
def env(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel installed (not editable), made once for the
    module: the tests below only run its commands, in folders of their own."""
    where = tmp_path_factory.mktemp("installed")
    env = where / "venv"
    # without a pip of its own: this run's pip installs into it (`pip --python`), the same
    # install without putting pip into the environment first (7 s of CPU, 29 s under load)
    venv.EnvBuilder(with_pip=False).create(env)
    python = env / "bin" / "python"
    # --no-compile: what runs is compiled when first imported, not all of every dependency
    _run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-compile",
         "-c", ROOT / "requirements.lock", wheel, cwd=where)  # fmt: skip
    found = _run(python, "-c", "import generator; print(generator.__file__)", cwd=where)
    assert str(env) in found.stdout, "cxreport was not installed into the fresh environment"
    return env


def test_installed_wheel_builds_a_corpus_outside_the_checkout(env: Path, tmp_path: Path):
    project = tmp_path / "advocacy"
    shutil.copytree(CASES, project / "cases")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    _run(env / "bin" / "cxreport", "validate", cwd=project)
    # the English edition (the next test builds another language's from the wheel)
    _run(env / "bin" / "cxreport", "build", "--quiet", "--lang", "en", cwd=project)
    site = project / "site"
    assert (site / "index.html").is_file()
    assert (site / "cases" / "fiber-upgrade.html").is_file()
    assert (site / "assets" / "stylesheets" / "cxreport.css").is_file()
    assert "cx-" in (site / "cases" / "fiber-upgrade.html").read_text(encoding="utf-8")


def test_installed_wheel_starts_a_project_in_an_empty_folder(env: Path, tmp_path: Path):
    """A pip-installed user's quick start: init, validate, build (README, "Quick start")."""
    project = tmp_path / "advocacy"
    project.mkdir()
    _run(env / "bin" / "cxreport", "init", "--lang", "en", "--lang", "he", cwd=project)
    _run(env / "bin" / "cxreport", "validate", cwd=project)
    _run(env / "bin" / "cxreport", "build", "--quiet", cwd=project)
    home = (project / "site" / "he" / "index.html").read_text(encoding="utf-8")
    assert 'lang="he" dir="rtl"' in home
    assert (project / "site" / "index.html").is_file()
