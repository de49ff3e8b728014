"""The incident store: big imports as Parquet under companies/_incidents, merged by DuckDB."""

import shutil

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.importers import import_cfpb, merge
from generator.load.incidents.store import store_root, store_sql
from generator.load.incidents.write import IncidentStore
from generator.measure.engines import DuckDBEngine, register_incidents
from generator.pipeline import load as load_corpus
from generator.score import score_corpus

from .test_importers import cfpb_file, cfpb_row

BOA = "BANK OF AMERICA, NATIONAL ASSOCIATION"
CHASE = "JPMORGAN CHASE & CO."
runner = CliRunner()


def current(corpus) -> pd.DataFrame:
    with duckdb.connect() as con:
        sql = store_sql(store_root(corpus))
        return con.sql(f"SELECT * FROM ({sql}) ORDER BY company, id").df()


def parts(corpus) -> list[str]:
    return sorted(p.name for p in store_root(corpus).rglob("part-*.parquet"))


def test_store_merges_and_validate_counts_its_rows(corpus, tmp_path):
    first = cfpb_file(tmp_path, "a.csv", [cfpb_row(1, BOA), cfpb_row(2, BOA), cfpb_row(3, CHASE)])
    report = import_cfpb(first, corpus, into="store")
    assert report.target == "store" and report.total("added") == 3
    assert not (corpus / "companies" / "bank-of-america.incidents.csv").exists()
    assert "incidents_file" not in (corpus / "companies" / "bank-of-america.yaml").read_text()
    again = import_cfpb(first, corpus)  # the source is in the store: auto keeps it there
    assert again.target == "store" and again.total("unchanged") == 3
    assert parts(corpus) == ["part-00000001.parquet"]  # nothing changed, nothing written
    second = cfpb_file(
        tmp_path, "b.csv", [cfpb_row(2, BOA, timely="No"), cfpb_row(4, CHASE, via="Phone")]
    )
    report = import_cfpb(second, corpus)
    assert {k: (v.added, v.updated, v.unchanged) for k, v in report.per_company.items()} == {
        "bank-of-america": (0, 1, 0),
        "jpmorgan-chase": (1, 0, 0),
    }
    rows = current(corpus)
    assert list(rows["id"]) == ["1", "2", "3", "4"]
    assert rows.set_index("id").loc["2", "timely"] == False  # noqa: E712 - the newer version
    result = runner.invoke(app, ["validate", str(corpus)])
    assert result.exit_code == 0, result.output
    assert "2228 incident rows" in result.stdout  # 2,224 bundled CSV rows + 4 stored


