"""`import calls` through the one merge every importer uses: re-import, --replace, a bad row,
the company file's link, the same summary and closing message as the other importers."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.importers import IMPORTERS, ImportFailed, import_calls, run_import
from generator.pipeline import load as load_corpus

from .test_importers import write

runner = CliRunner()
HEADER = "date,q_start,q_time,outcome,ser_time,type"
# Two days of one queue: day one 3 calls offered (2 answered, 1 abandoned), day two 2 calls.
AUGUST = [
    "2010-08-01,9:00:00,30,AGENT,100,PS",
    "2010-08-01,9:05:00,90,AGENT,200,PS",
    "2010-08-01,9:07:00,50,HANG,0,PS",
    "2010-08-01,0:00:00,0,HANG,0,PS",  # never queued: not offered to an agent
    "2010-08-02,9:00:00,10,AGENT,60,PS",
    "2010-08-02,9:30:00,70,HANG,0,PS",
]
SEPTEMBER = ["2010-09-01,9:00:00,20,AGENT,120,PS", "2010-09-01,9:10:00,40,AGENT,80,NW"]


def cli(*args: str):
    result = runner.invoke(app, ["import", "calls", *map(str, args)])
    assert "Traceback" not in result.output
    return result


def snapshot(corpus: Path) -> dict[str, bytes]:
    return {str(p.relative_to(corpus)): p.read_bytes() for p in sorted(corpus.rglob("*"))
            if p.is_file()}  # fmt: skip


def days(corpus: Path, company: str) -> pd.DataFrame:
    return pd.read_csv(corpus / "companies" / f"{company}.calls.csv", dtype=str)


def test_first_import_writes_the_days_and_links_the_company_file(corpus, tmp_path):
    log = write(tmp_path / "log.csv", HEADER, AUGUST)
    company = corpus / "companies" / "att.yaml"
    before = company.read_text()
    result = cli(log, "--cases", corpus, "--company", "att")
    assert result.exit_code == 0, result.output
    assert "daily call-centre rows, into CSV files beside the company files" in result.stdout
    assert "6 rows read: 2 added, 0 updated, 0 unchanged, 0 rejected, 1 not offered" in (
        result.stdout
    )
    assert f"wrote {corpus / 'companies' / 'att.calls.csv'}" in result.stdout
    assert company.read_text() == before + "calls_file: att.calls.csv\n"
    rows = days(corpus, "att").set_index("date")
    assert rows.loc["2010-08-01", ["offered", "answered", "abandoned"]].tolist() == ["3", "2", "1"]
    assert rows.loc["2010-08-01", "wait_median_s"] == "50"
    assert rows.loc["2010-08-01", "answered_60s"] == "1"
    assert len(load_corpus(corpus).calls.query("company == 'att'")) == 2


def test_reimport_changes_nothing_and_another_month_adds_its_days(corpus, tmp_path):
    log = write(tmp_path / "log.csv", HEADER, AUGUST)
    import_calls(log, corpus, "att")
    written = snapshot(corpus)
    again = cli(log, "--cases", corpus, "--company", "att")
    assert again.exit_code == 0, again.output
    assert "0 added, 0 updated, 2 unchanged, 0 rejected" in again.stdout
    assert "nothing changed." in again.stdout and "wrote" not in again.stdout
    assert snapshot(corpus) == written
    report = import_calls(write(tmp_path / "sep.csv", HEADER, SEPTEMBER), corpus, "att")
    assert (report.total("added"), report.total("unchanged"), report.dropped) == (2, 0, {})
    assert days(corpus, "att")["date"].tolist() == [
        "2010-08-01", "2010-08-02", "2010-09-01", "2010-09-01"
    ]  # fmt: skip


def test_a_log_covering_a_day_again_updates_that_day_only(corpus, tmp_path):
    import_calls(write(tmp_path / "log.csv", HEADER, AUGUST), corpus, "att")
    fixed = write(tmp_path / "fixed.csv", HEADER, AUGUST[:3] + ["2010-08-01,9:09:00,5,AGENT,40,PS"])
    report = import_calls(fixed, corpus, "att")
    assert report.per_company["att"].__dict__ == {"added": 0, "updated": 1, "unchanged": 0}
    rows = days(corpus, "att").set_index("date")
    assert rows.loc["2010-08-01", "offered"] == "4"
    assert rows.loc["2010-08-02", "offered"] == "2"  # the day the new log does not cover


def test_replace_drops_the_earlier_days_and_lists_them(corpus, tmp_path):
    import_calls(write(tmp_path / "log.csv", HEADER, AUGUST), corpus, "att")
    sep = write(tmp_path / "sep.csv", HEADER, SEPTEMBER)
    result = cli(sep, "--cases", corpus, "--company", "att", "--replace")
    assert result.exit_code == 0, result.output
    assert "2 added, 0 updated, 0 unchanged, 0 rejected, 2 earlier rows dropped (--replace)" in (
        result.stdout
    )
    assert days(corpus, "att")["date"].tolist() == ["2010-09-01", "2010-09-01"]
    # another company's days are never touched
    bank = days(corpus, "anonymous-bank")
    assert len(bank) == len(load_corpus(corpus).calls.query("company == 'anonymous-bank'")) > 0


def test_a_bad_row_is_named_by_file_and_line_and_nothing_is_written(corpus, tmp_path):
    import_calls(write(tmp_path / "log.csv", HEADER, AUGUST), corpus, "att")
    before = snapshot(corpus)
    bad = write(tmp_path / "bad.csv", HEADER, [*SEPTEMBER, "2010-09-02,9:00:00,20,MAYBE,1,PS"])
    result = cli(bad, "--cases", corpus, "--company", "att")
    assert result.exit_code == 1
    assert f"{bad}:4: outcome is not AGENT, HANG or PHANTOM (line 4)" in result.stderr
    assert "nothing was written" in result.stderr
    assert snapshot(corpus) == before
    cut = write(tmp_path / "cut.csv", HEADER, [*SEPTEMBER, "2010-09-02,9:00"], end=False)
    result = cli(cut, "--cases", corpus, "--company", "att", "--replace")
    assert result.exit_code == 1
    assert f"{cut}:4: the file is cut off here" in result.stderr
    assert snapshot(corpus) == before


def test_a_queue_name_a_build_would_refuse_is_a_bad_row(corpus, tmp_path):
    bad = write(tmp_path / "bad.csv", HEADER, ["2010-09-02,9:00:00,20,AGENT,1,P\x07S"])
    before = snapshot(corpus)
    result = cli(bad, "--cases", corpus, "--company", "att")
    assert result.exit_code == 1
    assert f"{bad}:2: type " in result.stderr and "nothing was written" in result.stderr
    assert snapshot(corpus) == before


def test_calls_take_no_store(corpus, tmp_path):
    """Daily figures are a row a day and queue: always the CSV the company file names."""
    log = write(tmp_path / "log.csv", HEADER, AUGUST)
    result = cli(log, "--cases", corpus, "--company", "att", "--into", "store")
    assert result.exit_code == 2 and "No such option" in result.output
    assert not (corpus / "companies" / "att.calls.csv").exists()


def test_daily_figures_are_never_sent_to_the_store(corpus, tmp_path):
    """Even an importer of daily figures that offered --into could not put them in the store."""
    spec = dataclasses.replace(IMPORTERS["calls"], options=(*IMPORTERS["calls"].options, "into"))
    log = write(tmp_path / "log.csv", HEADER, AUGUST)
    before = snapshot(corpus)
    with pytest.raises(ImportFailed, match="the incident store holds incident rows only"):
        run_import(log, corpus, spec, company="att", into="store")
    assert snapshot(corpus) == before
    assert run_import(log, corpus, spec, company="att", into="csv").total("added") == 2
