"""Startup: each command imports only what it uses, so `cxreport --help` answers at once and
`cxreport validate` never loads the renderer, DuckDB or mkdocs. Checked in a fresh interpreter
(sys.modules after the command ran), since this test process has imported everything."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import ROOT

PROBE = """
import sys
sys.argv = ["cxreport", *{args!r}]
from generator.cli import app
try:
    app()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print("EXIT", code)
print("MODULES", " ".join(sorted({{m.split(".")[0] for m in sys.modules}})))
"""


def loaded_after(*args: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=list(args))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines() if " " in line)
    assert lines["EXIT"] == "0", result.stdout + result.stderr
    return set(lines["MODULES"].split())


def test_help_imports_no_data_library():
    loaded = loaded_after("--help")
    assert "typer" in loaded  # the probe saw the command line's own imports
    for heavy in ("pandas", "numpy", "pyarrow", "duckdb", "plotly", "mkdocs", "pydantic", "jinja2"):
        assert heavy not in loaded, f"`cxreport --help` imported {heavy}"


@pytest.mark.parametrize("command", ["validate", "score"])
def test_corpus_commands_do_not_load_the_renderer_or_mkdocs(command):
    loaded = loaded_after(command)
    assert {"pydantic", "yaml", "pandas"} <= loaded  # what loading the corpus needs
    for heavy in ("plotly", "mkdocs", "material", "dask"):
        assert heavy not in loaded, f"`cxreport {command}` imported {heavy}"
    if command == "validate":
        for heavy in ("duckdb", "jinja2", "markdown", "nh3", "babel"):
            assert heavy not in loaded, f"`cxreport validate` imported {heavy}"
