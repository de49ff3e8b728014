"""Each imported extract keeps its own "as of" day (issue 18): on every row it wrote, in CSV
and store alike; the settle window is counted back from it, so merging a newer extract does not
make the older one's recent rows settled. Stores written before rows carried the day load."""

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.importers import import_cfpb
from generator.load.incidents.store import store_root, store_sql
from generator.measure.company import Relations, clocked
from generator.measure.engines import DuckDBEngine, register_incidents
from generator.pipeline import load as load_corpus
from generator.score import score_corpus

from .test_importers import cfpb_file, cfpb_row, incidents

BOA = "BANK OF AMERICA, NATIONAL ASSOCIATION"
OLD_STORE = Path(__file__).parents[1] / "fixtures" / "store-v1"
runner = CliRunner()


def recent(corpus: Path) -> dict[str, tuple[str | None, bool]]:
    """Bank of America's rows of the cfpb source: id -> (as_of, in the settle window)."""
    loaded = load_corpus(corpus)
    with duckdb.connect() as con:
        register_incidents(DuckDBEngine(con), loaded.incidents, corpus)
        rows = con.sql(
            "SELECT id, strftime(as_of, '%Y-%m-%d'), recent "
            f"FROM ({clocked(Relations(companies=''))}) "
            "WHERE company = 'bank-of-america' AND source = 'cfpb'"
        ).fetchall()
    return {i: (day, bool(flag)) for i, day, flag in rows}


def two_extracts(tmp_path: Path) -> tuple[Path, Path]:
    older = cfpb_file(
        tmp_path,
        "2016.csv",
        [
            cfpb_row(1, BOA, "12/1/2015", sent="12/3/2015"),
            cfpb_row(2, BOA, "2/20/2016", sent="3/4/2016", response="In progress"),
        ],
    )
    newer = cfpb_file(
        tmp_path,
        "2023.csv",
        [cfpb_row(3, BOA, "5/1/2023"), cfpb_row(4, BOA, "9/30/2023")],
    )
    return older, newer


@pytest.mark.parametrize("into", ["csv", "store"])
def test_merged_extracts_keep_their_own_day(corpus, tmp_path, into):
    older, newer = two_extracts(tmp_path)
    first = import_cfpb(older, corpus, into=into)
    assert first.as_of == "2016-02-20"  # the latest date of its rows
    second = import_cfpb(newer, corpus)
    assert second.as_of == "2023-09-30" and second.total("added") == 2
    rows = recent(corpus)
    # complaint 2 is within 60 days of its own extract's day: recent, though the source now
    # runs to 2023 (one clock per source name counted it as settled)
    assert rows == {
        "1": ("2016-02-20", False),
        "2": ("2016-02-20", True),
        "3": ("2023-09-30", False),
        "4": ("2023-09-30", True),
    }
    again = import_cfpb(older, corpus)  # the same extract again: nothing changes
    assert again.total("unchanged") == 2 and not again.written


def test_the_day_is_written_beside_the_csv_rows(corpus, tmp_path):
    older, _ = two_extracts(tmp_path)
    import_cfpb(older, corpus)
    assert set(incidents(corpus, "bank-of-america").query("source == 'cfpb'")["as_of"]) == {
        "2016-02-20"
    }


def test_a_newer_extract_restating_a_row_gives_it_the_newer_day(corpus, tmp_path):
    older, _ = two_extracts(tmp_path)
    import_cfpb(older, corpus, into="store")
    later = cfpb_file(tmp_path, "later.csv", [cfpb_row(2, BOA, "2/20/2016", sent="3/4/2016")])
    report = import_cfpb(later, corpus, as_of="2016-06-30")
    assert report.total("updated") == 1
    assert recent(corpus) == {"1": ("2016-02-20", False), "2": ("2016-06-30", False)}


def test_as_of_stated_on_import(corpus, tmp_path):
    older, _ = two_extracts(tmp_path)
    result = runner.invoke(
        app, ["import", "cfpb", str(older), "-c", str(corpus), "--as-of", "2016-12-31"]
    )
    assert result.exit_code == 0, result.output
    assert "cfpb rows as of 2016-12-31" in result.stdout
    assert all(day == "2016-12-31" for day, _ in recent(corpus).values())


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("2016-02-19", "--as-of 2016-02-19: the file holds rows dated up to 2016-02-20"),
        ("31/12/2016", "--as-of '31/12/2016': write a date YYYY-MM-DD"),
    ],
)
def test_a_wrong_as_of_is_refused_and_nothing_written(corpus, tmp_path, day, message):
    older, _ = two_extracts(tmp_path)
    before = sorted(p.name for p in (corpus / "companies").iterdir())
    yaml_text = (corpus / "companies" / "bank-of-america.yaml").read_text()
    result = runner.invoke(app, ["import", "cfpb", str(older), "-c", str(corpus), "--as-of", day])
    assert result.exit_code == 1
    assert message in result.stderr and "nothing was written" in result.stderr
    assert "Traceback" not in result.output
    assert sorted(p.name for p in (corpus / "companies").iterdir()) == before
    assert (corpus / "companies" / "bank-of-america.yaml").read_text() == yaml_text


def test_a_store_written_before_the_day_was_kept_still_loads(corpus, tmp_path):
    """tests/fixtures/store-v1: written by `import cfpb --into store` before this change."""
    root = store_root(corpus)
    shutil.copytree(OLD_STORE, root, ignore=shutil.ignore_patterns("README.md"))
    manifest = json.loads((root / "manifest.json").read_text())
    assert all("store" not in p for p in manifest["parts"])  # the old format
    assert (
        "as_of"
        not in duckdb.sql(f"DESCRIBE SELECT * FROM '{root}/cfpb/*.parquet'")
        .df()["column_name"]
        .tolist()
    )
    result = runner.invoke(app, ["validate", str(corpus)])
    assert result.exit_code == 0, result.output
    # old rows have no day of their own: the source's last day (2016-03-01), as before
    assert recent(corpus) == {"1": (None, True), "2": (None, True), "3": (None, True)}
    assert score_corpus(load_corpus(corpus)).company("bank-of-america").complaints > 0
    # the same rows again: unchanged (an empty day is no change); a new one is added beside
    # them in a part of the new format, and both formats are read together
    same = cfpb_file(
        tmp_path,
        "old.csv",
        [
            cfpb_row(1, BOA, "1/10/2016"),
            cfpb_row(2, BOA, "2/20/2016", response="In progress"),
            cfpb_row(3, BOA, "3/1/2016", response="Closed with monetary relief"),
            cfpb_row(9, BOA, "4/1/2016"),
        ],
    )
    report = import_cfpb(same, corpus)
    assert (report.total("unchanged"), report.total("added")) == (3, 1)
    manifest = json.loads((root / "manifest.json").read_text())
    assert [p.get("store") for p in manifest["parts"]] == [None, 2]
    with duckdb.connect() as con:
        rows = con.sql(f"SELECT id, as_of FROM ({store_sql(root)}) ORDER BY id").df()
    assert rows["id"].tolist() == ["1", "2", "3", "9"]
    assert rows["as_of"].isna().tolist() == [True, True, True, False]
    # --replace rewrites the source in the new format: the day every row now carries
    import_cfpb(same, corpus, replace=True)
    manifest = json.loads((root / "manifest.json").read_text())
    assert {p.get("store") for p in manifest["parts"]} == {2}
    with duckdb.connect() as con:
        days = con.sql(f"SELECT DISTINCT as_of FROM ({store_sql(root)})").df()["as_of"]
    assert pd.to_datetime(days).dt.strftime("%Y-%m-%d").tolist() == ["2016-04-01"]
