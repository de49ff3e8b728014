"""Issue 23, loading and the stages after it: unreadable files and folders, a corpus with no
case, NUL bytes and out-of-range dates in incident data. One line each, never a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.errors import InputError
from generator.load.incidents.store import store_root
from generator.load.incidents.write import IncidentStore
from generator.pipeline import load as load_corpus

ROOT = Path(__file__).resolve().parents[2]
SETPRIV = shutil.which("setpriv")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """The real command in a process that obeys file permissions: as root, without the
    capabilities that let root read anything (so a mode-000 file is unreadable to it)."""
    command = [sys.executable, "-m", "generator.cli", *args]
    if os.geteuid() == 0:
        if SETPRIV is None:
            pytest.skip("root reads everything and setpriv is not installed")
        caps = "-dac_override,-dac_read_search"
        command = [SETPRIV, f"--inh-caps={caps}", f"--bounding-set={caps}", *command]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("folder", ["studies", "letters", "companies"])
def test_unreadable_studies_letters_or_companies_never_validates_as_ok(corpus, folder):
    target = corpus / folder
    target.chmod(0)
    try:
        result = run_cli("validate", str(corpus))
    finally:
        target.chmod(0o755)
    assert result.returncode == 1, result.stdout
    assert "OK" not in result.stdout and "Traceback" not in result.stderr
    assert f"{target}:1:1: cannot read the folder: Permission denied" in result.stderr


@pytest.mark.parametrize("name", ["comcast.incidents.csv", "anonymous-bank.calls.csv"])
def test_unreadable_incidents_or_calls_csv_is_one_line(corpus, name):
    target = corpus / "companies" / name
    target.chmod(0)
    result = run_cli("validate", str(corpus))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{target}:1:1: cannot read the file: Permission denied" in result.stderr


def test_unreadable_export_and_companies_folder_in_an_import_are_one_line(corpus, tmp_path):
    export = tmp_path / "t.csv"
    export.write_text("Ticket,Date\n1,2015-01-01\n")
    export.chmod(0)
    args = ["import", "tickets", str(export), "--cases", str(corpus), "--company", "att",
            "--map", "Ticket=id", "--map", "Date=date"]  # fmt: skip
    result = run_cli(*args)
    assert result.returncode in (1, 2) and "Traceback" not in result.stderr, result.stderr
    assert "Invalid value for 'file'" in result.stderr and "readable" in result.stderr
    export.chmod(0o644)
    (corpus / "companies").chmod(0)
    try:
        result = run_cli(*args)
    finally:
        (corpus / "companies").chmod(0o755)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "cannot be read" in result.stderr


def zero_cases(corpus: Path) -> Path:
    for case in (corpus / "studies").glob("*.yaml"):
        case.unlink()
    for letter in (corpus / "letters").glob("*.yaml"):
        letter.unlink()
    return corpus


def test_corpus_with_zero_cases_scores_and_explains(corpus):
    zero_cases(corpus)
    runner = CliRunner()
    for args in (["validate", str(corpus)], ["score", "--cases", str(corpus)],
                 ["explain", "comcast", "--cases", str(corpus)]):  # fmt: skip
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output, result.exception)


@pytest.mark.slow
def test_corpus_with_zero_cases_builds(corpus, tmp_path):
    zero_cases(corpus)
    result = CliRunner().invoke(app, ["build", "--cases", str(corpus), "--out",
                                      str(tmp_path / "site")])  # fmt: skip
    assert result.exit_code == 0, (result.output, result.exception)
    assert (tmp_path / "site" / "companies" / "comcast.html").is_file()


def test_nul_byte_in_an_incidents_csv_is_an_error_not_published(corpus):
    path = corpus / "companies" / "comcast.incidents.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace(",", ",nul\x00here", 1) if False else lines[1]
    first = lines[1].split(",")
    header = lines[0].rstrip("\n").split(",")
    first[header.index("issue")] = "nul\x00byte"
    lines[1] = ",".join(first)
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_corpus(corpus)
    assert f"{path}:2:1: issue: holds a NUL byte" in str(exc.value)


def _store_one(corpus: Path, date: str, issue: str = "fine") -> None:
    """A row written straight into the store (as an older cxreport could), unchecked."""
    from generator.load.incidents.write import dedupe_stage  # noqa: F401 - the store's own API

    store = IncidentStore(store_root(corpus))
    row = {"company": "comcast", "id": "X1", "source": "old", "date": date, "channel": "web",
           "product": None, "issue": issue, "reply_minutes": None, "response_days": None,
           "forwarded_days": None, "response": None, "resolved": None, "timely": None,
           "escalated": None, "disputed": None, "text": None, "_line": 2}  # fmt: skip
    with store.workdir() as work:
        staged = work / "staged.parquet"
        with store.stage_writer(staged) as writer:
            store.stage(writer, pd.DataFrame([row]))
        store.merge(staged, "old", None, work)


@pytest.mark.parametrize(
    "date, issue, message",
    [("9999-12-31", "fine", "dated outside 1900-01-01 to 2100-12-31 (first: comcast X1 9999"),
     ("2015-01-01", "nul\x00byte", "holds a NUL byte, a control or a bidi character")],
)  # fmt: skip
def test_dates_and_characters_from_the_incident_store_are_checked(corpus, date, issue, message):
    _store_one(corpus, date, issue)
    with pytest.raises(InputError) as exc:
        load_corpus(corpus)
    assert message in str(exc.value)