def test_replace_in_the_store_drops_the_selected_companies(corpus, tmp_path):
    import_cfpb(
        cfpb_file(tmp_path, "a.csv", [cfpb_row(1, BOA), cfpb_row(2, CHASE)]), corpus, into="store"
    )
    newer = cfpb_file(tmp_path, "b.csv", [cfpb_row(5, BOA)])
    result = runner.invoke(
        app,
        [
            "import",
            "cfpb",
            str(newer),
            "-c",
            str(corpus),
            "--replace",
            "--company",
            "bank-of-america",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "│ bank-of-america │     1 │       0 │         0 │       1 │" in result.stdout
    assert sorted(current(corpus)["id"]) == ["2", "5"]
    assert parts(corpus) == ["part-00000002.parquet", "part-00000003.parquet"]  # old one gone


def test_big_files_go_to_the_store_and_a_source_lives_in_one_place(corpus, tmp_path, monkeypatch):
    small = cfpb_file(tmp_path, "a.csv", [cfpb_row(1, BOA)])
    assert import_cfpb(small, corpus).target == "csv"
    monkeypatch.setattr(merge, "STORE_THRESHOLD_BYTES", 10)
    big = cfpb_file(tmp_path, "b.csv", [cfpb_row(2, BOA)])
    assert import_cfpb(big, corpus).target == "csv"  # cfpb is kept in CSV: it stays there
    result = runner.invoke(app, ["import", "cfpb", str(big), "-c", str(corpus), "--into", "store"])
    assert result.exit_code == 1
    assert "'cfpb' rows are already kept in bank-of-america" in result.stderr
    moved = import_cfpb(big, corpus, into="store", replace=True)
    assert moved.dropped == {"bank-of-america": 2} and moved.total("added") == 1
    assert incidents_csv_sources(corpus) == set()
    assert list(current(corpus)["id"]) == ["2"]
    tickets = tmp_path / "fresh.csv"
    tickets.write_text("Date received,Company\n2015-01-01,JPMORGAN CHASE & CO.\n")
    assert import_cfpb(tickets, corpus, source="cfpb-extra").target == "store"  # by size


def incidents_csv_sources(corpus) -> set[str]:
    path = corpus / "companies" / "bank-of-america.incidents.csv"
    return set(pd.read_csv(path, dtype=str, keep_default_na=False)["source"])


def test_a_killed_import_leaves_the_store_as_it_was(corpus, tmp_path, monkeypatch):
    import_cfpb(cfpb_file(tmp_path, "a.csv", [cfpb_row(1, BOA)]), corpus, into="store")

    def killed(self, manifest):
        raise KeyboardInterrupt

    monkeypatch.setattr(IncidentStore, "commit", killed)
    with pytest.raises(KeyboardInterrupt):
        import_cfpb(cfpb_file(tmp_path, "b.csv", [cfpb_row(2, BOA)]), corpus)
    assert list(current(corpus)["id"]) == ["1"]
    assert list((store_root(corpus) / "_tmp").glob("import-*")) == []


def test_stored_rows_of_an_unknown_company_are_a_problem(corpus, tmp_path):
    src = cfpb_file(tmp_path, "a.csv", [cfpb_row(1, "HSBC NORTH AMERICA HOLDINGS INC.")])
    import_cfpb(src, corpus, into="store", unknown="create")
    (corpus / "companies" / "hsbc-north-america.yaml").unlink()
    result = runner.invoke(app, ["validate", str(corpus)])
    assert result.exit_code == 1
    assert "1 stored incident rows of company 'hsbc-north-america'" in result.stderr


def test_sql_sees_csv_and_stored_rows_as_one_incidents_relation(corpus, tmp_path):
    import_cfpb(cfpb_file(tmp_path, "a.csv", [cfpb_row(1, BOA, via="Phone")]), corpus, into="store")
    loaded = load_corpus(corpus)
    with duckdb.connect() as con:
        register_incidents(DuckDBEngine(con), loaded.incidents, corpus)
        counts = dict(con.sql("SELECT source, count(*) FROM incidents GROUP BY ALL").fetchall())
        kinds = dict(
            con.sql("SELECT column_name, column_type FROM (DESCRIBE incidents)").fetchall()
        )
    assert counts == {"fcc-tickets": 2224, "cfpb": 1}
    assert sum(counts.values()) == loaded.incident_count
    assert (kinds["date"], kinds["timely"], kinds["reply_minutes"]) == ("DATE", "BOOLEAN", "DOUBLE")


def test_company_scores_count_stored_rows_like_loaded_ones(corpus, tmp_path):
    """The company metrics read the store through the same SQL: a complaint imported into the
    store counts exactly as the same complaint in a CSV beside the company file."""
    rows = [cfpb_row(n, BOA, date=f"{1 + n % 12}/5/2015") for n in range(1, 41)]
    in_store, in_csv = tmp_path / "store", tmp_path / "csv"
    shutil.copytree(corpus, in_store)
    shutil.copytree(corpus, in_csv)
    import_cfpb(cfpb_file(tmp_path, "a.csv", rows), in_store, into="store")
    import_cfpb(cfpb_file(tmp_path, "b.csv", rows), in_csv, into="csv")
    stored = score_corpus(load_corpus(in_store)).company("bank-of-america")
    loaded = score_corpus(load_corpus(in_csv)).company("bank-of-america")
    assert stored.complaints == loaded.complaints == 40
    assert stored.incident_part == loaded.incident_part
    assert [(f.metric, f.value, f.n) for f in stored.figures] == [
        (f.metric, f.value, f.n) for f in loaded.figures
    ]
