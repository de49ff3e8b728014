"""One interface for every importer: the `cxreport import` commands are made from the registry,
so a registered importer is a command with its options, and every option is in its --help."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.importers import IMPORTERS, SHARED, Importer, Option, Run, register
from generator.pipeline import load as load_corpus

from .test_importers import write

runner = CliRunner()


def cli(*args: str):
    result = runner.invoke(app, ["import", *map(str, args)], env={"COLUMNS": "200"})
    assert "Traceback" not in result.output
    return result


def open_outages(run: Run):
    """A made-up source: one outage report a row (``day,ref``), all about --company."""
    company = run.index.existing(run.values["company"])
    run.delivery.selection = {company}
    rows = pd.read_csv(run.path, dtype=str)
    run.report.rows_read = len(rows)
    return [
        pd.DataFrame(
            {
                "company": company,
                "id": rows["ref"],
                "source": run.report.source,
                "date": rows["day"],
                "channel": run.values["channel"],
                "issue": f"outage in {run.values['region']}",
                "_line": range(2, len(rows) + 2),
            }
        )
    ]


OUTAGES = Importer(
    name="outages",
    help="Outage reports of a regulator -> incident data.",
    open=open_outages,
    options=(
        Option("company", help="Slug of the company the reports are about.", required=True),
        Option("region", help="The region the reports cover.", required=True),
        Option(
            "channel",
            default="phone",
            help="The channel of every report.",
            choices=("phone", "web"),
        ),  # fmt: skip
        "cases",
        "replace",
        "into",
    ),
)


@pytest.fixture
def outages():
    before = dict(IMPORTERS)
    yield register(OUTAGES)
    IMPORTERS.clear()
    IMPORTERS.update(before)


def test_a_registered_importer_is_a_command_with_its_options(outages, corpus, tmp_path):
    listing = cli("--help")
    assert listing.exit_code == 0
    assert "outages" in listing.stdout and OUTAGES.help in listing.stdout
    shown = cli("outages", "--help")
    assert shown.exit_code == 0, shown.output
    for text in ("--region", "The region the reports cover.", "--channel", "phone|web",
                 "--into", "--replace", "--cases"):  # fmt: skip
        assert text in shown.stdout, text
    assert "--as-of" not in shown.stdout and "--with-text" not in shown.stdout
    src = write(tmp_path / "o.csv", "day,ref", ["2015-03-01,o1", "2015-03-02,o2"])
    missing = cli("outages", src, "--cases", corpus, "--company", "att")
    assert missing.exit_code == 2 and "--region" in missing.output
    result = cli("outages", src, "--cases", corpus, "--company", "att", "--region", "Ohio",
                 "--channel", "web")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "outages rows as of 2015-03-02, into CSV files beside the company" in result.stdout
    assert "2 rows read: 2 added, 0 updated, 0 unchanged, 0 rejected" in result.stdout
    rows = load_corpus(corpus).incidents.query("source == 'outages'")
    assert sorted(rows["id"]) == ["o1", "o2"] and set(rows["channel"]) == {"web"}
    assert set(rows["issue"]) == {"outage in Ohio"}
    again = cli("outages", src, "--cases", corpus, "--company", "att", "--region", "Ohio",
                "--channel", "web", "--replace")  # fmt: skip
    assert "2 earlier rows dropped (--replace)" in again.stdout


def test_a_registered_importers_rows_are_screened_like_every_other(outages, corpus, tmp_path):
    src = write(tmp_path / "o.csv", "day,ref", ["2015-03-01,o1", "1066-10-14,o2"])
    result = cli("outages", src, "--cases", corpus, "--company", "att", "--region", "Kent")
    assert result.exit_code == 0, result.output
    assert "rejected 1: dated outside" in result.stderr and "(line 3)" in result.stderr


@pytest.mark.parametrize("name", list(IMPORTERS))
def test_every_registered_importers_options_are_in_its_help(name):
    spec = IMPORTERS[name]
    listing = " ".join(cli("--help").stdout.split())
    assert f"{name} {spec.help}" in listing  # `cxreport import --help` lists it
    result = cli(name, "--help")
    assert result.exit_code == 0, result.output
    assert spec.help in " ".join(result.stdout.split())
    text = " ".join(result.stdout.replace("│", " ").split())
    for option in spec.all_options():
        assert option.flag in text, (name, option.flag)
        assert option.help[:40] in text, (name, option.help[:40])
        for choice in option.choices:
            assert choice in text


def test_shared_options_are_declared_once_and_taken_by_name():
    for spec in IMPORTERS.values():
        for option in spec.all_options():
            if option.name in SHARED:
                assert option is SHARED[option.name], (spec.name, option.name)
    assert IMPORTERS["calls"].takes("replace") and not IMPORTERS["calls"].takes("into")
    bare = Importer("bare", "No options of its own.", open=open_outages)
    assert bare.all_options() == [SHARED["cases"]]  # every import has its corpus


def test_an_option_an_importer_does_not_take_is_a_wrong_call(corpus):
    from generator.importers import run_import

    with pytest.raises(TypeError, match="import calls: no option into"):
        run_import(Path("x.csv"), corpus, "calls", company="att", into="store")
